-- Trust over time, finished (issue 15). 0009 withdrew eval results and
-- assessments; here:
--   * a withdrawn disclosure version stops being the model's current one
--     from the withdrawal's log position on (the newest version that
--     still counts is, or none);
--   * a key revoked as compromised (`compromised_since` in the revoking
--     key event) discounts the documents signed by it alone and accepted
--     in [compromised_since, the revocation's acceptance), from the
--     revocation's log position on;
--   * the organisation re-signs such a document under an active key: the
--     same payload in a new envelope is a new submission of kind
--     'resigning' (a log entry and a commit of its own) pointing at the
--     original, and from its position on the original counts again.
-- Whether a document counts is temporal like every fact (0008):
-- mf_counts(id, p) asks it as of log position p (NULL: now).

ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check
	CHECK (kind IN ('disclosure', 'eval-result', 'assessment', 'key-event',
		'withdrawal', 'resigning'));

-- A re-signing repeats its original's payload (and so its seq): the
-- payload and (org, seq) stay unique among the other submissions only.
ALTER TABLE submissions DROP CONSTRAINT submissions_payload_sha256_key;
ALTER TABLE submissions DROP CONSTRAINT submissions_org_seq_key;
CREATE UNIQUE INDEX submissions_payload_once ON submissions (payload_sha256)
	WHERE kind <> 'resigning';
CREATE UNIQUE INDEX submissions_seq_once ON submissions (org, seq)
	WHERE kind <> 'resigning';
CREATE INDEX submissions_payload ON submissions (payload_sha256);

-- One row per re-signing: the submission that re-signs, the original.
CREATE TABLE resignings (
	submission_id bigint PRIMARY KEY REFERENCES submissions,
	original_id bigint NOT NULL REFERENCES submissions
);
CREATE INDEX resignings_original ON resignings (original_id);

-- From the revoking key event's payload: since when the key was in
-- someone else's hands (NULL: a plain revocation).
ALTER TABLE keys ADD COLUMN compromised_since timestamptz;
UPDATE keys k SET compromised_since =
	(s.payload::jsonb ->> 'compromised_since')::timestamptz
  FROM submissions s
 WHERE s.id = k.revoked_by AND s.payload::jsonb ? 'compromised_since';
CREATE INDEX keys_compromised ON keys (keyid)
	WHERE compromised_since IS NOT NULL;

-- The withdrawal of submission p_id sequenced by p_at (NULL: any
-- sequenced), as labels show it: {by, on, reason, log_index}; else NULL.
CREATE FUNCTION mf_withdrawn(p_id bigint, p_at bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('by', w.org, 'on', w.date::text,
		'reason', w.reason, 'log_index', ws.log_index)
	  FROM withdrawals w JOIN submissions ws ON ws.id = w.submission_id
	 WHERE w.target_id = p_id AND ws.log_index IS NOT NULL
	   AND (p_at IS NULL OR ws.log_index <= p_at)
$$;

-- Submission p_id is signed by one key alone, revoked as compromised by
-- a key event sequenced by p_at, and was accepted between
-- compromised_since and that revocation's acceptance, and no re-signing
-- of it is sequenced after the revocation and by p_at: the flag labels
-- show, {keyid, since, revoked_at, log_index}; else NULL.
CREATE FUNCTION mf_compromised(p_id bigint, p_at bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('keyid', k.keyid,
		'since', to_char(k.compromised_since AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'revoked_at', to_char(r.accepted_at AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'log_index', r.log_index)
	  FROM submissions s
	  JOIN keys k ON k.keyid = s.signer_keyids[1]
	  JOIN submissions r ON r.id = k.revoked_by
	 WHERE s.id = p_id AND cardinality(s.signer_keyids) = 1
	   AND s.kind IN ('disclosure', 'eval-result', 'assessment')
	   AND k.compromised_since IS NOT NULL
	   AND s.accepted_at >= k.compromised_since
	   AND s.accepted_at < r.accepted_at
	   AND r.log_index IS NOT NULL
	   AND (p_at IS NULL OR r.log_index <= p_at)
	   AND NOT EXISTS (SELECT 1 FROM resignings g
		JOIN submissions gs ON gs.id = g.submission_id
		WHERE g.original_id = s.id AND gs.log_index IS NOT NULL
		  AND gs.log_index > r.log_index
		  AND (p_at IS NULL OR gs.log_index <= p_at))
$$;

-- Whether submission p_id counts in scores, lists, coverage and
-- leaderboards as of p_at (NULL: now).
CREATE FUNCTION mf_counts(p_id bigint, p_at bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT mf_withdrawn(p_id, p_at) IS NULL
	   AND mf_compromised(p_id, p_at) IS NULL
$$;

-- Whether submission p_id may be re-signed now: flagged, and no
-- re-signing of it is waiting to be sequenced (which would unflag it).
CREATE FUNCTION mf_resignable(p_id bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT mf_compromised(p_id, NULL) IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM resignings g
		JOIN submissions gs ON gs.id = g.submission_id
		WHERE g.original_id = p_id AND gs.log_index IS NULL)
$$;

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
	IF p_kind = 'resigning' THEN
		-- the original, locked: racing re-signings serialise; its
		-- seq was accepted with it (0010)
		SELECT s.id INTO v_target FROM submissions s
		 WHERE s.id = (p_extra ->> 'resigns')::bigint
		   AND s.payload_sha256 = p_payload_sha256
		   AND s.org = p_org
		   AND s.kind IN ('disclosure', 'eval-result', 'assessment')
		   FOR UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown re-signed document'
				USING ERRCODE = 'MF005';
		END IF;
		IF NOT mf_resignable(v_target) THEN
			RAISE EXCEPTION 'not flagged' USING ERRCODE = 'MF008';
		END IF;
	ELSE
		UPDATE orgs SET last_seq = p_seq
		 WHERE org = p_org AND last_seq < p_seq;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'stale seq' USING ERRCODE = 'MF001';
		END IF;
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
	ELSIF p_kind = 'resigning' THEN
		INSERT INTO resignings (submission_id, original_id)
		VALUES (v_id, v_target);
		SELECT v.version INTO v_version FROM versions v
		 WHERE v.submission_id = v_target;
	ELSIF p_kind = 'key-event' THEN
		IF p_extra ? 'target_keyid' THEN
			UPDATE keys SET status = 'revoked', revoked_at = now(),
				revoked_by = v_id,
				compromised_since = (p_payload::jsonb
					->> 'compromised_since')::timestamptz
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

-- 0009's mf_judgement, with mf_counts for the withdrawal test: a
-- compromised assessment judges no more either, until re-signed.
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
		   AND mf_counts(s.id, p_at)
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

-- The model's current row as of p_at: its newest version that counts
-- then. A change of version is written as a disclosure would be
-- (mf_list_facts_disclosure); none left closes the model's rows (it has
-- no current disclosure), and a model that assessors graded is listed
-- as assessment-only again, as mf_list_facts_assessment would list it;
-- the same version is judged again, as the assessments that count may
-- have changed.
CREATE FUNCTION mf_list_facts_model(p_org text, p_model text, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_sub bigint;
	v_version integer;
	v_cur integer;
	v_index text;
	v_assessment bigint;
BEGIN
	SELECT v.submission_id, v.version INTO v_sub, v_version
	  FROM versions v JOIN submissions s ON s.id = v.submission_id
	 WHERE v.org = p_org AND v.model = p_model AND s.log_index <= p_at
	   AND mf_counts(s.id, p_at)
	 ORDER BY v.version DESC LIMIT 1;
	SELECT f.version INTO v_cur FROM list_facts f
	 WHERE f.org = p_org AND f.model = p_model AND f.to_at IS NULL;
	IF v_sub IS NULL THEN
		IF v_cur IS NOT NULL AND v_cur > 0 THEN
			UPDATE list_facts SET to_at = p_at
			 WHERE org = p_org AND model = p_model
			   AND to_at IS NULL;
			UPDATE judgement_facts SET to_at = p_at
			 WHERE org = p_org AND model = p_model
			   AND to_at IS NULL;
		END IF;
		IF v_cur = 0 THEN
			-- listed as assessment-only already: judged again,
			-- and no longer listed when no assessment counts
			FOR v_index IN
				SELECT DISTINCT a.index_id FROM assessments a
				 WHERE a.org = p_org AND a.model = p_model
				   AND a.version IS NULL
			LOOP
				PERFORM mf_judgement_refresh(p_org, p_model, 0,
					v_index, p_at);
			END LOOP;
			IF NOT EXISTS (SELECT 1 FROM assessments a
				JOIN submissions s ON s.id = a.submission_id
				WHERE a.org = p_org AND a.model = p_model
				  AND a.version IS NULL AND s.log_index <= p_at
				  AND mf_counts(s.id, p_at)) THEN
				UPDATE list_facts SET to_at = p_at
				 WHERE org = p_org AND model = p_model
				   AND to_at IS NULL;
				UPDATE judgement_facts SET to_at = p_at
				 WHERE org = p_org AND model = p_model
				   AND to_at IS NULL;
			END IF;
			RETURN;
		END IF;
		-- per index, its newest assessment about the model as a whole
		-- that counts: the first lists the model (version 0), each
		-- judges it
		FOR v_assessment IN
			SELECT DISTINCT ON (a.index_id) a.submission_id
			  FROM assessments a JOIN submissions s
			    ON s.id = a.submission_id
			 WHERE a.org = p_org AND a.model = p_model
			   AND a.version IS NULL AND s.log_index <= p_at
			   AND mf_counts(s.id, p_at)
			 ORDER BY a.index_id, s.log_index DESC
		LOOP
			PERFORM mf_list_facts_assessment(v_assessment, p_at);
		END LOOP;
		RETURN;
	END IF;
	IF v_cur IS DISTINCT FROM v_version THEN
		PERFORM mf_list_facts_disclosure(v_sub, p_at);
		RETURN;
	END IF;
	FOR v_index IN
		SELECT 'modelfacts-v1'
		UNION SELECT DISTINCT a.index_id FROM assessments a
		 WHERE a.org = p_org AND a.model = p_model
		   AND (a.version IS NULL OR a.version = v_version)
	LOOP
		PERFORM mf_judgement_refresh(p_org, p_model, v_version,
			v_index, p_at);
	END LOOP;
END;
$$;

-- 0009's, with the model worked out again as a whole
-- (mf_list_facts_model): a withdrawn disclosure version makes it fall
-- back, a withdrawn assessment stops judging, and an assessment-only
-- model with nothing left that counts leaves the lists.
CREATE OR REPLACE FUNCTION mf_list_facts_withdrawal(p_submission bigint,
	p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a record;
BEGIN
	SELECT x.subject_org AS org, x.subject_model AS model INTO a
	  FROM withdrawals w JOIN submissions x ON x.id = w.target_id
	 WHERE w.submission_id = p_submission
	   AND x.kind IN ('disclosure', 'assessment');
	IF FOUND THEN
		PERFORM mf_list_facts_model(a.org, a.model, p_at);
	END IF;
END;
$$;

-- A key event sequenced at p_at that revoked a key as compromised: every
-- model with a disclosure or assessment it discounts is worked out again.
CREATE FUNCTION mf_list_facts_key_event(p_submission bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m record;
BEGIN
	FOR m IN
		SELECT DISTINCT s.subject_org AS org, s.subject_model AS model
		  FROM keys k JOIN submissions r ON r.id = k.revoked_by
		  JOIN submissions s ON s.signer_keyids[1] = k.keyid
		 WHERE k.revoked_by = p_submission
		   AND k.compromised_since IS NOT NULL
		   AND s.kind IN ('disclosure', 'assessment')
		   AND cardinality(s.signer_keyids) = 1
		   AND s.accepted_at >= k.compromised_since
		   AND s.accepted_at < r.accepted_at
		 ORDER BY 1, 2
	LOOP
		PERFORM mf_list_facts_model(m.org, m.model, p_at);
	END LOOP;
END;
$$;

-- A re-signing sequenced at p_at: its original counts again.
CREATE FUNCTION mf_list_facts_resigning(p_submission bigint, p_at bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m record;
BEGIN
	SELECT s.subject_org AS org, s.subject_model AS model, s.kind INTO m
	  FROM resignings g JOIN submissions s ON s.id = g.original_id
	 WHERE g.submission_id = p_submission;
	IF FOUND AND m.kind IN ('disclosure', 'assessment') THEN
		PERFORM mf_list_facts_model(m.org, m.model, p_at);
	END IF;
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
		ELSIF s.kind = 'key-event' THEN
			PERFORM mf_list_facts_key_event(s.id, s.log_index);
		ELSIF s.kind = 'resigning' THEN
			PERFORM mf_list_facts_resigning(s.id, s.log_index);
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
