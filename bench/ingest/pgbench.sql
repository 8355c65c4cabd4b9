-- The registry's ingest transaction, as raw SQL for pgbench: the same
-- INSERTs and UPDATEs (seq bump, model row lock, the submission with its
-- ~16 KB envelope and json payload, the version, the model head), with
-- the same durability settings. Client c writes as organisation pg<c>.
BEGIN;
UPDATE orgs SET last_seq = last_seq + 1 WHERE org = 'pg' || :client_id RETURNING last_seq AS seq \gset
INSERT INTO models (org, model) VALUES ('pg' || :client_id, 'bench') ON CONFLICT (org, model) DO UPDATE SET updated_at = models.updated_at RETURNING head_version AS head \gset
INSERT INTO submissions (kind, org, keyid, seq, subject_org, subject_model, payload_type, payload_sha256, envelope_sha256, envelope, payload, issued_at, signer_keyids) SELECT 'disclosure', 'pg' || :client_id, keyid, :seq, 'pg' || :client_id, 'bench', 'application/vnd.modelfacts.disclosure.v1+json', sha256(convert_to(gen_random_uuid()::text, 'UTF8')), sha256(convert_to(gen_random_uuid()::text, 'UTF8')), envelope, payload, now(), ARRAY[keyid] FROM bench_doc RETURNING id AS sid \gset
INSERT INTO versions (org, model, version, submission_id, payload_sha256, supersedes, scores, score_total, score_max) SELECT 'pg' || :client_id, 'bench', :head + 1, s.id, s.payload_sha256, NULL, d.scores, 80, 98 FROM submissions s, bench_doc d WHERE s.id = :sid;
UPDATE models SET head_version = :head + 1, head_payload_sha256 = (SELECT payload_sha256 FROM submissions WHERE id = :sid), updated_at = now() WHERE org = 'pg' || :client_id AND model = 'bench';
COMMIT;
