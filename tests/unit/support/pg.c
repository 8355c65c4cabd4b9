/*
 * The fresh test database behind tests/unit/support/pg.h: created with
 * the psql CLI (so no test includes libpq), migrated by the database
 * layer itself, exactly as the server does at start-up.
 */
#include "tests/unit/support/pg.h"
#include "common/error.h"
#include "db/db.h"
#include "db/migrate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PSQL "/usr/lib/postgresql/15/bin/psql"

static char conninfo[512];
static char dbname[64];
static const char *host;

static int
run_psql(char **out, const char *db, const char *sql)
{
	char path[] = "/tmp/mf-test-sql.XXXXXX";
	char cmd[1024];
	FILE *p, *f;
	int fd, rc;
	size_t cap = 4096, len = 0, n;
	char *buf = NULL;

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fputs(sql, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "%s -h '%s' -U modelfacts -d '%s' -XqAt -F '\t' "
	         "-v ON_ERROR_STOP=1 -f '%s' 2>&1",
	         PSQL, host, db, path);
	if ((p = popen(cmd, "r")) == NULL) {
		remove(path);
		return -1;
	}
	if ((buf = malloc(cap)) == NULL)
		abort();
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2 && (buf = realloc(buf, cap *= 2)) == NULL)
			abort();
	}
	buf[len] = '\0';
	rc = pclose(p);
	remove(path);
	if (rc != 0)
		fprintf(stderr, "psql failed on:\n%s\n%s", sql, buf);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return rc;
}

int
mf_test_pg_setup(const char *name)
{
	struct mf_error err;
	char sql[256];
	int rc;

	if ((host = getenv("MF_TEST_PGHOST")) == NULL || *host == '\0') {
		host = NULL;
		printf("note: MF_TEST_PGHOST is not set (tests/run.py sets it):"
		       " the database tests of this binary are skipped\n");
		return -1;
	}
	snprintf(dbname, sizeof(dbname), "%s", name);
	snprintf(sql, sizeof(sql),
	         "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE);\n"
	         "CREATE DATABASE \"%s\";\n",
	         dbname, dbname);
	if (run_psql(NULL, "postgres", sql) != 0)
		return -1;
	snprintf(conninfo, sizeof(conninfo),
	         "host=%s dbname=%s user=modelfacts", host, dbname);
	if (mf_db_global_init(conninfo) != 0)
		return -1;
	mf_error_init(&err);
	if ((rc = mf_migrate_apply(NULL, &err)) != 0)
		fprintf(stderr, "migrations failed: %s\n", err.message);
	mf_error_dispose(&err);
	return rc == 0 ? 0 : -1;
}

void
mf_test_pg_require(void)
{
	if (host == NULL)
		skip();
}

int
mf_test_pg_sql(char **out, const char *fmt, ...)
{
	char sql[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return run_psql(out, dbname, sql);
}
