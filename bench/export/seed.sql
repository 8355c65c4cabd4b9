-- Seeds :n models of the organisation 'bulk', one disclosure version each,
-- straight into the tables (no signatures: the rows an export reads, not
-- the path that writes them). Variables: n (rows), ids (a text[] literal of
-- the modelfacts-v1 indicator ids), payload (a disclosure's JSON text).
-- Log indices start at 10^9 so the sequencer and publisher, which a
-- bench server runs without (--no-publisher), never mistake them for
-- pending entries. Used by bench/export/run.sh and tests/integration/
-- test_export.py.
BEGIN;
INSERT INTO orgs (org, name, role) VALUES ('bulk', 'Bulk, "Seeded" & Co', 'developer')
	ON CONFLICT DO NOTHING;
INSERT INTO models (org, model, head_version)
	SELECT 'bulk', 'model-' || g, 1 FROM generate_series(1, :n) g;
WITH s AS (
	INSERT INTO submissions (kind, org, keyid, seq, subject_org, subject_model,
		payload_type, payload_sha256, envelope_sha256, envelope, payload,
		issued_at, signer_keyids, log_index)
	SELECT 'disclosure', 'bulk', repeat('0', 64), g, 'bulk', 'model-' || g,
		'application/vnd.modelfacts.disclosure.v1+json',
		sha256(('bulk/' || g)::bytea), sha256(('env/' || g)::bytea),
		convert_to(:'payload', 'UTF8'), :'payload',
		now() - (g || ' seconds')::interval, ARRAY[repeat('0', 64)],
		1000000000 + g
	FROM generate_series(1, :n) g
	RETURNING id, subject_model, seq)
INSERT INTO versions (org, model, version, submission_id, payload_sha256,
	model_version, release_date, scores, score_total, score_max)
SELECT 'bulk', s.subject_model, 1, s.id, sha256(('bulk/' || s.seq)::bytea),
	'2025-' || lpad((s.seq % 12 + 1)::text, 2, '0') || ', "snapshot", build ' || s.seq,
	date '2024-01-01' + (s.seq % 700)::int,
	r.scores, (r.scores->>'score')::int, 100
FROM s, LATERAL (
	SELECT jsonb_build_object('index', 'modelfacts-v1',
		'score', count(*) FILTER (WHERE res = 'met'), 'max', 100,
		'results', jsonb_object_agg(id, res)) AS scores
	FROM (SELECT id, CASE WHEN hashtext(id || s.seq) % 3 = 0 THEN 'not_met'
		WHEN hashtext(id || s.seq) % 7 = 0 THEN 'unassessed' ELSE 'met' END AS res
		FROM unnest(:'ids'::text[]) id) x) r;
COMMIT;
ANALYZE models; ANALYZE versions; ANALYZE submissions;
-- The cross-model facts the models list and its export read (migrations/
-- 0008) follow the log in order from position 0; these rows sit at 10^9 on
-- a bench server with no other entries, so with -v facts=1 (bench/export)
-- the facts skip to there and are brought up before anything is timed.
-- (tests/integration/test_export.py seeds without it: its registry has
-- real entries, and it exports only the matrix from these rows.)
\if :{?facts}
UPDATE facts_progress SET through = 1000000000 WHERE through < 1000000000;
SELECT mf_facts_catch_up(NULL, 2147483647);
ANALYZE list_facts; ANALYZE judgement_facts; ANALYZE list_search;
\endif
