/*
 * Publication decisions of publish/publisher.c, without HTTP: log entries
 * are inserted with SQL into a fresh migrated database, published by
 * mf_publisher_run_once into a bare repository in a scratch directory,
 * and read back with the git CLI and psql. The tests run in order and
 * build on each other: one commit per entry in log order, tags, a second
 * batch, nothing to do the second time, crash recovery from the commit
 * trailers, a gap in the log, the lock, and reproducible commits.
 */
#include "app/app.h"
#include "common/error.h"
#include "db/db.h"
#include "db/publish.h"
#include "db/tlog.h"
#include "envelope/keys.h"
#include "publish/publisher.h"
#include "tests/unit/support/pg.h"
#include "tests/unit/support/scratch.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct mf_config cfg;
static struct mf_app app;
static struct mf_key *org_key; /* acme's registered key */
static char keyid[MF_KEYID_HEX_LEN + 1];
static char *disclosure; /* examples/disclosure-sparse.json */

/* ---- helpers ------------------------------------------------------- */

/* Runs a shell command; its stdout (new, NUL-terminated) into *out. */
static int
sh_out(char **out, const char *fmt, ...)
{
	char cmd[4096], chunk[4096];
	size_t len = 0, n;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	*out = calloc(1, 1);
	assert_non_null(*out);
	assert_non_null(p = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		assert_non_null(*out = realloc(*out, len + n + 1));
		memcpy(*out + len, chunk, n);
		len += n;
		(*out)[len] = '\0';
	}
	st = pclose(p);
	return st;
}

/* `git --git-dir=<repo> args`; stdout, trailing newline removed. */
static char *
git(const char *fmt, ...)
{
	char args[2048], *out;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	assert_int_equal(sh_out(&out, "git --git-dir='%s' %s 2>/dev/null",
	                        cfg.git_dir, args),
	                 0);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	return out;
}

/* psql output, trailing newline removed. */
static char *
sql(const char *fmt, ...)
{
	char text[8192], *out = NULL;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_int_equal(mf_test_pg_sql(&out, "%s", text), 0);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	return out;
}

static void
sql_do(const char *fmt, ...)
{
	char text[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_int_equal(mf_test_pg_sql(NULL, "%s", text), 0);
}

static void
expect_str(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

/* Both texts are new; compared, then freed. */
static void
expect_same(char *a, char *b)
{
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* Publishes what is pending; returns how many entries were committed. */
static int
publish(void)
{
	struct mf_error err;
	int n = -1, rc;

	mf_error_init(&err);
	rc = mf_publisher_run_once(&app, &n, &err);
	if (rc != 0)
		fail_msg("publishing failed: %s", err.message);
	mf_error_dispose(&err);
	return n;
}

/*
 * One sequenced log entry of acme: a disclosure (version > 0) of model,
 * or a key event (model NULL). Accepted one minute after the previous
 * index, so commit times are fixed.
 */
static void
add_entry(int64_t idx, const char *model, int version)
{
	char subject[80];

	if (model != NULL)
		snprintf(subject, sizeof(subject), "'%s'", model);
	sql_do("INSERT INTO models (org, model) VALUES ('acme', %s)"
	       " ON CONFLICT DO NOTHING;\n"
	       "WITH s AS (INSERT INTO submissions (kind, org, keyid, seq,"
	       " subject_org, subject_model, payload_type, payload_sha256,"
	       " envelope_sha256, envelope, payload, issued_at, accepted_at,"
	       " signer_keyids, log_index, leaf) VALUES ('%s', 'acme', '%s',"
	       " %lld, 'acme', %s, 'application/vnd.modelfacts.test+json',"
	       " sha256(convert_to('payload %lld', 'UTF8')),"
	       " sha256(convert_to('envelope %lld', 'UTF8')),"
	       " convert_to('{\"entry\": %lld}', 'UTF8'), $p$%s$p$,"
	       " '2026-07-21T08:00:00Z',"
	       " timestamptz '2026-07-21T09:00:00Z' + %lld * interval '1 min',"
	       " ARRAY['%s'], %lld, 'leaf') RETURNING id, payload_sha256)\n"
	       "INSERT INTO versions (org, model, version, submission_id,"
	       " payload_sha256) SELECT 'acme', %s, %d, id, payload_sha256"
	       " FROM s WHERE %d > 0;\n",
	       model ? subject : "'alpha'", model ? "disclosure" : "key-event",
	       keyid, (long long)idx + 1, model ? subject : "NULL",
	       (long long)idx, (long long)idx, (long long)idx,
	       model ? disclosure : "{}", (long long)idx, keyid, (long long)idx,
	       model ? subject : "'alpha'", version, version);
}

/* The Log-Index trailers of main, oldest first, one per line. */
static char *
log_indices(void)
{
	return git("log --reverse --format='%%(trailers:key=Log-Index,"
	           "valueonly,separator=)' main");
}

/* What publications holds, as "index commit" lines in log order. */
static char *
recorded(void)
{
	return sql("SELECT log_index || ' ' || commit_id FROM publications"
	           " ORDER BY log_index");
}

/* The same from the repository: each commit of main and its index. */
static char *
in_repository(void)
{
	return git("log --reverse --format='%%(trailers:key=Log-Index,"
	           "valueonly,separator=) %%H' main");
}

/* ---- fixture ------------------------------------------------------- */

static int
group_setup(void **state)
{
	struct mf_error err;
	char *pem = NULL, *out = NULL;

	if (mf_test_scratch_setup(state) != 0)
		return -1;
	if (mf_test_pg_setup("mf_unit_publisher") != 0)
		return 0; /* each test skips */
	mf_error_init(&err);
	snprintf(cfg.git_dir, sizeof(cfg.git_dir), "%s/labels.git",
	         mf_test_scratch());
	snprintf(cfg.origin, sizeof(cfg.origin), "registry.test");
	app.cfg = &cfg;
	if (mf_key_generate(&app.keys.commit_key, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_generate(&org_key, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_public_pem(org_key, &pem) != 0)
		return -1;
	snprintf(keyid, sizeof(keyid), "%s", mf_key_id(org_key));
	if (sh_out(&disclosure, "cat examples/disclosure-sparse.json") != 0)
		return -1;
	/* acme and its key, registered by the operator before any entry */
	if (mf_test_pg_sql(&out,
	                   "INSERT INTO orgs (org, name, role)"
	                   " VALUES ('acme', 'Acme', 'developer');\n"
	                   "INSERT INTO keys (keyid, org, alg, public_key,"
	                   " spki, created_at) VALUES ('%s', 'acme',"
	                   " 'ed25519', '%s', '\\x00', '2026-01-01T00:00:00Z');"
	                   "\n",
	                   keyid, pem) != 0)
		return -1;
	free(out);
	free(pem);
	mf_error_dispose(&err);
	return 0;
}

static int
group_teardown(void **state)
{
	mf_key_free(app.keys.commit_key);
	mf_key_free(org_key);
	free(disclosure);
	return mf_test_scratch_teardown(state);
}

/* ---- the tests ----------------------------------------------------- */

/* Five entries: five commits in log order, their tags and files, and
 * publications holding exactly the commits of the repository. */
static void
test_one_commit_per_entry_in_log_order(void **state)
{
	char want[128];

	(void)state;
	mf_test_pg_require();
	mf_test_require("git", NULL);
	add_entry(0, "alpha", 1);
	add_entry(1, "beta", 1);
	add_entry(2, NULL, 0);
	add_entry(3, "alpha", 2);
	add_entry(4, "beta", 2);
	/* the first checkpoint covering entries 0 and 1 */
	sql_do("INSERT INTO checkpoints (tree_size, root_hash, note)"
	       " VALUES (2, '\\x00', 'checkpoint of 2\n');");

	assert_int_equal(publish(), 5);
	expect_str(git("rev-list --count main"), "5");
	expect_str(log_indices(), "0\n1\n2\n3\n4");
	expect_str(git("tag -l"),
	           "acme/alpha/v1\nacme/alpha/v2\nacme/beta/v1\nacme/beta/v2");
	/* each tag names the commit of its own entry */
	expect_str(git("log -1 --format='%%(trailers:key=Log-Index,"
	               "valueonly,separator=)' acme/alpha/v1"),
	           "0");
	expect_str(git("log -1 --format='%%(trailers:key=Log-Index,"
	               "valueonly,separator=)' acme/beta/v2"),
	           "4");
	/* the files of the entries */
	expect_str(git("show main:models/acme/alpha/disclosure.dsse.json"),
	           "{\"entry\": 3}");
	expect_str(git("show main:orgs/acme/key-events/2.dsse.json"),
	           "{\"entry\": 2}");
	snprintf(want, sizeof(want), "orgs/acme/keys/%s.pem", keyid);
	expect_str(git("ls-tree -r --name-only main -- orgs/acme/keys"), want);
	expect_str(git("ls-tree -r --name-only main -- models/acme/beta"),
	           "models/acme/beta/disclosure.dsse.json\n"
	           "models/acme/beta/label.json\n"
	           "models/acme/beta/label.md");
	/* entries 0 and 1 carry the checkpoint that first covered them;
	 * the key event changes its own file only (the key files it
	 * rewrites are identical) */
	expect_str(git("show main~4:log/checkpoint"), "checkpoint of 2");
	expect_str(git("diff --name-only main~4 main~3 -- log"), "");
	expect_str(git("diff --name-only main~3 main~2"),
	           "orgs/acme/key-events/2.dsse.json");
	/* the subject line, and the author time is the accepted time */
	expect_str(git("log -1 --format=%%s acme/beta/v2"),
	           "disclosure: acme/beta version 2");
	expect_str(git("log -1 --format=%%at%%n%%an main~2"),
	           "1784624520\nacme");
	/* the database recorded the commits git has, nothing else */
	expect_same(recorded(), in_repository());
}

/* Everything is published: another round commits nothing. */
static void
test_rerun_publishes_nothing(void **state)
{
	char *head, *rows;

	(void)state;
	mf_test_pg_require();
	head = git("rev-parse main");
	rows = recorded();
	assert_int_equal(publish(), 0);
	expect_str(git("rev-parse main"), head);
	expect_str(recorded(), rows);
	free(head);
	free(rows);
}

/* A second batch continues from the head: one commit per new entry. */
static void
test_next_batch_continues(void **state)
{
	char *before;

	(void)state;
	mf_test_pg_require();
	before = git("rev-parse main");
	add_entry(5, "gamma", 1);
	add_entry(6, "alpha", 3);
	add_entry(7, NULL, 0);
	assert_int_equal(publish(), 3);
	expect_str(git("rev-list --count main"), "8");
	expect_str(log_indices(), "0\n1\n2\n3\n4\n5\n6\n7");
	expect_str(git("rev-parse main~3"), before);
	free(before);
	expect_str(git("tag -l 'acme/gamma/*' 'acme/alpha/v3'"),
	           "acme/alpha/v3\nacme/gamma/v1");
	expect_same(recorded(), in_repository());
}

/*
 * A crash after the ref update and before the insert: git has commits
 * the database does not. The next round records them from the trailers,
 * commits nothing twice, and goes on with the next entry.
 */
static void
test_crash_recovery_records_from_trailers(void **state)
{
	char *before;

	(void)state;
	mf_test_pg_require();
	before = in_repository();
	sql_do("DELETE FROM publications WHERE log_index >= 6;");
	expect_str(sql("SELECT count(*) FROM publications"), "6");
	add_entry(8, "beta", 3);

	assert_int_equal(publish(), 1);
	expect_str(git("rev-list --count main"), "9");
	expect_str(log_indices(), "0\n1\n2\n3\n4\n5\n6\n7\n8");
	/* 6 and 7 are recorded with the commits git already had */
	expect_same(recorded(), in_repository());
	expect_str(git("log --reverse --format='%%(trailers:key=Log-Index,"
	               "valueonly,separator=) %%H' main~1"),
	           before);
	free(before);

	/* with nothing recorded at all, the walk goes back to the root */
	before = recorded();
	sql_do("DELETE FROM publications;");
	assert_int_equal(publish(), 0);
	expect_str(recorded(), before);
	free(before);
}

/* A hole in the log stops publication before it; filled, both go out in
 * log order whatever order they were inserted in. */
static void
test_log_gap_is_not_skipped(void **state)
{
	struct mf_error err;
	int n = -1;

	(void)state;
	mf_test_pg_require();
	add_entry(10, "alpha", 5);
	mf_error_init(&err);
	assert_int_equal(mf_publisher_run_once(&app, &n, &err), MF_E_INTERNAL);
	assert_string_equal(err.message, "log gap at 9");
	assert_int_equal(n, 0);
	mf_error_dispose(&err);
	expect_str(git("rev-list --count main"), "9");

	add_entry(9, "alpha", 4);
	assert_int_equal(publish(), 2);
	expect_str(log_indices(), "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10");
	expect_str(git("log -1 --format=%%s acme/alpha/v4"),
	           "disclosure: acme/alpha version 4");
	expect_same(recorded(), in_repository());
}

/* While another session holds the publisher lock, nothing is published. */
struct holder {
	pthread_mutex_t m;
	pthread_cond_t c;
	int state; /* 1: lock taken (or failed), 2: may let go */
	bool leader;
};

static void *
hold_lock(void *arg)
{
	struct holder *h = arg;
	struct mf_error err;
	int64_t token = 0;

	mf_error_init(&err);
	/* Another node holds the publisher lease (migrations/0010). */
	mf_db_lease_acquire(&token, "publisher", "another-node", 600000, false,
	                    &err);
	h->leader = token != 0;
	mf_error_dispose(&err);
	pthread_mutex_lock(&h->m);
	h->state = 1;
	pthread_cond_broadcast(&h->c);
	while (h->state != 2)
		pthread_cond_wait(&h->c, &h->m);
	pthread_mutex_unlock(&h->m);
	mf_error_init(&err);
	mf_db_lease_release("publisher", token, &err);
	mf_error_dispose(&err);
	mf_db_drop();
	return NULL;
}

static void
test_only_the_lock_holder_publishes(void **state)
{
	struct holder h = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	                   0, false};
	struct mf_error err;
	pthread_t t;
	int n = -1;

	(void)state;
	mf_test_pg_require();
	add_entry(11, "beta", 4);
	assert_int_equal(pthread_create(&t, NULL, hold_lock, &h), 0);
	pthread_mutex_lock(&h.m);
	while (h.state != 1)
		pthread_cond_wait(&h.c, &h.m);
	pthread_mutex_unlock(&h.m);
	assert_true(h.leader);

	mf_error_init(&err);
	assert_int_equal(mf_publisher_run_once(&app, &n, &err), MF_E_CONFLICT);
	mf_error_dispose(&err);
	assert_int_equal(n, 0);
	expect_str(git("rev-list --count main"), "11");

	pthread_mutex_lock(&h.m);
	h.state = 2;
	pthread_cond_broadcast(&h.c);
	pthread_mutex_unlock(&h.m);
	pthread_join(t, NULL);
	assert_int_equal(publish(), 1);
	expect_str(git("rev-list --count main"), "12");
}

/* Commits are a function of the log: republished from scratch into
 * another repository, the history has the same commit ids. */
static void
test_republishing_gives_the_same_commits(void **state)
{
	char first[sizeof(cfg.git_dir)], *head, *tags;

	(void)state;
	mf_test_pg_require();
	head = git("rev-parse main");
	tags = git("show-ref --tags");
	memcpy(first, cfg.git_dir, sizeof(first));
	snprintf(cfg.git_dir, sizeof(cfg.git_dir), "%s/again.git",
	         mf_test_scratch());
	sql_do("DELETE FROM publications;");

	assert_int_equal(publish(), 12);
	expect_str(git("rev-parse main"), head);
	expect_str(git("show-ref --tags"), tags);
	expect_same(recorded(), in_repository());
	free(head);
	free(tags);
	memcpy(cfg.git_dir, first, sizeof(first));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_commit_per_entry_in_log_order),
	    cmocka_unit_test(test_rerun_publishes_nothing),
	    cmocka_unit_test(test_next_batch_continues),
	    cmocka_unit_test(test_crash_recovery_records_from_trailers),
	    cmocka_unit_test(test_log_gap_is_not_skipped),
	    cmocka_unit_test(test_only_the_lock_holder_publishes),
	    cmocka_unit_test(test_republishing_gives_the_same_commits),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
