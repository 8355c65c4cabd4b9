/*
 * All SQL of the server in one table. Statements take parameters ($1...)
 * only: no SQL is ever built from strings.
 */
#include "server/sql.h"


/* An organisation's keys, with the log positions that added/revoked them. */
#define MF_SQL_KEYS_JSON                                                      \
	"coalesce((SELECT json_agg(json_build_object("                       \
	" 'keyid', k.keyid, 'alg', k.alg, 'status', k.status,"               \
	" 'public_key', k.public_key, 'created_at', k.created_at,"           \
	" 'revoked_at', k.revoked_at, 'added_at_log_index', sa.log_index,"   \
	" 'revoked_at_log_index', sr.log_index) ORDER BY k.created_at)"      \
	" FROM keys k LEFT JOIN submissions sa ON sa.id = k.added_by"        \
	" LEFT JOIN submissions sr ON sr.id = k.revoked_by"                  \
	" WHERE k.org = o.org), '[]')"

/* One disclosure version (tables m, v, s), optionally with its envelope. */
#define MF_SQL_VERSION_JSON(with_envelope)                                    \
	"json_build_object('org', v.org, 'model', v.model,"                  \
	" 'version', v.version, 'latest_version', m.head_version,"           \
	" 'payload_sha256', encode(v.payload_sha256, 'hex'),"                \
	" 'supersedes', CASE WHEN v.supersedes IS NOT NULL"                  \
	"  THEN 'sha256:' || encode(v.supersedes, 'hex') END,"               \
	" 'model_version', v.model_version, 'release_date', v.release_date," \
	" 'issued_at', s.issued_at, 'accepted_at', s.accepted_at,"           \
	" 'signed_by', s.signer_keyids, 'log_index', s.log_index,"           \
	" 'scores', v.scores, 'facts', s.payload,"                           \
	" 'envelope', CASE WHEN " with_envelope                              \
	"  THEN convert_from(s.envelope, 'UTF8')::json END)"

static const char *const sql_text[MF_SQL__MAX] = {
	[MF_SQL_PING] = "SELECT 1",
	[MF_SQL_MIGRATIONS_MAX] =
		"SELECT coalesce(max(version), 0), count(*) "
		"FROM schema_migrations",

	/* $1 org */
	[MF_SQL_ORG_GET] =
		"SELECT json_build_object("
		" 'org', o.org, 'name', o.name, 'role', o.role,"
		" 'created_at', o.created_at, 'last_seq', o.last_seq,"
		" 'keys', " MF_SQL_KEYS_JSON ","
		" 'models', coalesce((SELECT json_agg(m.model ORDER BY m.model)"
		"   FROM models m WHERE m.org = o.org), '[]'))"
		" FROM orgs o WHERE o.org = $1",
	[MF_SQL_ORG_KEYS] =
		"SELECT " MF_SQL_KEYS_JSON " FROM orgs o WHERE o.org = $1",
	[MF_SQL_ORGS_LIST] =
		"SELECT json_build_object('orgs', coalesce(json_agg("
		" json_build_object('org', o.org, 'name', o.name,"
		" 'role', o.role, 'created_at', o.created_at)"
		" ORDER BY o.org), '[]')) FROM orgs o",

	/* $1 org or NULL, $2 substring or NULL, $3 after "org/model" or
	 * NULL, $4 limit */
	[MF_SQL_MODELS_LIST] =
		"WITH page AS ("
		" SELECT m.org, m.model, m.head_version, m.updated_at,"
		"  v.model_version, v.release_date, v.score_total, v.score_max"
		" FROM models m LEFT JOIN versions v ON v.org = m.org"
		"  AND v.model = m.model AND v.version = m.head_version"
		" WHERE ($1::text IS NULL OR m.org = $1)"
		"  AND ($2::text IS NULL OR strpos(m.org || '/' || m.model,"
		"   lower($2)) > 0)"
		"  AND ($3::text IS NULL OR m.org || '/' || m.model > $3)"
		" ORDER BY m.org || '/' || m.model LIMIT $4::int)"
		"SELECT json_build_object('models', coalesce(json_agg("
		" json_build_object('org', org, 'model', model,"
		" 'version', nullif(head_version, 0),"
		" 'model_version', model_version, 'release_date', release_date,"
		" 'score', json_build_object('total', score_total,"
		"  'max', score_max), 'updated_at', updated_at)"
		" ORDER BY org || '/' || model), '[]'),"
		" 'next', CASE WHEN count(*) = $4::int"
		"  THEN max(org || '/' || model) END) FROM page",

	/* $1 org, $2 model, $3 as_of or NULL */
	[MF_SQL_MODEL_GET] =
		"SELECT " MF_SQL_VERSION_JSON("false")
		" FROM models m JOIN versions v ON v.org = m.org"
		"  AND v.model = m.model"
		" JOIN submissions s ON s.id = v.submission_id"
		" WHERE m.org = $1 AND m.model = $2 AND CASE WHEN $3::text"
		"  IS NULL THEN v.version = m.head_version"
		"  ELSE s.accepted_at <= $3::timestamptz END"
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
		"   'max', v.score_max)) ORDER BY v.version)"
		"  FROM versions v JOIN submissions s ON s.id = v.submission_id"
		"  WHERE v.org = m.org AND v.model = m.model), '[]'))"
		" FROM models m WHERE m.org = $1 AND m.model = $2",
	/* $1 org, $2 model, $3 version */
	[MF_SQL_VERSION_GET] =
		"SELECT " MF_SQL_VERSION_JSON("true")
		" FROM models m JOIN versions v ON v.org = m.org"
		"  AND v.model = m.model"
		" JOIN submissions s ON s.id = v.submission_id"
		" WHERE m.org = $1 AND m.model = $2 AND v.version = $3::int",
	[MF_SQL_VERSION_ENVELOPE] =
		"SELECT s.envelope FROM versions v"
		" JOIN submissions s ON s.id = v.submission_id"
		" WHERE v.org = $1 AND v.model = $2 AND v.version = $3::int",
	/* $1 org, $2 model */
	[MF_SQL_EVALS_LIST] =
		"SELECT json_build_object('org', m.org, 'model', m.model,"
		" 'evals', coalesce((SELECT json_agg(json_build_object("
		"  'assurance', e.assurance, 'evaluator', e.evaluator,"
		"  'benchmark', e.benchmark, 'metric', e.metric,"
		"  'value', e.value, 'version', e.version,"
		"  'payload_sha256', encode(s.payload_sha256, 'hex'),"
		"  'log_index', s.log_index, 'accepted_at', s.accepted_at,"
		"  'result', s.payload) ORDER BY e.assurance DESC,"
		"  e.benchmark, s.id)"
		"  FROM evals e JOIN submissions s ON s.id = e.submission_id"
		"  WHERE e.org = m.org AND e.model = m.model), '[]'))"
		" FROM models m WHERE m.org = $1 AND m.model = $2",
};

const char *
mf_sql_text(enum mf_sql stmt)
{
	return sql_text[stmt];
}
