-- Trust over time (issue 15). A withdrawal is a signed document by which
-- an organisation takes back one of its own disclosure versions, eval
-- results or assessments: the withdrawn document stays in the log and in
-- git, and the withdrawal is a log entry of its own. mf_accept() learns
-- the new kind; its refusals: MF005 no such document for this subject,
-- MF006 the signer's organisation did not sign it, MF007 withdrawn before.

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
		INSERT INTO assessments (submission_id, org, model, version,
			assessor, index_id, scores, total)
		VALUES (v_id, p_subject_org, p_subject_model, v_version, p_org,
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
