/*
 * Every SQL statement of the server, by name. The texts live in sql.c, in
 * one table indexed by this enum (declare once, parameterise always).
 */
#ifndef MF_SQL_H
#define MF_SQL_H

enum mf_sql {
	MF_SQL_PING,
	MF_SQL_MIGRATIONS_MAX,
	MF_SQL__MAX
};

/* The statement's text; static storage. */
const char *mf_sql_text(enum mf_sql stmt);

#endif
