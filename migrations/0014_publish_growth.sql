-- The newest version of a model as of a log position, found by walking
-- the versions from the newest down (issue 15, finding 3 of the fault
-- campaign). The label query asked for it as one statement with
-- mf_counts in its WHERE clause; the planner, estimating that almost no
-- row passes mf_counts (an inlined "IS NULL AND IS NULL" of two
-- functions), sorted every version of the model and ran mf_withdrawn and
-- mf_compromised on each, so every label cost time in proportion to the
-- model's versions: the git publisher, which loads one label per log
-- entry, fell behind a model with a few thousand versions.
--
-- A PL/pgSQL loop reads the versions one at a time from the newest down
-- (each a LIMIT 1 read of the primary key backwards) and stops at the
-- first that qualifies, which is nearly always the first one read.
--
-- mf_newest_version(org, model, p_at, p_any): the highest version whose
-- submission has log_index <= p_at (p_at NULL: any, sequenced or not)
-- and, unless p_any, counts as of p_at (mf_counts); NULL when none.
CREATE FUNCTION mf_newest_version(p_org text, p_model text, p_at bigint,
	p_any boolean)
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
	below integer := NULL;
	found_version integer;
	found_id bigint;
BEGIN
	LOOP
		SELECT v.version, v.submission_id
		  INTO found_version, found_id
		  FROM versions v JOIN submissions s ON s.id = v.submission_id
		 WHERE v.org = p_org AND v.model = p_model
		   AND (below IS NULL OR v.version < below)
		   AND (p_at IS NULL OR s.log_index <= p_at)
		 ORDER BY v.version DESC
		 LIMIT 1;
		IF NOT FOUND THEN
			RETURN NULL;
		END IF;
		IF p_any OR mf_counts(found_id, p_at) THEN
			RETURN found_version;
		END IF;
		below := found_version;
	END LOOP;
END
$$;
