/*
 * Every SQL statement of the server, by name. The texts live in sql.c, in
 * one table indexed by this enum (declare once, parameterise always).
 */
#ifndef MF_SQL_H
#define MF_SQL_H

enum mf_sql {
	MF_SQL_PING,
	MF_SQL_MIGRATIONS_MAX,
	/* reads: each returns one json column */
	MF_SQL_ORG_GET,
	MF_SQL_ORG_KEYS,
	MF_SQL_ORGS_LIST,
	MF_SQL_MODELS_LIST,
	MF_SQL_MODEL_GET,
	MF_SQL_VERSIONS_LIST,
	MF_SQL_VERSION_GET,
	MF_SQL_VERSION_ENVELOPE,
	MF_SQL_EVALS_LIST,
	MF_SQL__MAX
};

/* The statement's text; static storage. */
const char *mf_sql_text(enum mf_sql stmt);

#endif
