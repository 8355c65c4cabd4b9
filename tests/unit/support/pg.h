/*
 * Unit tests of the stages that talk to PostgreSQL (ingest, sequencing,
 * publication) run against the test run's real throwaway cluster, which
 * tests/run.py starts before the unit tests and names in MF_TEST_PGHOST
 * (its socket directory). Each test group gets a fresh database with every
 * migration applied. Without a cluster the tests are skipped, saying so.
 */
#ifndef MF_TEST_PG_H
#define MF_TEST_PG_H

/*
 * Creates the database `name` afresh (dropping one left by an earlier
 * run), points the database layer at it (mf_db_global_init) and applies
 * the migrations. 0 on success; -1 when no cluster is configured (the
 * reason is printed; call mf_test_pg_require in each test).
 */
int mf_test_pg_setup(const char *name);
/* Skips the calling test when mf_test_pg_setup found no cluster. */
void mf_test_pg_require(void);
/* Runs SQL through psql on the test database; returns its exit status.
 * The output (tuples only, unaligned, tab-separated) goes to *out when
 * out is not NULL (new, NUL-terminated). */
int mf_test_pg_sql(char **out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
