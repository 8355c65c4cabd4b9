/*
 * All SQL of the server in one table. Statements take parameters ($1...)
 * only: no SQL is ever built from strings.
 */
#include "server/sql.h"


static const char *const sql_text[MF_SQL__MAX] = {
	[MF_SQL_PING] = "SELECT 1",
	[MF_SQL_MIGRATIONS_MAX] =
		"SELECT coalesce(max(version), 0), count(*) "
		"FROM schema_migrations",
};

const char *
mf_sql_text(enum mf_sql stmt)
{
	return sql_text[stmt];
}
