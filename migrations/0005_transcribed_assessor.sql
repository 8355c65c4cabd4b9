-- A transcribed assessment (DESIGN.md section 2) is signed by a curator
-- but is the grading of the assessor it names (p_extra 'assessor'), so the
-- judgement is attributed to that assessor, never to the curator. The
-- named organisation must be a registered assessor: MF004 otherwise.
-- mf_accept() is otherwise as in 0002.
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
BEGIN
	UPDATE orgs SET last_seq = p_seq
	 WHERE org = p_org AND last_seq < p_seq;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'stale seq' USING ERRCODE = 'MF001';
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
