-- Which eval results are runs of one measurement (issue 15, finding 3 of
-- the fault campaign). Labels fold repeated runs into the newest that
-- counts (labels/facts.c, fold_runs, says what a measurement is; the
-- label's evals query, db/sql.c, folds first). Computing the measurement
-- from each payload at every label made a label cost time in proportion
-- to its model's evals, so a model re-evaluated thousands of times slowed
-- the git publisher with every new run; it is computed once, here, when
-- the eval is stored.

-- The measurement of one eval result: a digest of what says what was
-- measured (jsonb's text is canonical: keys sorted, no spaces), not of the
-- outcome, the harness version or the date.
CREATE FUNCTION mf_eval_measurement(p_evaluator text, p_assurance text,
                                    p jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT sha256(convert_to(jsonb_build_object(
		'a', p_assurance, 'e', p_evaluator, 'r', p -> 'evaluator',
		'b', p -> 'benchmark', 't', p -> 'task', 'c', p -> 'config',
		's', p -> 'split', 'm', p -> 'metric', 'p', p -> 'prompting',
		'v', p -> 'model_version')::text, 'UTF8'))
$$;

ALTER TABLE evals ADD COLUMN measurement bytea;
UPDATE evals e
	SET measurement = mf_eval_measurement(e.evaluator, e.assurance,
	                                      s.payload::jsonb)
	FROM submissions s WHERE s.id = e.submission_id;

-- Every accept function inserts the submission before its evals row.
CREATE FUNCTION mf_evals_set_measurement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	SELECT mf_eval_measurement(NEW.evaluator, NEW.assurance,
	                           s.payload::jsonb)
		INTO NEW.measurement
		FROM submissions s WHERE s.id = NEW.submission_id;
	RETURN NEW;
END
$$;
CREATE TRIGGER evals_measurement BEFORE INSERT ON evals
	FOR EACH ROW EXECUTE FUNCTION mf_evals_set_measurement();
