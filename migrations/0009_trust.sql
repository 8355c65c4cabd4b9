-- Trust over time (issue 15). A withdrawal is a signed document by which
-- an organisation takes back one of its own disclosure versions, eval
-- results or assessments: the withdrawn document stays in the log and in
-- git, and the withdrawal is a log entry of its own. mf_accept() learns
-- the new kind; its refusals: MF005 no such document for this subject,
-- MF006 the signer's organisation did not sign it, MF007 withdrawn before.
-- The function below is 0005's mf_accept (transcribed assessors) with
-- the withdrawal branches added.

ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check
	CHECK (kind IN ('disclosure', 'eval-result', 'assessment', 'key-event',
		'withdrawal'));

-- One row per withdrawal; a document is withdrawn at most once. Whether a
-- document counts as of log position p is "no withdrawal whose submission
-- has log_index <= p" (the facts are temporal, see 0008).
CREATE TABLE withdrawals (
	submission_id bigint PRIMARY KEY REFERENCES submissions,
	target_id bigint NOT NULL UNIQUE REFERENCES submissions,
	org text NOT NULL REFERENCES orgs,
	reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
	date date NOT NULL
);

CREATE OR REPLACE FUNCTION mf_accept(
	p_kind text, p_org text, p_keyid text, p_seq bigint,
	p_subject_org text, p_subject_model text, p_payload_type text,
	p_payload_sha256 bytea, p_envelope_sha256 bytea, p_envelope bytea,
	p_payload text, p_issued_at timestamptz, p_signer_keyids text[],
	p_supersedes bytea, p_extra jsonb)
RETURNS TABLE (submission_id bigint, version integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
	v_head integer;
	v_head_sha bytea;
	v_version integer;
	v_target bigint;
	v_target_org text;
BEGIN
	UPDATE orgs SET last_seq = p_seq
	 WHERE org = p_org AND last_seq < p_seq;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'stale seq' USING ERRCODE = 'MF001';
	END IF;

	IF p_kind = 'withdrawal' THEN
		-- the withdrawn document, locked: racing withdrawals serialise
		SELECT s.id, s.org INTO v_target, v_target_org FROM submissions s
		 WHERE s.payload_sha256 = decode(p_extra ->> 'withdraws', 'hex')
		   AND s.subject_org = p_subject_org
		   AND s.subject_model = p_subject_model
		   AND s.kind IN ('disclosure', 'eval-result', 'assessment')
		   FOR UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown withdrawn document'
				USING ERRCODE = 'MF005';
		END IF;
		IF v_target_org <> p_org THEN
			RAISE EXCEPTION 'not the signer' USING ERRCODE = 'MF006';
		END IF;
		IF EXISTS (SELECT 1 FROM withdrawals w
			    WHERE w.target_id = v_target) THEN
			RAISE EXCEPTION 'already withdrawn' USING ERRCODE = 'MF007';
		END IF;
	END IF;

	IF p_kind <> 'key-event' THEN
		-- takes the model row's lock: racing disclosures serialise here
		INSERT INTO models AS m (org, model)
		VALUES (p_subject_org, p_subject_model)
		ON CONFLICT (org, model) DO UPDATE SET updated_at = m.updated_at
		RETURNING m.head_version, m.head_payload_sha256
		INTO v_head, v_head_sha;
	END IF;
	IF p_kind = 'disclosure' AND
	   v_head_sha IS DISTINCT FROM p_supersedes THEN
		RAISE EXCEPTION 'stale supersedes' USING ERRCODE = 'MF002',
			DETAIL = coalesce(encode(v_head_sha, 'hex'), '');
	END IF;

	INSERT INTO submissions (kind, org, keyid, seq, subject_org,
		subject_model, payload_type, payload_sha256, envelope_sha256,
		envelope, payload, issued_at, signer_keyids)
	VALUES (p_kind, p_org, p_keyid, p_seq, p_subject_org,
		p_subject_model, p_payload_type, p_payload_sha256,
		p_envelope_sha256, p_envelope, p_payload, p_issued_at,
		p_signer_keyids)
	RETURNING id INTO v_id;

	IF p_kind = 'disclosure' THEN
		v_version := v_head + 1;
		INSERT INTO versions (org, model, version, submission_id,
			payload_sha256, supersedes, model_version, release_date,
			scores, score_total, score_max)
		VALUES (p_subject_org, p_subject_model, v_version, v_id,
			p_payload_sha256, p_supersedes,
			p_extra ->> 'model_version',
			(p_extra ->> 'release_date')::date,
			coalesce(p_extra -> 'scores', '{}'),
			(p_extra ->> 'score_total')::integer,
			(p_extra ->> 'score_max')::integer);
		UPDATE models SET head_version = v_version,
			head_payload_sha256 = p_payload_sha256, updated_at = now()
		 WHERE org = p_subject_org AND model = p_subject_model;
	ELSIF p_kind = 'eval-result' THEN
		v_version := (p_extra ->> 'version')::integer;
		INSERT INTO evals (submission_id, org, model, version,
			evaluator, assurance, benchmark, metric, value)
		VALUES (v_id, p_subject_org, p_subject_model, v_version, p_org,
			p_extra ->> 'assurance', p_extra ->> 'benchmark',
			p_extra ->> 'metric', (p_extra ->> 'value')::float8);
	ELSIF p_kind = 'assessment' THEN
		v_version := (p_extra ->> 'version')::integer;
		IF p_extra ? 'assessor' AND NOT EXISTS (SELECT 1 FROM orgs
		    WHERE org = p_extra ->> 'assessor' AND role = 'assessor') THEN
			RAISE EXCEPTION 'not an assessor' USING ERRCODE = 'MF004';
		END IF;
		INSERT INTO assessments (submission_id, org, model, version,
			assessor, index_id, scores, total)
		VALUES (v_id, p_subject_org, p_subject_model, v_version,
			coalesce(p_extra ->> 'assessor', p_org),
			p_extra ->> 'index', p_extra -> 'grades',
			(p_extra ->> 'total')::integer);
	ELSIF p_kind = 'withdrawal' THEN
		INSERT INTO withdrawals (submission_id, target_id, org, reason,
			date)
		VALUES (v_id, v_target, p_org, p_extra ->> 'reason',
			(p_extra ->> 'date')::date);
	ELSIF p_kind = 'key-event' THEN
		IF p_extra ? 'target_keyid' THEN
			UPDATE keys SET status = 'revoked', revoked_at = now(),
				revoked_by = v_id
			 WHERE keyid = p_extra ->> 'target_keyid'
			   AND org = p_subject_org AND status = 'active';
			IF NOT FOUND THEN
				RAISE EXCEPTION 'key no longer active'
					USING ERRCODE = 'MF003';
			END IF;
		END IF;
		IF p_extra ? 'new_keyid' THEN
			INSERT INTO keys (keyid, org, alg, public_key, spki,
				added_by)
			VALUES (p_extra ->> 'new_keyid', p_subject_org,
				p_extra ->> 'new_alg', p_extra ->> 'new_public_key',
				decode(p_extra ->> 'new_spki', 'hex'), v_id);
		END IF;
	END IF;
	RETURN QUERY SELECT v_id, v_version;
END;
$$;

-- Withdrawn assessments judge no more from the withdrawal's position on:
-- mf_judgement (0006) and mf_judgement_refresh (0008) leave them out, and
-- mf_facts_catch_up (0008) hands withdrawals to mf_list_facts_withdrawal.
CREATE OR REPLACE FUNCTION mf_judgement(p_org text, p_model text, p_version integer,
	p_index text, p_judge text, p_at bigint)
RETURNS TABLE (judge text, score integer, max integer, results jsonb,
	auto boolean)
LANGUAGE sql STABLE AS $$
	SELECT x.judge, x.score, x.max, x.results, x.auto FROM (
		SELECT a.assessor, a.total, (SELECT count(*)::integer
			FROM jsonb_object_keys(a.scores)), a.scores, false, 1,
			s.log_index
		  FROM assessments a JOIN submissions s
		    ON s.id = a.submission_id
		 WHERE a.org = p_org AND a.model = p_model
		   AND a.index_id = p_index
		   AND (a.version IS NULL OR a.version = p_version)
		   AND s.log_index <= p_at
		   AND NOT EXISTS (SELECT 1 FROM withdrawals w
			JOIN submissions ws ON ws.id = w.submission_id
			WHERE w.target_id = s.id AND ws.log_index <= p_at)
		   AND (p_judge IS NULL OR a.assessor = p_judge)
		   AND p_judge IS DISTINCT FROM 'auto'
		UNION ALL
		SELECT 'auto', v.score_total, v.score_max,
			v.scores -> 'results', true, 2, 0
		  FROM versions v
		 WHERE v.org = p_org AND v.model = p_model
		   AND v.version = p_version AND p_index = 'modelfacts-v1'
		   AND (p_judge IS NULL OR p_judge = 'auto')
	) x (judge, score, max, results, auto, pref, li)
	ORDER BY x.pref, x.li DESC LIMIT 1
$$;

CREATE OR REPLACE FUNCTION mf_judgement_refresh(p_org text, p_model text,
	p_version integer, p_index text, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	st jsonb;
	v_met smallint[];
	v_not smallint[];
	v_na smallint[];
BEGIN
	-- an assessor whose every assessment here was withdrawn judges no
	-- more: its row closes (0009)
	UPDATE judgement_facts f SET to_at = p_at
	 WHERE f.org = p_org AND f.model = p_model AND f.version = p_version
	   AND f.index_id = p_index AND f.to_at IS NULL
	   AND f.judge NOT IN ('auto', '*')
	   AND NOT EXISTS (SELECT 1 FROM mf_judgement(p_org, p_model,
		p_version, p_index, f.judge, p_at));
	FOR r IN
		SELECT j.judge, jd.judge AS judged_by, jd.score, jd.max, jd.results,
			jd.auto
		  FROM (SELECT DISTINCT a.assessor AS judge
			  FROM assessments a JOIN submissions s
			    ON s.id = a.submission_id
			 WHERE a.org = p_org AND a.model = p_model
			   AND a.index_id = p_index
			   AND (a.version IS NULL OR a.version = p_version)
			   AND s.log_index <= p_at
			   AND NOT EXISTS (SELECT 1 FROM withdrawals w
				JOIN submissions ws ON ws.id = w.submission_id
				WHERE w.target_id = s.id
				  AND ws.log_index <= p_at)
			UNION ALL SELECT 'auto' WHERE p_index = 'modelfacts-v1'
			   AND p_version > 0
			UNION ALL SELECT '*') j,
		LATERAL mf_judgement(p_org, p_model, p_version, p_index,
			nullif(j.judge, '*'), p_at) jd
		 ORDER BY j.judge = '*' -- the default last: it copies one
	LOOP
		IF r.judge = '*' THEN
			-- the default shows one judge's judgement whole (as
			-- labels and coverage do), written just before
			SELECT f.met, f.not_met, f.not_applicable
			  INTO v_met, v_not, v_na FROM judgement_facts f
			 WHERE f.org = p_org AND f.model = p_model
			   AND f.version = p_version AND f.index_id = p_index
			   AND f.judge = r.judged_by AND f.to_at IS NULL;
		ELSE
			-- the automatic check's results, an assessor's grades
			IF r.auto THEN
				st := coalesce(r.results, '{}');
			ELSE
				SELECT coalesce(jsonb_object_agg(k, CASE v
					WHEN '1' THEN 'met' WHEN '0' THEN 'not_met'
					END), '{}')
				  INTO st FROM jsonb_each_text(r.results) e(k, v);
			END IF;
			PERFORM mf_indicator_codes(p_index,
				ARRAY(SELECT jsonb_object_keys(st)));
			SELECT coalesce(array_agg(c.code ORDER BY c.code)
					FILTER (WHERE e.v = 'met'), '{}'),
				coalesce(array_agg(c.code ORDER BY c.code)
					FILTER (WHERE e.v = 'not_met'), '{}'),
				coalesce(array_agg(c.code ORDER BY c.code)
					FILTER (WHERE e.v = 'not_applicable'), '{}')
			  INTO v_met, v_not, v_na
			  FROM jsonb_each_text(st) e(k, v)
			  JOIN indicator_codes c ON c.index_id = p_index
			   AND c.indicator = e.k;
		END IF;
		CONTINUE WHEN EXISTS (SELECT 1 FROM judgement_facts f
			WHERE f.org = p_org AND f.model = p_model
			  AND f.version = p_version AND f.index_id = p_index
			  AND f.judge = r.judge AND f.to_at IS NULL
			  AND f.judged_by = r.judged_by
			  AND f.score IS NOT DISTINCT FROM r.score
			  AND f.max IS NOT DISTINCT FROM r.max
			  AND f.met = v_met AND f.not_met = v_not
			  AND f.not_applicable = v_na);
		UPDATE judgement_facts f SET to_at = p_at
		 WHERE f.org = p_org AND f.model = p_model
		   AND f.version = p_version AND f.index_id = p_index
		   AND f.judge = r.judge AND f.to_at IS NULL;
		INSERT INTO judgement_facts (org, model, version, index_id,
			judge, judged_by, score, max, met, not_met, not_applicable,
			from_at)
		VALUES (p_org, p_model, p_version, p_index, r.judge, r.judged_by,
			r.score, r.max, v_met, v_not, v_na, p_at);
	END LOOP;
END;
$$;

-- A withdrawal sequenced at p_at. A withdrawn assessment stops judging:
-- the model's current version is judged again on its index without it
-- (its earlier rows keep their [from_at, to_at), so as_of before p_at
-- still shows it). Withdrawn disclosure versions are not yet taken out
-- of list_facts.
CREATE FUNCTION mf_list_facts_withdrawal(p_submission bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a record;
BEGIN
	SELECT x.org, x.model, x.index_id, x.version INTO a
	  FROM withdrawals w JOIN assessments x ON x.submission_id = w.target_id
	 WHERE w.submission_id = p_submission;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	PERFORM mf_judgement_refresh(a.org, a.model, f.version, a.index_id, p_at)
	   FROM list_facts f
	  WHERE f.org = a.org AND f.model = a.model AND f.to_at IS NULL
	    AND (a.version IS NULL OR f.version = a.version);
END;
$$;

CREATE OR REPLACE FUNCTION mf_facts_catch_up(p_upto bigint, p_max integer)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	s record;
	v_through bigint;
	n integer := 0;
BEGIN
	SELECT through INTO v_through FROM facts_progress;
	IF p_upto IS NOT NULL AND v_through >= p_upto THEN
		RETURN v_through;
	END IF;
	PERFORM pg_advisory_xact_lock(7316459102837461004); -- its own key
	SELECT through INTO v_through FROM facts_progress;
	FOR s IN SELECT x.id, x.kind, x.log_index FROM submissions x
		  WHERE x.log_index > v_through
		    AND (p_upto IS NULL OR x.log_index <= p_upto)
		  ORDER BY x.log_index LIMIT p_max
	LOOP
		EXIT WHEN s.log_index <> v_through + 1; -- in order, no gaps
		IF s.kind = 'disclosure' THEN
			PERFORM mf_list_facts_disclosure(s.id, s.log_index);
		ELSIF s.kind = 'assessment' THEN
			PERFORM mf_list_facts_assessment(s.id, s.log_index);
		ELSIF s.kind = 'withdrawal' THEN
			PERFORM mf_list_facts_withdrawal(s.id, s.log_index);
		END IF;
		v_through := s.log_index;
		n := n + 1;
		-- statistics renewed as a long catch-up grows the tables, or
		-- the plans made over empty tables scan them whole
		-- (bench/query's 55,000 entries: 2.4 ms an entry and growing
		-- without, 1.2 ms with)
		IF n % 5000 = 0 THEN
			ANALYZE list_facts;
			ANALYZE judgement_facts;
		END IF;
	END LOOP;
	UPDATE facts_progress SET through = v_through;
	RETURN v_through;
END;
$$;
