-- Leaderboards (GET /v1/benchmarks/{id}, MF_SQL_BENCHMARK_ROWS) and the
-- evals filters read one benchmark+metric's results across all models:
-- without this index every page scans the whole evals table (evals_model
-- only serves one model's results). value is included so the page's sort
-- key is read from the index rather than from each heap row.
CREATE INDEX evals_benchmark ON evals (benchmark, metric, value);
