/*
 * All SQL of the server in one table. Statements take parameters ($1...)
 * only: no SQL is ever built from strings.
 */
#include "db/sql.h"

/* An organisation's keys, with the log positions that added/revoked them. */
#define MF_SQL_KEYS_JSON                                                       \
	"coalesce((SELECT json_agg(json_build_object("                         \
	" 'keyid', k.keyid, 'alg', k.alg, 'status', k.status,"                 \
	" 'public_key', k.public_key, 'created_at', k.created_at,"             \
	" 'revoked_at', k.revoked_at, 'added_at_log_index', sa.log_index,"     \
	" 'revoked_at_log_index', sr.log_index) ORDER BY k.created_at)"        \
	" FROM keys k LEFT JOIN submissions sa ON sa.id = k.added_by"          \
	" LEFT JOIN submissions sr ON sr.id = k.revoked_by"                    \
	" WHERE k.org = o.org), '[]')"

/*
 * Organisation o existed at log index $1 (NULL: now): it was registered
 * by the time that entry was accepted (the last entry at or before $1;
 * none: no organisation), as the publisher reads operator keys.
 */
#define MF_SQL_ORGS_AT                                                         \
	"($1::bigint IS NULL OR o.created_at <= (SELECT s.accepted_at"         \
	" FROM submissions s WHERE s.log_index <= $1::bigint"                  \
	" ORDER BY s.log_index DESC LIMIT 1))"

/*
 * Not withdrawn by its signer as of log index `at` (NULL: now): a
 * condition on submissions s (migrations/0009). A withdrawn result stays
 * in the log but leaves leaderboards and counts from the withdrawal on.
 * Nor signed alone by a key revoked as compromised and not re-signed
 * since (migrations/0010's mf_compromised; asked only when some key was
 * ever reported compromised: the first test is evaluated once).
 */
#define MF_SQL_NOT_WITHDRAWN(at)                                               \
	" AND NOT EXISTS (SELECT 1 FROM withdrawals w"                         \
	"  JOIN submissions ws ON ws.id = w.submission_id"                     \
	"  WHERE w.target_id = s.id AND ws.log_index IS NOT NULL"              \
	"  AND (" at " IS NULL OR ws.log_index <= " at "))"                    \
	" AND (NOT EXISTS (SELECT 1 FROM keys kc"                              \
	"  WHERE kc.compromised_since IS NOT NULL)"                            \
	"  OR mf_compromised(s.id, " at ") IS NULL)"

/*
 * A leaderboard's rows: benchmark $1, metric $2 (NULL: the one with the
 * most results), as of log index $3, after the cursor ($4 sort key, $5
 * log index; NULL: from the top), $6 rows (NULL: all). The sort key is
 * the value, negated unless any result says lower is better, so best
 * comes first either way. Ends in CTE page (and met, r, lib).
 */
#define MF_SQL_LEADERBOARD_PAGE                                                \
	"WITH met AS (SELECT coalesce($2::text, (SELECT e.metric FROM evals e" \
	"  WHERE e.benchmark = $1 GROUP BY e.metric"                           \
	"  ORDER BY count(*) DESC, e.metric LIMIT 1)) AS metric),"             \
	" r AS (SELECT e.org, e.model, e.version, e.evaluator, e.assurance,"   \
	"  e.value, s.log_index, s.payload, s.payload_sha256, s.accepted_at"   \
	"  FROM evals e JOIN submissions s ON s.id = e.submission_id, met"     \
	"  WHERE e.benchmark = $1 AND e.metric = met.metric"                   \
	"  AND s.log_index IS NOT NULL AND s.log_index <= "                    \
	"$3::bigint" MF_SQL_NOT_WITHDRAWN(                                     \
	    "$3::bigint") "),"                                                 \
	                  " lib AS (SELECT "                                   \
	                  "coalesce(bool_or((payload::json->'metric'->>"       \
	                  "  'lower_is_better')::boolean), false) AS lower "   \
	                  "FROM r),"                                           \
	                  " k AS (SELECT r.*, CASE WHEN lib.lower THEN "       \
	                  "r.value"                                            \
	                  "  ELSE -r.value END AS key FROM r, lib),"           \
	                  " ranked AS (SELECT k.*, rank() OVER (ORDER BY "     \
	                  "key) AS rank FROM k),"                              \
	                  " page AS (SELECT * FROM ranked WHERE $4::float8 "   \
	                  "IS NULL"                                            \
	                  "  OR (key, log_index) > ($4::float8, $5::bigint)"   \
	                  "  ORDER BY key, log_index LIMIT $6::int)"

/* One disclosure version (tables m, v, s), optionally with its envelope. */
#define MF_SQL_VERSION_JSON(with_envelope)                                     \
	"json_build_object('org', v.org, 'model', v.model,"                    \
	" 'version', v.version, 'latest_version', m.head_version,"             \
	" 'payload_sha256', encode(v.payload_sha256, 'hex'),"                  \
	" 'supersedes', CASE WHEN v.supersedes IS NOT NULL"                    \
	"  THEN 'sha256:' || encode(v.supersedes, 'hex') END,"                 \
	" 'model_version', v.model_version, 'release_date', v.release_date,"   \
	" 'issued_at', s.issued_at, 'accepted_at', s.accepted_at,"             \
	" 'signed_by', s.signer_keyids, 'log_index', s.log_index,"             \
	" 'scores', v.scores, 'facts', s.payload::json,"                       \
	" 'assessment_only', false,"                                           \
	" 'envelope', CASE WHEN " with_envelope                                \
	"  THEN convert_from(s.envelope, 'UTF8')::json END)"

static const char *const sql_text[MF_SQL__MAX] = {
    [MF_SQL_PING] = "SELECT 1",
    [MF_SQL_MIGRATIONS_MAX] = "SELECT coalesce(max(version), 0), count(*) "
                              "FROM schema_migrations",
    /* migrations: a session-level advisory lock ($1 its key) serialises
     * concurrent starts across the per-migration transactions */
    [MF_SQL_MIGRATE_LOCK] = "SELECT pg_advisory_lock($1::bigint)",
    [MF_SQL_MIGRATE_UNLOCK] = "SELECT pg_advisory_unlock($1::bigint)",
    [MF_SQL_MIGRATIONS_TABLE] =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())",
    [MF_SQL_MIGRATIONS_APPLIED] =
        "SELECT version, name, checksum FROM schema_migrations "
        "ORDER BY version",
    /* $1 version, $2 file name, $3 SHA-256 of the file (hex) */
    [MF_SQL_MIGRATION_RECORD] =
        "INSERT INTO schema_migrations (version, name, checksum) "
        "VALUES ($1, $2, $3)",

    /* $1 org */
    [MF_SQL_ORG_GET] =
        "SELECT json_build_object("
        " 'org', o.org, 'name', o.name, 'role', o.role,"
        " 'created_at', o.created_at, 'last_seq', o.last_seq,"
        " 'keys', " MF_SQL_KEYS_JSON ","
        " 'models', coalesce((SELECT json_agg(m.model ORDER BY m.model)"
        "   FROM models m WHERE m.org = o.org), '[]'),"
        /* the organisation's 20 newest submissions (by its seq) */
        " 'recent', coalesce((SELECT json_agg(json_build_object("
        "   'log_index', r.log_index, 'kind', r.kind, 'seq', r.seq,"
        "   'subject_org', r.subject_org, 'subject_model', r.subject_model,"
        "   'accepted_at', r.accepted_at,"
        "   'payload_sha256', encode(r.payload_sha256, 'hex'))"
        "   ORDER BY r.seq DESC) FROM (SELECT * FROM submissions s"
        "   WHERE s.org = o.org ORDER BY s.seq DESC LIMIT 20) r), '[]'))"
        " FROM orgs o WHERE o.org = $1",
    [MF_SQL_ORG_KEYS] =
        "SELECT " MF_SQL_KEYS_JSON " FROM orgs o WHERE o.org = $1",
    /* $1 as_of: a log index or NULL for now (MF_SQL_ORGS_AT) */
    [MF_SQL_ORGS_LIST] = "SELECT json_build_object('as_of', $1::bigint,"
                         " 'orgs', coalesce(json_agg("
                         " json_build_object('org', o.org, 'name', o.name,"
                         " 'role', o.role, 'created_at', o.created_at)"
                         " ORDER BY o.org), '[]')) FROM orgs o"
                         " WHERE " MF_SQL_ORGS_AT,

    /* $1 org, $2 model, $3 as_of (a log index) or NULL */
    [MF_SQL_MODEL_GET] = "SELECT " MF_SQL_VERSION_JSON(
        "false") " FROM models m JOIN versions v ON v.org = m.org"
                 "  AND v.model = m.model"
                 " JOIN submissions s ON s.id = v.submission_id"
                 " WHERE m.org = $1 AND m.model = $2 AND CASE WHEN $3::bigint"
                 "  IS NULL THEN v.version <= m.head_version"
                 "  ELSE s.log_index <= $3::bigint END"
                 /* the newest that counts (migrations/0010) */
                 " AND mf_counts(s.id, $3::bigint)"
                 " ORDER BY v.version DESC LIMIT 1",
    /* $1 org, $2 model */
    [MF_SQL_VERSIONS_LIST] =
        "SELECT json_build_object('org', m.org, 'model', m.model,"
        " 'versions', coalesce((SELECT json_agg(json_build_object("
        "  'version', v.version, 'payload_sha256',"
        "  encode(v.payload_sha256, 'hex'), 'model_version',"
        "  v.model_version, 'accepted_at', s.accepted_at,"
        "  'log_index', s.log_index, 'signed_by', s.signer_keyids,"
        "  'score', json_build_object('total', v.score_total,"
        "   'max', v.score_max),"
        /* its trust flags now (migrations/0010), or null */
        "  'withdrawn', mf_withdrawn(s.id, NULL),"
        "  'compromised', mf_compromised(s.id, NULL)) ORDER BY v.version)"
        "  FROM versions v JOIN submissions s ON s.id = v.submission_id"
        "  WHERE v.org = m.org AND v.model = m.model), '[]'))"
        " FROM models m WHERE m.org = $1 AND m.model = $2",
    /* Atom feeds (api/feeds.c): the newest $3 sequenced versions, of
     * organisation $1 and model $2 (each NULL for any), newest first;
     * NULL when the organisation or model named does not exist.
     * `fallback` dates an empty feed (the org's or model's creation) */
    [MF_SQL_FEED_VERSIONS] =
        "SELECT CASE WHEN ($1::text IS NULL OR EXISTS (SELECT 1 FROM orgs"
        "  WHERE org = $1)) AND ($2::text IS NULL OR EXISTS (SELECT 1"
        "  FROM models WHERE org = $1 AND model = $2))"
        " THEN json_build_object('org_name', (SELECT name FROM orgs"
        "  WHERE org = $1), 'fallback', coalesce((SELECT created_at"
        "  FROM models WHERE org = $1 AND model = $2), (SELECT created_at"
        "  FROM orgs WHERE org = $1), (SELECT min(created_at) FROM orgs)),"
        " 'entries', coalesce((SELECT json_agg(json_build_object("
        "  'org', r.org, 'model', r.model, 'version', r.version,"
        "  'model_version', r.model_version, 'name', r.name,"
        "  'org_name', r.org_name, 'accepted_at', r.accepted_at,"
        "  'log_index', r.log_index, 'score_total', r.score_total,"
        "  'score_max', r.score_max) ORDER BY r.log_index DESC)"
        "  FROM (SELECT v.org, v.model, v.version, v.model_version,"
        "   mf_disclosed(s.payload::jsonb -> 'identity' -> 'name')"
        "    #>> '{}' AS name, o.name AS org_name, s.accepted_at,"
        "   s.log_index, v.score_total, v.score_max"
        "   FROM versions v JOIN submissions s ON s.id = v.submission_id"
        "   JOIN orgs o ON o.org = v.org WHERE s.log_index IS NOT NULL"
        "   AND ($1::text IS NULL OR v.org = $1)"
        "   AND ($2::text IS NULL OR v.model = $2)"
        "   ORDER BY s.log_index DESC LIMIT $3::int) r), '[]')) END",
    /* $1 org, $2 model, $3 version */
    [MF_SQL_VERSION_GET] = "SELECT " MF_SQL_VERSION_JSON(
        "true") " FROM models m JOIN versions v ON v.org = m.org"
                "  AND v.model = m.model"
                " JOIN submissions s ON s.id = v.submission_id"
                " WHERE m.org = $1 AND m.model = $2 AND v.version = $3::int",
    [MF_SQL_VERSION_ENVELOPE] =
        "SELECT s.envelope FROM versions v"
        " JOIN submissions s ON s.id = v.submission_id"
        " WHERE v.org = $1 AND v.model = $2 AND v.version = $3::int",
    /* $1 org, $2 model; filters, each NULL for any: $3 benchmark id,
     * $4 metric, $5 assurance, $6 evaluator; $7 a log index (as_of) or
     * NULL for now */
    [MF_SQL_EVALS_LIST] =
        "SELECT json_build_object('org', m.org, 'model', m.model,"
        " 'as_of', $7::bigint,"
        " 'evals', coalesce((SELECT json_agg(json_build_object("
        "  'assurance', e.assurance, 'evaluator', e.evaluator,"
        "  'benchmark', e.benchmark, 'metric', e.metric,"
        "  'value', e.value, 'version', e.version,"
        "  'payload_sha256', encode(s.payload_sha256, 'hex'),"
        "  'log_index', s.log_index, 'accepted_at', s.accepted_at,"
        "  'result', s.payload::json) ORDER BY e.assurance DESC,"
        "  e.benchmark, s.id)"
        "  FROM evals e JOIN submissions s ON s.id = e.submission_id"
        "  WHERE e.org = m.org AND e.model = m.model"
        "   AND ($3::text IS NULL OR e.benchmark = $3)"
        "   AND ($4::text IS NULL OR e.metric = $4)"
        "   AND ($5::text IS NULL OR e.assurance = $5)"
        "   AND ($6::text IS NULL OR e.evaluator = $6)"
        "   AND ($7::bigint IS NULL OR s.log_index <= $7::bigint)), '[]'))"
        " FROM models m WHERE m.org = $1 AND m.model = $2",

    /* ingest 1: the named keys, and an earlier acceptance of the payload
     * ($1 keyids, $2 payload digest, $3 envelope digest): the one with
     * this very envelope, else the original (not a re-signing), with
     * whether it may be re-signed now (migrations/0010: flagged as
     * signed by a compromised key, not re-signed since) */
    [MF_SQL_INGEST_KEYS] =
        "SELECT e.id, encode(e.envelope_sha256, 'hex'), k.keyid, k.org,"
        " k.alg, k.public_key, k.status, o.role, o.last_seq,"
        " e.org, e.payload_type, e.flagged"
        " FROM (SELECT 1) one"
        " LEFT JOIN LATERAL (SELECT x.id, x.envelope_sha256, x.org,"
        "  x.payload_type, x.kind <> 'resigning'"
        "  AND mf_resignable(x.id) AS flagged"
        "  FROM submissions x WHERE x.payload_sha256 = decode($2, 'hex')"
        "  ORDER BY x.envelope_sha256 = decode($3, 'hex') DESC,"
        "  x.kind = 'resigning', x.id LIMIT 1) e ON true"
        " LEFT JOIN (keys k JOIN orgs o ON o.org = k.org)"
        "  ON k.keyid = ANY($1::text[])",
    /* ingest 2: the subject ($1 org, $2 model, $3 disclosure digest) */
    [MF_SQL_INGEST_SUBJECT] =
        "SELECT (SELECT true FROM orgs WHERE org = $1),"
        " coalesce((SELECT encode(head_payload_sha256, 'hex')"
        "  FROM models WHERE org = $1 AND model = $2), ''),"
        " (SELECT v.version FROM submissions s"
        "  JOIN versions v ON v.submission_id = s.id"
        "  WHERE s.payload_sha256 = decode($3, 'hex')"
        "  AND v.org = $1 AND v.model = $2)",
    /* ingest 3: everything (migrations/0002_accept_function.sql) */
    [MF_SQL_ACCEPT] =
        "SELECT submission_id, version FROM mf_accept($1, $2, $3,"
        " $4::bigint, $5, $6, $7, decode($8, 'hex'), decode($9, 'hex'),"
        " $10::bytea, $11, $12::timestamptz, $13::text[],"
        " decode($14, 'hex'), $15::jsonb)",
    [MF_SQL_KEY_STATUS] = "SELECT status, org FROM keys WHERE keyid = $1",

    /* $6: the key event that added it, NULL for the operator */
    [MF_SQL_KEY_INSERT] =
        "INSERT INTO keys (keyid, org, alg, public_key, spki, added_by)"
        " VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6::bigint)",

    /* registry identity and administration */
    [MF_SQL_REGISTRY_GET] = "SELECT origin, encode(admin_token_sha256, 'hex')"
                            " FROM registry",
    [MF_SQL_REGISTRY_INIT] = "INSERT INTO registry (origin) VALUES ($1)"
                             " ON CONFLICT (id) DO NOTHING",
    [MF_SQL_REGISTRY_SET_ADMIN] =
        "UPDATE registry SET admin_token_sha256 = decode($1, 'hex')"
        " WHERE admin_token_sha256 IS NULL RETURNING 1",
    [MF_SQL_ORG_CREATE] =
        "INSERT INTO orgs (org, name, role) VALUES ($1, $2, $3)",
    /* $1 org: its row locked, and how many active keys it has */
    [MF_SQL_ORG_LOCK_KEYS] =
        "SELECT (SELECT count(*) FROM keys k WHERE k.org = o.org"
        " AND k.status = 'active') FROM orgs o WHERE o.org = $1"
        " FOR UPDATE OF o",

    /* $1 submission id */
    [MF_SQL_SUBMISSION_RECORD] =
        "SELECT json_build_object('kind', s.kind, 'org', s.subject_org,"
        " 'model', s.subject_model, 'signer', s.org, 'seq', s.seq,"
        " 'version', coalesce(v.version, e.version, a.version),"
        " 'payload_sha256', encode(s.payload_sha256, 'hex'),"
        " 'envelope_sha256', encode(s.envelope_sha256, 'hex'),"
        " 'issued_at', s.issued_at, 'accepted_at', s.accepted_at,"
        " 'signed_by', s.signer_keyids, 'log_index', s.log_index,"
        " 'score', CASE WHEN v.version IS NOT NULL THEN"
        "  json_build_object('index', 'modelfacts-v1',"
        "  'total', v.score_total, 'max', v.score_max) END,"
        /* a re-signing (migrations/0010): the original's log entry */
        " 'resigns', (SELECT json_build_object('log_index', o.log_index,"
        "  'envelope_sha256', encode(o.envelope_sha256, 'hex'))"
        "  FROM resignings g JOIN submissions o ON o.id = g.original_id"
        "  WHERE g.submission_id = s.id)),"
        " s.log_index, s.leaf, c.tree_size, c.note,"
        " encode(c.root_hash, 'hex')"
        " FROM submissions s"
        " LEFT JOIN LATERAL (SELECT * FROM checkpoints"
        "  ORDER BY tree_size DESC LIMIT 1) c ON s.log_index IS NOT NULL"
        " LEFT JOIN resignings rg ON rg.submission_id = s.id"
        " LEFT JOIN versions v ON v.submission_id ="
        "  coalesce(rg.original_id, s.id)"
        " LEFT JOIN evals e ON e.submission_id ="
        "  coalesce(rg.original_id, s.id)"
        " LEFT JOIN assessments a ON a.submission_id ="
        "  coalesce(rg.original_id, s.id)"
        " WHERE s.id = $1::bigint",

    /* the leader leases: $1 role, $2 holder or token, $3 milliseconds,
     * $4 whether the holder's previous run may be taken over at once */
    [MF_SQL_LEASE_ACQUIRE] =
        "SELECT mf_lease_acquire($1, $2, $3::int, $4::boolean)",
    [MF_SQL_LEASE_RENEW] = "SELECT mf_lease_renew($1, $2::bigint, $3::int)",
    [MF_SQL_LEASE_RELEASE] = "SELECT mf_lease_release($1, $2::bigint)",
    [MF_SQL_LEASE_FENCE] = "SELECT mf_lease_fence($1, $2::bigint)",
    /* a lease holder's session: a holder frozen inside a transaction
     * loses it (and its row locks) after $1 milliseconds */
    [MF_SQL_LEASE_SESSION] =
        "SELECT set_config("
        "'idle_in_transaction_session_timeout', $1, false)",
    [MF_SQL_LOG_SIZE] =
        "SELECT coalesce(max(log_index) + 1, 0) FROM submissions",
    /* $1 levels, $2 indices */
    [MF_SQL_LOG_NODES_GET] =
        "SELECT level, idx, encode(hash, 'hex') FROM log_nodes"
        " WHERE (level, idx) IN (SELECT * FROM"
        " unnest($1::smallint[], $2::bigint[]))",
    /* committed, not yet sequenced, in commit-id order */
    [MF_SQL_LOG_PENDING] =
        "SELECT id, kind, org, array_to_string(signer_keyids, ' '),"
        " seq, subject_org, coalesce(subject_model, ''), payload_type,"
        " encode(payload_sha256, 'hex'), encode(envelope_sha256, 'hex'),"
        " to_char(accepted_at AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        " FROM submissions WHERE log_index IS NULL"
        " ORDER BY id LIMIT $1::int FOR UPDATE",
    [MF_SQL_LOG_ASSIGN] =
        "SELECT mf_log_assign($1::bigint[], $2::bigint[], $3::text[])",
    [MF_SQL_LOG_NODES_INSERT] =
        "INSERT INTO log_nodes (level, idx, hash)"
        " SELECT l, i, decode(h, 'hex') FROM"
        " unnest($1::smallint[], $2::bigint[], $3::text[]) AS t(l, i, h)",
    /* stores the checkpoint and tells every server process */
    [MF_SQL_LOG_CHECKPOINT_INSERT] =
        "WITH c AS (INSERT INTO checkpoints (tree_size, root_hash, note)"
        " VALUES ($1::bigint, decode($2, 'hex'), $3) RETURNING tree_size)"
        " SELECT pg_notify('mf_log', tree_size::text) FROM c",
    [MF_SQL_LOG_CHECKPOINT_LATEST] =
        "SELECT tree_size, note, encode(root_hash, 'hex')"
        " FROM checkpoints ORDER BY tree_size DESC LIMIT 1",
    [MF_SQL_LOG_CHECKPOINT_AT] =
        "SELECT tree_size, note, encode(root_hash, 'hex')"
        " FROM checkpoints WHERE tree_size = $1::bigint",
    [MF_SQL_LOG_ENTRY] =
        "SELECT s.log_index, s.leaf, encode(n.hash, 'hex'),"
        " convert_from(s.envelope, 'UTF8'), s.kind, s.subject_org,"
        " s.subject_model, to_char(s.accepted_at AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        " FROM submissions s JOIN log_nodes n ON n.level = 0"
        "  AND n.idx = s.log_index WHERE s.log_index = $1::bigint",
    /* which of these submissions have a log index by now */
    [MF_SQL_LOG_SEQUENCED] =
        "SELECT id, log_index FROM submissions"
        " WHERE id = ANY($1::bigint[]) AND log_index IS NOT NULL",
    [MF_SQL_REGISTRY_SET_KEYS] =
        "UPDATE registry SET"
        " log_verifier_key = coalesce(log_verifier_key, $1),"
        " commit_public_key = coalesce(commit_public_key, $2)"
        " RETURNING log_verifier_key, commit_public_key",
    [MF_SQL_REGISTRY_INFO] =
        "SELECT origin, log_verifier_key, commit_public_key,"
        " (SELECT count(*) FROM orgs), (SELECT count(*) FROM models),"
        " (SELECT coalesce(max(tree_size), 0) FROM checkpoints)"
        " FROM registry",
    [MF_SQL_LOG_ID_BY_INDEX] =
        "SELECT id FROM submissions WHERE log_index = $1::bigint",

    /* A version of a model as of a log index ($1 org, $2 model,
     * $3 version or NULL for the latest, $4 log index or NULL for now) */
    /* (the newest: of those that count then, migrations/0010, unless
     * $5), with its withdrawal and compromised-key flags as of $4, or
     * NULLs */
    /* (the newest found by mf_newest_version, migrations/0013: one
     * statement with mf_counts in WHERE ran it on every version) */
    [MF_SQL_LABEL_VERSION] =
        "SELECT v.version, mf_newest_version($1, $2, $4::bigint, false),"
        " encode(v.payload_sha256, 'hex'),"
        " to_char(s.accepted_at AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " coalesce(s.log_index, -1), array_to_json(s.signer_keyids),"
        " s.payload, mf_withdrawn(s.id, $4::bigint),"
        " mf_compromised(s.id, $4::bigint)"
        " FROM versions v JOIN submissions s ON s.id = v.submission_id"
        " WHERE v.org = $1 AND v.model = $2"
        "  AND v.version = coalesce($3::int,"
        "   mf_newest_version($1, $2, $4::bigint, $5::boolean))"
        "  AND ($4::bigint IS NULL OR s.log_index <= $4::bigint)",
    /* sequenced evals of a model up to a log index ($3 NULL: all) */
    [MF_SQL_LABEL_EVALS] =
        /* Repeated runs of one measurement fold here already (labels/facts.c
         * fold_runs says what a measurement is and folds again): of the
         * runs that count (neither withdrawn nor compromised) only the
         * newest comes back, with 'runs' saying how many it stands for, so
         * a model re-evaluated thousands of times costs a label one row
         * (issue 15, finding 3). The window reads only evals' stored
         * measurement (migrations/0015); payloads are read for the rows
         * that come back. */
    "WITH k AS (SELECT e.submission_id, e.measurement, s.log_index,"
    /* its withdrawal (migrations/0009) sequenced by then, or null */
    " (SELECT json_build_object('by', w.org,"
    "   'on', w.date::text, 'reason', w.reason,"
    "   'log_index', ws.log_index)"
    "  FROM withdrawals w JOIN submissions ws ON"
    "   ws.id = w.submission_id"
    "  WHERE w.target_id = s.id AND ws.log_index IS NOT NULL"
    "   AND ($3::bigint IS NULL OR ws.log_index <= $3::bigint)"
    " ) AS withdrawn,"
    /* signed by a key reported compromised (migrations/0010); asked
     * only when some key is (once per row it was a third of the
     * query for a model with thousands of evals: issue 15) */
    " CASE WHEN EXISTS (SELECT 1 FROM keys kc"
    "  WHERE kc.compromised_since IS NOT NULL)"
    "  THEN mf_compromised(s.id, $3::bigint) END AS compromised"
    " FROM evals e JOIN submissions s ON s.id = e.submission_id"
    " WHERE e.org = $1 AND e.model = $2 AND s.log_index IS NOT NULL"
    "  AND ($3::bigint IS NULL OR s.log_index <= $3::bigint)),"
    " c AS (SELECT *, withdrawn IS NULL AND compromised IS NULL"
    "  AS counts FROM k),"
    " n AS (SELECT *, row_number() OVER (PARTITION BY measurement, counts"
    "  ORDER BY log_index DESC) AS nth, count(*) OVER (PARTITION BY"
    "  measurement, counts) AS runs FROM c)"
    " SELECT coalesce(json_agg(json_build_object("
    " 'assurance', e.assurance, 'evaluator', e.evaluator,"
    " 'result', s.payload::json, 'log_index', n.log_index,"
    " 'payload_sha256', encode(s.payload_sha256, 'hex'),"
    " 'accepted_at', to_char(s.accepted_at AT TIME ZONE 'UTC',"
    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " 'withdrawn', n.withdrawn, 'compromised', n.compromised,"
    " 'runs', CASE WHEN n.counts THEN n.runs END)"
    " ORDER BY n.log_index), '[]')"
    " FROM n JOIN evals e ON e.submission_id = n.submission_id"
    " JOIN submissions s ON s.id = n.submission_id"
    " WHERE NOT n.counts OR n.nth = 1",
    /* the sequenced assessments about version $3 (or the model as a
     * whole) flagged as signed by a compromised key as of $4
     * (migrations/0010), which judge no more: a JSON array */
    [MF_SQL_LABEL_COMPROMISED] =
        "SELECT coalesce(json_agg(json_build_object("
        " 'assessor', a.assessor, 'index', a.index_id,"
        " 'payload_sha256', encode(s.payload_sha256, 'hex'),"
        " 'log_index', s.log_index, 'compromised', c.flag)"
        " ORDER BY s.log_index), '[]')"
        " FROM assessments a JOIN submissions s ON s.id = a.submission_id,"
        " LATERAL (SELECT mf_compromised(s.id, $4::bigint) AS flag) c"
        " WHERE a.org = $1 AND a.model = $2 AND s.log_index IS NOT NULL"
        "  AND ($4::bigint IS NULL OR s.log_index <= $4::bigint)"
        "  AND (a.version IS NULL OR a.version = $3::int)"
        "  AND c.flag IS NOT NULL AND EXISTS (SELECT 1 FROM keys kc"
        "  WHERE kc.compromised_since IS NOT NULL)",
    /* each assessor's latest sequenced assessment per index about
     * version $3 (pinned to it, or to no version: about the model) as of
     * $4 (NULL: now), newest first; $3 = 0 takes the unpinned ones only */
    [MF_SQL_LABEL_JUDGEMENTS] =
        "SELECT j.assessor, j.name, j.index_id, j.payload, i.document,"
        " j.log_index, j.sha, j.at, j.version"
        " FROM (SELECT DISTINCT ON (a.index_id, a.assessor) a.assessor,"
        "  o.name, a.index_id, s.payload, s.log_index,"
        "  encode(s.payload_sha256, 'hex') AS sha,"
        "  to_char(s.accepted_at AT TIME ZONE 'UTC',"
        "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at, a.version"
        "  FROM assessments a JOIN submissions s ON s.id = a.submission_id"
        "  JOIN orgs o ON o.org = a.assessor"
        "  WHERE a.org = $1 AND a.model = $2 AND s.log_index IS NOT NULL"
        "   AND ($4::bigint IS NULL OR s.log_index <= $4::bigint)"
        "   AND (a.version IS NULL OR a.version = "
        "$3::int)" MF_SQL_NOT_WITHDRAWN(
            "$4::bigint") "  ORDER BY a.index_id, a.assessor, s.log_index "
                          "DESC) j"
                          " LEFT JOIN indices i ON i.index_id = j.index_id"
                          " ORDER BY j.log_index DESC",
    /* the last log entry accepted at or before the instant $1 (-1: none) */
    [MF_SQL_LOG_INDEX_AT] =
        "SELECT coalesce(max(log_index), -1) FROM submissions"
        " WHERE log_index IS NOT NULL AND accepted_at <= $1::timestamptz",

    /* $1 a log position or NULL (the newest), $2 at most this many */
    [MF_SQL_FACTS_CATCH_UP] = "SELECT mf_facts_catch_up($1::bigint, $2::int)",
    [MF_SQL_PUB_LAST] = "SELECT coalesce(max(log_index), -1) FROM publications",
    /* sequenced entries from $1 on, in log order, with the checkpoint
     * that first covered each ($2 limit) */
    [MF_SQL_PUB_PENDING] =
        "SELECT s.log_index, s.kind, s.org, s.subject_org,"
        " coalesce(s.subject_model, ''), encode(s.payload_sha256, 'hex'),"
        " extract(epoch FROM s.accepted_at)::bigint,"
        " array_to_string(s.signer_keyids, ' '),"
        " convert_from(s.envelope, 'UTF8'),"
        " coalesce(v.version, e.version, a.version, 0),"
        " to_char(s.accepted_at AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " (SELECT c.note FROM checkpoints c WHERE c.tree_size > s.log_index"
        "  ORDER BY c.tree_size LIMIT 1)"
        " FROM submissions s"
        " LEFT JOIN versions v ON v.submission_id = s.id"
        " LEFT JOIN evals e ON e.submission_id = s.id"
        " LEFT JOIN assessments a ON a.submission_id = s.id"
        " WHERE s.log_index >= $1::bigint"
        " ORDER BY s.log_index LIMIT $2::int",
    /* an organisation's keys as the log knew them at entry $2: added by
     * then (or registered by the operator before it), revoked by then */
    [MF_SQL_PUB_KEYS] =
        "SELECT json_agg(json_build_object('keyid', k.keyid,"
        " 'alg', k.alg, 'public_key', k.public_key,"
        " 'status', CASE WHEN r.log_index <= $2::bigint THEN 'revoked'"
        "  ELSE 'active' END,"
        " 'added_at_log_index', a.log_index,"
        " 'revoked_at_log_index', CASE WHEN r.log_index <= $2::bigint"
        "  THEN r.log_index END) ORDER BY k.keyid)"
        " FROM keys k LEFT JOIN submissions a ON a.id = k.added_by"
        " LEFT JOIN submissions r ON r.id = k.revoked_by"
        " WHERE k.org = $1 AND (a.log_index <= $2::bigint OR"
        "  (k.added_by IS NULL AND k.created_at <= (SELECT accepted_at"
        "   FROM submissions WHERE log_index = $2::bigint)))",
    /* $1 log indices, $2 commit ids */
    [MF_SQL_PUB_RECORD] =
        "INSERT INTO publications (log_index, commit_id)"
        " SELECT * FROM unnest($1::bigint[], $2::text[])"
        " ON CONFLICT (log_index) DO UPDATE"
        " SET commit_id = excluded.commit_id, published_at = now()",

    /* every log entry about a model, with its git commit ($1, $2) */
    [MF_SQL_MODEL_HISTORY] =
        "SELECT json_build_object('org', m.org, 'model', m.model,"
        " 'versions', m.head_version,"
        " 'history', coalesce((SELECT json_agg(json_build_object("
        "  'log_index', s.log_index, 'kind', s.kind,"
        "  'version', coalesce(v.version, e.version, a.version),"
        "  'signer', s.org, 'signed_by', s.signer_keyids,"
        "  'accepted_at', s.accepted_at,"
        "  'payload_sha256', encode(s.payload_sha256, 'hex'),"
        "  'commit', p.commit_id,"
        "  'tag', CASE WHEN v.version IS NOT NULL THEN"
        "   m.org || '/' || m.model || '/v' || v.version END)"
        "  ORDER BY s.log_index NULLS LAST, s.id)"
        "  FROM submissions s"
        "  LEFT JOIN versions v ON v.submission_id = s.id"
        "  LEFT JOIN evals e ON e.submission_id = s.id"
        "  LEFT JOIN assessments a ON a.submission_id = s.id"
        "  LEFT JOIN publications p ON p.log_index = s.log_index"
        "  WHERE s.subject_org = m.org AND s.subject_model = m.model),"
        "  '[]'))"
        " FROM models m WHERE m.org = $1 AND m.model = $2",
    /* $1 org, $2 model, $3 version */
    [MF_SQL_VERSION_FOR_DIFF] =
        "SELECT s.payload, v.scores, v.score_total, v.score_max"
        " FROM versions v JOIN submissions s ON s.id = v.submission_id"
        " WHERE v.org = $1 AND v.model = $2 AND v.version = $3::int",

    /* indices: created once, never changed (scores depend on them);
     * returns whether a row was inserted and the stored document */
    [MF_SQL_INDEX_PUT] =
        "WITH ins AS (INSERT INTO indices (index_id, name, document)"
        " VALUES ($1, $2, $3::jsonb) ON CONFLICT (index_id) DO NOTHING"
        " RETURNING document)"
        " SELECT true, document::text FROM ins UNION ALL"
        " SELECT false, document::text FROM indices WHERE index_id = $1"
        " AND NOT EXISTS (SELECT 1 FROM ins)",
    [MF_SQL_INDEX_GET] =
        "SELECT document::text FROM indices WHERE index_id = $1",
    [MF_SQL_INDICES_LIST] =
        "SELECT coalesce(json_agg(json_build_object('id', index_id,"
        " 'name', name, 'edition', document->>'edition',"
        " 'indicators', jsonb_array_length(document->'indicators'),"
        " 'created_at', created_at) ORDER BY index_id), '[]')"
        " FROM indices",

    /* leaderboards: every benchmark+metric with its counts, as of log
     * index $1 (NULL: now); sequenced results only */
    [MF_SQL_BENCHMARKS_LIST] =
        "SELECT json_build_object('as_of', $1::bigint,"
        " 'benchmarks', coalesce(json_agg(json_build_object("
        "  'id', b.benchmark, 'name', b.name, 'metric', b.metric,"
        "  'scale', b.scale, 'lower_is_better', b.lower,"
        "  'results', b.results, 'models', b.models,"
        "  'self_reported', b.self_reported, 'third_party', b.third_party,"
        "  'leaderboard', '/v1/benchmarks/' || b.benchmark || '?metric='"
        "   || b.metric) ORDER BY b.benchmark, b.metric), '[]'))"
        " FROM (SELECT e.benchmark, e.metric,"
        "  max(s.payload::json->'benchmark'->>'name') AS name,"
        "  max(s.payload::json->'metric'->>'scale') AS scale,"
        "  coalesce(bool_or((s.payload::json->'metric'->>"
        "   'lower_is_better')::boolean), false) AS lower,"
        "  count(*) AS results,"
        "  count(DISTINCT e.org || '/' || e.model) AS models,"
        "  count(*) FILTER (WHERE e.assurance = 'self_reported')"
        "   AS self_reported,"
        "  count(*) FILTER (WHERE e.assurance = 'third_party')"
        "   AS third_party"
        "  FROM evals e JOIN submissions s ON s.id = e.submission_id"
        "  WHERE s.log_index IS NOT NULL"
        "  AND ($1::bigint IS NULL OR s.log_index <= "
        "$1::bigint)" MF_SQL_NOT_WITHDRAWN(
            "$1::bigint") "  GROUP BY e.benchmark, e.metric) b",
    /* one leaderboard page (MF_SQL_LEADERBOARD_PAGE; $3 pinned by the
     * first page) */
    [MF_SQL_BENCHMARK_ROWS] = MF_SQL_LEADERBOARD_PAGE
    "SELECT json_build_object('benchmark', $1::text,"
    " 'metric', (SELECT metric FROM met),"
    " 'lower_is_better', (SELECT lower FROM lib),"
    " 'as_of', $3::bigint, 'total', (SELECT count(*) FROM r),"
    " 'rows', coalesce((SELECT json_agg(json_build_object("
    "  'rank', p.rank, 'org', p.org, 'model', p.model,"
    "  'version', p.version, 'value', p.value,"
    "  'scale', p.payload::json->'metric'->>'scale',"
    "  'assurance', p.assurance, 'evaluator', p.evaluator,"
    "  'log_index', p.log_index, 'accepted_at', p.accepted_at,"
    "  'payload_sha256', encode(p.payload_sha256, 'hex'),"
    "  'links', json_build_object("
    "   'envelope', '/v1/envelopes/' || encode(p.payload_sha256, 'hex'),"
    "   'log_entry', '/v1/log/entries/' || p.log_index,"
    "   'model', '/v1/models/' || p.org || '/' || p.model))"
    "  ORDER BY p.key, p.log_index) FROM page p), '[]'),"
    " 'next', CASE WHEN (SELECT count(*) FROM page) = $6::int THEN"
    "  (SELECT $3::bigint::text || ':' || key::text || ':'"
    "   || log_index::text FROM page"
    "   ORDER BY key DESC, log_index DESC LIMIT 1) END)",
    /* a sequenced submission's envelope as submitted ($1 payload digest,
     * hex) */
    [MF_SQL_ENVELOPE_BY_DIGEST] =
        "SELECT convert_from(envelope, 'UTF8') FROM submissions"
        " WHERE payload_sha256 = decode($1, 'hex')"
        " AND log_index IS NOT NULL AND kind <> 'resigning'",
    /* Exports: each column is an export column, named by its alias and
     * typed by its SQL type (api/export.h); timestamps go through
     * to_json so they read as in the JSON responses. */
    /* a stream's connection: JIT compiling an export's plan cost more
     * (1.7 s of 3.4 s for 20,000 matrix rows) than it ever saved */
    [MF_SQL_STREAM_SESSION] = "SET jit = off",
    [MF_SQL_MODEL_EXISTS] =
        "SELECT 'true'::json FROM models WHERE org = $1 AND model = $2",
    /* $1 as_of (MF_SQL_ORGS_AT) */
    [MF_SQL_ORGS_EXPORT] =
        "SELECT o.org, o.name, o.role,"
        " to_json(o.created_at) #>> '{}' AS created_at"
        " FROM orgs o WHERE " MF_SQL_ORGS_AT " ORDER BY o.org",
    /* as MF_SQL_EVALS_LIST (the same parameters and filters) without
     * the payloads */
    [MF_SQL_EVALS_EXPORT] =
        "SELECT e.org, e.model, e.assurance, e.evaluator, e.benchmark,"
        " e.metric, e.value, e.version,"
        " encode(s.payload_sha256, 'hex') AS payload_sha256, s.log_index,"
        " to_json(s.accepted_at) #>> '{}' AS accepted_at"
        " FROM evals e JOIN submissions s ON s.id = e.submission_id"
        " WHERE e.org = $1 AND e.model = $2"
        "  AND ($3::text IS NULL OR e.benchmark = $3)"
        "  AND ($4::text IS NULL OR e.metric = $4)"
        "  AND ($5::text IS NULL OR e.assurance = $5)"
        "  AND ($6::text IS NULL OR e.evaluator = $6)"
        "  AND ($7::bigint IS NULL OR s.log_index <= $7::bigint)"
        " ORDER BY e.assurance DESC, e.benchmark, s.id",
    /* $1 as_of or NULL: MF_SQL_BENCHMARKS_LIST's rows */
    [MF_SQL_BENCHMARKS_EXPORT] =
        "SELECT e.benchmark AS id,"
        " max(s.payload::json->'benchmark'->>'name') AS name,"
        " e.metric, max(s.payload::json->'metric'->>'scale') AS scale,"
        " coalesce(bool_or((s.payload::json->'metric'->>"
        "  'lower_is_better')::boolean), false) AS lower_is_better,"
        " count(*) AS results,"
        " count(DISTINCT e.org || '/' || e.model) AS models,"
        " count(*) FILTER (WHERE e.assurance = 'self_reported')"
        "  AS self_reported,"
        " count(*) FILTER (WHERE e.assurance = 'third_party')"
        "  AS third_party,"
        " '/v1/benchmarks/' || e.benchmark || '?metric=' || e.metric"
        "  AS leaderboard, $1::bigint AS as_of"
        " FROM evals e JOIN submissions s ON s.id = e.submission_id"
        " WHERE s.log_index IS NOT NULL"
        " AND ($1::bigint IS NULL OR s.log_index <= "
        "$1::bigint)" MF_SQL_NOT_WITHDRAWN(
            "$1::bigint") " GROUP BY e.benchmark, e.metric ORDER BY "
                          "e.benchmark, e.metric",
    /* MF_SQL_BENCHMARK_ROWS's rows, flat (links.envelope as
     * links_envelope), with the leaderboard's benchmark, metric,
     * direction and position; $6 NULL: every row */
    [MF_SQL_BENCHMARK_EXPORT] = MF_SQL_LEADERBOARD_PAGE
    "SELECT p.rank, p.org, p.model, p.version, p.value,"
    " p.payload::json->'metric'->>'scale' AS scale,"
    " p.assurance, p.evaluator, p.log_index,"
    " to_json(p.accepted_at) #>> '{}' AS accepted_at,"
    " encode(p.payload_sha256, 'hex') AS payload_sha256,"
    " '/v1/envelopes/' || encode(p.payload_sha256, 'hex')"
    "  AS links_envelope,"
    " '/v1/log/entries/' || p.log_index AS links_log_entry,"
    " '/v1/models/' || p.org || '/' || p.model AS links_model,"
    " $1::text AS benchmark, met.metric,"
    " lib.lower AS lower_is_better, $3::bigint AS as_of"
    " FROM page p, met, lib ORDER BY p.key, p.log_index",
    /* whether benchmark $1 (metric $2, NULL: any) has a result as of
     * log index $3 */
    [MF_SQL_BENCHMARK_EXISTS] =
        "SELECT 'true'::json WHERE EXISTS (SELECT 1 FROM evals e"
        " JOIN submissions s ON s.id = e.submission_id"
        " WHERE e.benchmark = $1 AND ($2::text IS NULL OR e.metric = $2)"
        " AND s.log_index IS NOT NULL AND s.log_index <= "
        "$3::bigint" MF_SQL_NOT_WITHDRAWN("$3::bigint") ")",
    /*
     * The model x indicator matrix of index $1: one row per disclosure
     * version (and one per assessment-only model, version NULL) with the
     * automatic check's results (stored with the version, for the index
     * it scored) and the latest sequenced assessment of the index about
     * that version (or about no version in particular), its grades as
     * met/not_met; as of log index $2 (NULL: now, unsequenced versions
     * included). Both are flat objects by indicator id that
     * api/export.c spreads into columns: building 200 cells per row here
     * costs PostgreSQL ten times what the spreading costs in C.
     */
    [MF_SQL_INDEX_EXPORT] =
        "WITH r AS ("
        " SELECT v.org, v.model, v.version, v.model_version,"
        "  s.log_index, s.accepted_at,"
        "  CASE WHEN v.scores->>'index' = $1 THEN v.scores END AS auto"
        " FROM versions v JOIN submissions s ON s.id = v.submission_id"
        " WHERE ($2::bigint IS NULL OR s.log_index <= $2::bigint)"
        /* neither withdrawn nor flagged then (migrations/0010) */
        " AND mf_counts(s.id, $2::bigint)"
        " UNION ALL"
        " SELECT m.org, m.model, NULL, NULL, NULL, NULL, NULL"
        " FROM models m WHERE CASE WHEN $2::bigint IS NULL"
        "  THEN m.head_version = 0 AND EXISTS (SELECT 1"
        "   FROM assessments a WHERE a.org = m.org AND a.model = m.model"
        "   AND a.index_id = $1)"
        "  ELSE NOT EXISTS (SELECT 1 FROM versions v"
        "   JOIN submissions s ON s.id = v.submission_id"
        "   WHERE v.org = m.org AND v.model = m.model"
        "   AND s.log_index <= $2::bigint) AND EXISTS (SELECT 1"
        "   FROM assessments a JOIN submissions s"
        "   ON s.id = a.submission_id WHERE a.org = m.org"
        "   AND a.model = m.model AND a.index_id = $1"
        "   AND s.log_index <= $2::bigint) END)"
        "SELECT r.org, r.model, r.version, r.model_version,"
        " r.log_index, to_json(r.accepted_at) #>> '{}' AS accepted_at,"
        " (r.auto->>'score')::int AS auto_score,"
        " j.assessor, j.log_index AS assessor_log_index,"
        " j.total AS assessor_score,"
        " r.auto->'results' AS auto_results, j.grades AS assessor_grades"
        " FROM r LEFT JOIN LATERAL (SELECT a.assessor, s.log_index,"
        "  a.total, (SELECT jsonb_object_agg(g.key, CASE g.value"
        "   WHEN '1' THEN 'met' ELSE 'not_met' END)"
        "   FROM jsonb_each_text(a.scores) g) AS grades"
        "  FROM assessments a"
        "  JOIN submissions s ON s.id = a.submission_id"
        "  WHERE a.org = r.org AND a.model = r.model AND a.index_id = $1"
        "  AND s.log_index IS NOT NULL AND (a.version IS NULL"
        "   OR a.version = r.version)"
        "  AND ($2::bigint IS NULL OR s.log_index <= "
        "$2::bigint)" MF_SQL_NOT_WITHDRAWN(
            "$2::bigint") "  ORDER BY s.log_index DESC LIMIT 1) j ON true"
                          " ORDER BY r.org, r.model, r.version",
    /* one hash tile: the nodes [$2, $3) of level $1, concatenated */
    [MF_SQL_TLOG_TILE] =
        "SELECT count(*), encode(coalesce(string_agg(hash, ''::bytea"
        " ORDER BY idx), ''::bytea), 'hex') FROM log_nodes"
        " WHERE level = $1::smallint AND idx >= $2::bigint"
        " AND idx < $3::bigint",
    /* one entry bundle: the leaves [$1, $2) as hashed */
    [MF_SQL_TLOG_ENTRIES] =
        "SELECT log_index, leaf FROM submissions"
        " WHERE log_index >= $1::bigint AND log_index < $2::bigint"
        " ORDER BY log_index",
    /* where the primary's WAL is flushed to (what it streams) */
    [MF_SQL_PRIMARY_WAL_LSN] = "SELECT pg_current_wal_flush_lsn()::text",
    /* a standby?, what it replayed, the age of its last replayed commit
     * (NULL: none since it started), replay paused? */
    [MF_SQL_REPLICA_REPLAY] =
        "SELECT pg_is_in_recovery(),"
        " COALESCE(pg_last_wal_replay_lsn()::text, ''),"
        " extract(epoch FROM now() - pg_last_xact_replay_timestamp()),"
        " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused()"
        " ELSE false END",
    /* GET /metrics: entries committed and not yet in the log, or in
     * the log and not yet in git, and how long the oldest has waited
     * (since it was accepted); each subquery rides an index */
    [MF_SQL_METRICS_LAG] =
        "WITH l AS (SELECT coalesce(max(log_index) + 1, 0) AS size"
        "  FROM submissions),"
        " p AS (SELECT coalesce(max(log_index) + 1, 0) AS upto"
        "  FROM publications),"
        " u AS (SELECT count(*) AS n, min(accepted_at) AS oldest"
        "  FROM submissions WHERE log_index IS NULL)"
        "SELECT json_build_object('log_size', l.size,"
        " 'unsequenced', u.n,"
        " 'unsequenced_seconds', coalesce(extract(epoch FROM"
        "  clock_timestamp() - u.oldest), 0),"
        " 'published', p.upto,"
        " 'unpublished_seconds', coalesce((SELECT extract(epoch FROM"
        "  clock_timestamp() - s.accepted_at) FROM submissions s"
        "  WHERE s.log_index = p.upto), 0))"
        " FROM l, p, u",
    /* backups: the transaction's snapshot, for pg_dump --snapshot */
    [MF_SQL_BACKUP_SNAPSHOT] = "SELECT pg_export_snapshot()",
    /* how many tables the database holds besides the catalogues */
    [MF_SQL_BACKUP_TABLES] =
        "SELECT count(*) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg\\_%'",

    /*
     * Rotates the commit key from $1 to $2 (the ssh lines; 1 row counted
     * when $1 was current). The old key is valid before the next whole
     * second; the new one from the earliest accepted time not yet
     * published (else now), so entries accepted before the rotation and
     * published after it verify under the new key.
     */
    [MF_SQL_ROTATE_COMMIT] =
        "WITH w AS (SELECT date_trunc('second', least(now(),"
        "  (SELECT min(s.accepted_at) FROM submissions s"
        "   LEFT JOIN publications p ON p.log_index = s.log_index"
        "   WHERE p.log_index IS NULL))) AS after,"
        "  date_trunc('second', now()) + interval '1 second' AS before),"
        " prev AS (SELECT max(successor_valid_after) AS a FROM registry_keys"
        "  WHERE kind = 'commit'),"
        " r AS (UPDATE registry SET commit_public_key = $2"
        "  WHERE commit_public_key = $1 RETURNING 1),"
        " ins AS (INSERT INTO registry_keys (kind, public_key, status,"
        "  valid_after, valid_before, successor_valid_after)"
        "  SELECT 'commit', $1, 'retired', prev.a, w.before, w.after"
        "  FROM w, prev, r RETURNING 1)"
        " SELECT count(*) FROM ins",
    /* $2 starts co-signing after the current log key $1 (1 row: begun) */
    [MF_SQL_ROTATE_LOG_BEGIN] =
        "WITH r AS (SELECT 1 FROM registry WHERE log_verifier_key = $1"
        "  AND NOT EXISTS (SELECT 1 FROM registry_keys"
        "   WHERE kind = 'log' AND status = 'next')),"
        " ins AS (INSERT INTO registry_keys (kind, public_key, status,"
        "  valid_after, signed_after_size)"
        "  SELECT 'log', $2, 'next', now(),"
        "  (SELECT coalesce(max(tree_size), 0) FROM checkpoints) FROM r"
        "  RETURNING 1)"
        " SELECT count(*) FROM ins",
    /* the co-signer $2 becomes the log key; $1 retires (1 row: done) */
    [MF_SQL_ROTATE_LOG_FINISH] =
        "WITH n AS (DELETE FROM registry_keys WHERE kind = 'log'"
        "  AND status = 'next' AND public_key = $2 RETURNING 1),"
        " r AS (UPDATE registry SET log_verifier_key = $2"
        "  WHERE log_verifier_key = $1 AND EXISTS (SELECT 1 FROM n)"
        "  RETURNING 1),"
        " prev AS (SELECT max(signed_until_size) AS s,"
        "  max(valid_before) AS t FROM registry_keys"
        "  WHERE kind = 'log' AND status = 'retired'),"
        " ins AS (INSERT INTO registry_keys (kind, public_key, status,"
        "  valid_after, valid_before, signed_after_size, signed_until_size)"
        "  SELECT 'log', $1, 'retired', prev.t, now(), prev.s,"
        "  (SELECT coalesce(max(tree_size), 0) FROM checkpoints)"
        "  FROM r, prev RETURNING 1)"
        " SELECT count(*) FROM ins",
    /* every key besides the current ones, oldest first (a JSON array) */
    [MF_SQL_REGISTRY_KEY_HISTORY] =
        "SELECT coalesce(json_agg(json_build_object('kind', kind,"
        " 'public_key', public_key, 'status', status,"
        " 'valid_after', to_char(valid_after AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " 'valid_before', to_char(valid_before AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " 'successor_valid_after', to_char(successor_valid_after"
        "  AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " 'signed_after_size', signed_after_size,"
        " 'signed_until_size', signed_until_size)"
        " ORDER BY changed_at), '[]') FROM registry_keys",

    /* witnessed checkpoints (migrations/0013): the size witness $1
     * cosigned last (no row: never) */
    [MF_SQL_COSIG_STATE] =
        "SELECT tree_size FROM witness_state WHERE witness = $1",
    /* the size witness $1 says it cosigned last ($2, from its 409) */
    [MF_SQL_COSIG_SET_STATE] =
        "INSERT INTO witness_state (witness, tree_size)"
        " VALUES ($1, $2::bigint) ON CONFLICT (witness) DO UPDATE"
        " SET tree_size = EXCLUDED.tree_size,"
        " updated_at = clock_timestamp()",
    /* a verified cosignature: $1 size, $2 witness, $3 line, $4 its
     * timestamp; the witness has cosigned $1 now */
    [MF_SQL_COSIG_STORE] =
        "WITH c AS (INSERT INTO cosignatures (tree_size, witness, line,"
        "  cosigned_at) VALUES ($1::bigint, $2, $3, $4::bigint)"
        "  ON CONFLICT (tree_size, witness) DO NOTHING RETURNING 1)"
        " INSERT INTO witness_state (witness, tree_size)"
        " VALUES ($2, $1::bigint) ON CONFLICT (witness) DO UPDATE"
        " SET tree_size = EXCLUDED.tree_size,"
        " updated_at = clock_timestamp()",
    /* whether witness $2 has cosigned the checkpoint of size $1 */
    [MF_SQL_COSIG_HAS] = "SELECT 1 FROM cosignatures"
                         " WHERE tree_size = $1::bigint AND witness = $2",
    /* the cosignature lines of the checkpoint of size $1, by witness */
    [MF_SQL_COSIG_LINES] = "SELECT witness, line FROM cosignatures"
                           " WHERE tree_size = $1::bigint ORDER BY witness",
    /* the smallest checkpoint of size >= $1 with >= $2 cosignatures:
     * size, note, then its cosignatures (witness, line) as JSON */
    [MF_SQL_COSIG_WITNESSED] =
        "SELECT c.tree_size, c.note, (SELECT json_agg(json_build_object("
        "  'witness', w.witness, 'line', w.line, 'timestamp',"
        "  w.cosigned_at) ORDER BY w.witness) FROM cosignatures w"
        "  WHERE w.tree_size = c.tree_size)::text"
        " FROM checkpoints c WHERE c.tree_size IN (SELECT tree_size"
        "  FROM cosignatures WHERE tree_size >= $1::bigint"
        "  GROUP BY tree_size HAVING count(*) >= $2::int"
        "  ORDER BY tree_size LIMIT 1)",
};

const char *
mf_sql_text(enum mf_sql stmt)
{
	return sql_text[stmt];
}
