/*
 * Unit tests for the publisher's git layer (git/repo.h): a few hundred
 * signed commits with nested paths, tags, packing and crash recovery, all
 * read back with the real git CLI and ssh-keygen, and the layer's
 * per-phase timings.
 */
#include "common/buf.h"
#include "common/digest.h"
#include "common/stopwatch.h"
#include "git/repo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define NCOMMITS  300
#define MAX_FILES 1024

/* What the test expects the tree of main to hold. */
struct file {
	char *path;
	char *content;
};

struct state {
	char dir[1024];  /* absolute scratch directory */
	char repo[1100]; /* the repository under test */
	char git[1200];  /* "git --git-dir='...'" */
	struct mf_gitrepo *r;
	char ids[NCOMMITS][MF_GITREPO_ID_SIZE];
	struct file files[MAX_FILES];
	size_t nfiles;
	/* one historical check: what commit `probe` wrote at probe_path */
	char probe_path[256];
	char probe_content[256];
	unsigned nsigned;
};

/* Runs a shell command, stdout+stderr into out; returns its exit status. */
static int
run(struct mf_buf *out, const char *fmt, ...)
{
	char cmd[8192], chunk[4096];
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	if (out != NULL)
		mf_buf_clear(out);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out != NULL)
			mf_buf_append(out, chunk, n);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *
read_file(const char *path, size_t *len)
{
	struct mf_buf b = MF_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return NULL;
	mf_buf_reserve(&b, 1);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mf_buf_append(&b, chunk, n);
	fclose(f);
	return mf_buf_detach(&b, len);
}

/* The test's signer: ssh-keygen -Y sign with the key made in setup. */
static int
ssh_sign(void *ctx, const char *data, size_t len, struct mf_buf *out,
         struct mf_error *err)
{
	struct state *s = ctx;
	char in[1200], sig[1300];
	char *text;
	size_t n;
	FILE *f;
	int rc;

	snprintf(in, sizeof(in), "%s/to-sign", s->dir);
	snprintf(sig, sizeof(sig), "%s.sig", in);
	unlink(sig);
	if ((f = fopen(in, "wb")) == NULL || fwrite(data, 1, len, f) != len) {
		if (f != NULL)
			fclose(f);
		return mf_error_set(err, MF_E_IO, NULL, "cannot write %s", in);
	}
	fclose(f);
	if (run(NULL, "ssh-keygen -q -Y sign -n git -f '%s/key' '%s'", s->dir,
	        in) != 0 ||
	    (text = read_file(sig, &n)) == NULL)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "ssh-keygen -Y sign failed");
	rc = mf_buf_append(out, text, n);
	free(text);
	s->nsigned++;
	return rc;
}

static struct file *
find_file(struct state *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	return NULL;
}

static void
expect_put(struct state *s, const char *path, const char *content)
{
	struct file *f = find_file(s, path);

	if (f == NULL) {
		assert_true(s->nfiles < MAX_FILES);
		f = &s->files[s->nfiles++];
		f->path = strdup(path);
	} else {
		free(f->content);
	}
	f->content = strdup(content);
	assert_non_null(f->path);
	assert_non_null(f->content);
}

static void
expect_delete(struct state *s, const char *path)
{
	struct file *f = find_file(s, path);

	if (f == NULL)
		return;
	free(f->path);
	free(f->content);
	*f = s->files[--s->nfiles];
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
open_repo(struct state *s, unsigned pack_every, unsigned grace)
{
	struct mf_gitrepo_options o;
	struct mf_error err;
	int rc;

	mf_gitrepo_free(s->r);
	s->r = NULL;
	mf_gitrepo_options_default(&o);
	o.pack_every = pack_every;
	o.prune_grace_s = grace;
	mf_error_init(&err);
	rc = mf_gitrepo_open(&s->r, s->repo, &o, &err);
	if (rc != 0)
		print_error("open: %s\n", err.message);
	mf_error_dispose(&err);
	return rc;
}

static int
setup(void **state)
{
	static struct state s;
	struct mf_buf out = MF_BUF_INIT;
	char *pub, file[1200];
	FILE *f;

	memset(&s, 0, sizeof(s));
	if (run(NULL, "mkdir -p build/tmp") != 0 ||
	    realpath("build/tmp", s.dir) == NULL)
		return -1;
	snprintf(s.dir + strlen(s.dir), sizeof(s.dir) - strlen(s.dir),
	         "/test_gitrepo-%ld", (long)getpid());
	snprintf(s.repo, sizeof(s.repo), "%s/labels.git", s.dir);
	snprintf(s.git, sizeof(s.git), "git --git-dir='%s'", s.repo);
	if (run(NULL, "rm -rf '%s' && mkdir -p '%s'", s.dir, s.dir) != 0 ||
	    run(&out, "ssh-keygen -q -t ed25519 -N '' -C test -f '%s/key'",
	        s.dir) != 0)
		return -1;
	/* allowed signers: "<principal> <key type> <base64>" */
	snprintf(file, sizeof(file), "%s/key.pub", s.dir);
	if ((pub = read_file(file, NULL)) == NULL)
		return -1;
	snprintf(file, sizeof(file), "%s/allowed_signers", s.dir);
	if ((f = fopen(file, "w")) == NULL) {
		free(pub);
		return -1;
	}
	fprintf(f, "publisher@modelfacts.test %s", pub);
	fclose(f);
	free(pub);
	mf_buf_dispose(&out);
	*state = &s;
	return 0;
}

static int
teardown(void **state)
{
	struct state *s = *state;
	size_t i;

	mf_gitrepo_free(s->r);
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		free(s->files[i].content);
	}
	/* keep the scratch directory when asked, for a post-mortem */
	if (getenv("MF_KEEP_TMP") == NULL)
		run(NULL, "rm -rf '%s'", s->dir);
	return 0;
}

static void
test_open_creates_bare_repository(void **state)
{
	struct state *s = *state;
	struct mf_gitrepo_trailers *t = (void *)1;
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;
	char head[MF_GITREPO_ID_SIZE] = "x", path[1300];
	char *text;
	size_t n = 99;

	assert_int_equal(open_repo(s, 64, 0), 0);
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_head(s->r, head, &err), 0);
	assert_string_equal(head, "");
	assert_int_equal(mf_gitrepo_head_trailers(s->r, &t, &err), 0);
	assert_null(t);
	assert_int_equal(run(&out, "%s rev-parse --is-bare-repository", s->git),
	                 0);
	assert_string_equal(out.data, "true\n");
	assert_int_equal(run(&out, "%s symbolic-ref HEAD", s->git), 0);
	assert_string_equal(out.data, "refs/heads/main\n");
	snprintf(path, sizeof(path), "%s/info/refs", s->repo);
	assert_non_null(text = read_file(path, &n));
	assert_int_equal(n, 0);
	free(text);
	/* opening again finds the same repository */
	assert_int_equal(open_repo(s, 64, 0), 0);
	mf_error_dispose(&err);
	mf_buf_dispose(&out);
}

/* The commit message of entry i, with the trailers the publisher writes. */
static void
message_for(struct mf_buf *msg, unsigned i, const char *org, const char *model)
{
	char hex[MF_SHA256_HEX_LEN + 1], line[32];

	snprintf(line, sizeof(line), "payload %u", i);
	mf_sha256_hex(hex, line, strlen(line));
	mf_buf_clear(msg);
	mf_buf_printf(msg,
	              "Publish %s/%s (entry %u)\n\n"
	              "Accepted disclosure for %s/%s.\n\n"
	              "Log-Index: %u\nVersion: %u\nPayload-SHA256: %s\n"
	              "Signed-By: key-%s\n",
	              org, model, i, org, model, i, i / 40 + 1, hex, org);
}

static int
commit_entry(struct state *s, unsigned i, const char *parent,
             char out[MF_GITREPO_ID_SIZE], bool objects_only)
{
	struct mf_gitrepo_change ch[6];
	struct mf_gitrepo_commit_req req;
	struct mf_buf msg = MF_BUF_INIT;
	struct mf_error err;
	char org[16], model[16], paths[6][128], data[6][160];
	size_t n = 0, k;
	int rc;

	snprintf(org, sizeof(org), "org%u", i % 10);
	snprintf(model, sizeof(model), "model-%u", (i / 10) % 4);
	snprintf(paths[n], sizeof(paths[n]), "models/%s/%s/label.md", org,
	         model);
	snprintf(data[n], sizeof(data[n]), "# %s/%s\n\nentry %u\n", org, model,
	         i);
	n++;
	snprintf(paths[n], sizeof(paths[n]), "models/%s/%s/label.json", org,
	         model);
	snprintf(data[n], sizeof(data[n]), "{\"entry\": %u}\n", i);
	n++;
	snprintf(paths[n], sizeof(paths[n]), "log/checkpoint");
	snprintf(data[n], sizeof(data[n]), "modelfacts.test\n%u\nroot\n",
	         i + 1);
	n++;
	if (i % 7 == 0) {
		snprintf(paths[n], sizeof(paths[n]),
		         "models/%s/%s/evals/e%u.dsse.json", org, model, i);
		snprintf(data[n], sizeof(data[n]), "{\"eval\": %u}\n", i);
		n++;
	}
	if (i % 50 == 0) {
		snprintf(paths[n], sizeof(paths[n]), "orgs/%s/keys/k%u.pem",
		         org, i);
		snprintf(data[n], sizeof(data[n]), "-----BEGIN KEY %u-----\n",
		         i);
		n++;
	}
	/* now and then an eval written 70 entries ago is withdrawn */
	if (i % 7 == 0 && i >= 70 && (i / 7) % 3 == 0) {
		snprintf(paths[n], sizeof(paths[n]),
		         "models/%s/model-%u/evals/e%u.dsse.json", org,
		         ((i - 70) / 10) % 4, i - 70);
		data[n][0] = '\0';
		n++;
	}
	memset(&req, 0, sizeof(req));
	for (k = 0; k < n; k++) {
		bool del = data[k][0] == '\0';

		ch[k].op = del ? MF_GITREPO_DELETE : MF_GITREPO_PUT;
		ch[k].path = paths[k];
		ch[k].data = del ? NULL : data[k];
		ch[k].len = del ? 0 : strlen(data[k]);
	}
	message_for(&msg, i, org, model);
	req.parent = parent;
	req.changes = ch;
	req.nchanges = n;
	req.message = msg.data;
	req.author = (struct mf_gitrepo_identity){org, "dev@example.org",
	                                          1700000000 + i, 60};
	req.committer = (struct mf_gitrepo_identity){
	    "modelfacts", "registry@modelfacts.test", 1700000000 + i, 0};
	req.sign = ssh_sign;
	req.sign_ctx = s;
	req.objects_only = objects_only;
	mf_error_init(&err);
	rc = mf_gitrepo_commit(s->r, &req, out, &err);
	if (rc != 0)
		print_error("commit %u: %s\n", i, err.message);
	mf_error_dispose(&err);
	mf_buf_dispose(&msg);
	if (rc == 0 && !objects_only)
		for (k = 0; k < n; k++) {
			if (data[k][0] == '\0')
				expect_delete(s, paths[k]);
			else
				expect_put(s, paths[k], data[k]);
			if (i == 123 && k == 0) {
				strcpy(s->probe_path, paths[k]);
				strcpy(s->probe_content, data[k]);
			}
		}
	return rc;
}

static void
test_commits_read_back_with_git(void **state)
{
	struct state *s = *state;
	struct mf_buf out = MF_BUF_INIT, want = MF_BUF_INIT;
	char head[MF_GITREPO_ID_SIZE], *line, *save = NULL;
	char **paths;
	struct mf_error err;
	unsigned i, seen = 0;
	long idx = -1;

	for (i = 0; i < NCOMMITS; i++) {
		assert_int_equal(commit_entry(s, i, i ? s->ids[i - 1] : NULL,
		                              s->ids[i], false),
		                 0);
		assert_int_equal(strlen(s->ids[i]), 40);
	}
	assert_int_equal(s->nsigned, NCOMMITS);
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_head(s->r, head, &err), 0);
	assert_string_equal(head, s->ids[NCOMMITS - 1]);

	/* order and trailers, newest first */
	assert_int_equal(run(&out, "%s log --format=%%H%%n%%B main", s->git),
	                 0);
	i = NCOMMITS;
	for (line = strtok_r(out.data, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) == 40 && i > 0 &&
		    strcmp(line, s->ids[i - 1]) == 0) {
			i--;
			seen++;
		} else if (strncmp(line, "Log-Index: ", 11) == 0) {
			idx = strtol(line + 11, NULL, 10);
			assert_int_equal(idx, (long)i);
		}
	}
	assert_int_equal(seen, NCOMMITS);
	assert_int_equal(idx, 0);

	/* the tree of main is exactly what the test expects */
	assert_int_equal(run(&out, "%s ls-tree -r --name-only main", s->git),
	                 0);
	paths = calloc(s->nfiles, sizeof(*paths));
	assert_non_null(paths);
	for (i = 0; i < s->nfiles; i++)
		paths[i] = s->files[i].path;
	qsort(paths, s->nfiles, sizeof(*paths), cmp_str);
	for (i = 0; i < s->nfiles; i++)
		mf_buf_printf(&want, "%s\n", paths[i]);
	free(paths);
	assert_string_equal(out.data, want.data);
	for (i = 0; i < s->nfiles; i += 7) {
		assert_int_equal(
		    run(&out, "%s show 'main:%s'", s->git, s->files[i].path),
		    0);
		assert_string_equal(out.data, s->files[i].content);
	}
	/* history: what entry 123 wrote is still in its commit */
	assert_int_equal(
	    run(&out, "%s show '%s:%s'", s->git, s->ids[123], s->probe_path),
	    0);
	assert_string_equal(out.data, s->probe_content);
	/* a withdrawn eval is gone from main but not from history */
	assert_int_not_equal(
	    run(&out,
	        "%s cat-file -e main:models/org4/model-1/evals/"
	        "e14.dsse.json",
	        s->git),
	    0);
	assert_int_equal(run(&out,
	                     "%s cat-file -e %s:models/org4/model-1/evals/"
	                     "e14.dsse.json",
	                     s->git, s->ids[83]),
	                 0);

	/* every 25th commit and the head verify with the allowed signers */
	for (i = 0; i < NCOMMITS; i += 25) {
		assert_int_equal(run(&out,
		                     "%s -c gpg.ssh.allowedSignersFile='%s/"
		                     "allowed_signers' verify-commit %s",
		                     s->git, s->dir, s->ids[i]),
		                 0);
		assert_non_null(strstr(out.data, "Good \"git\" signature"));
	}
	assert_int_equal(run(&out,
	                     "%s -c gpg.ssh.allowedSignersFile='%s/"
	                     "allowed_signers' verify-commit main",
	                     s->git, s->dir),
	                 0);
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", s->git),
	                 0);
	assert_null(strstr(out.data, "error"));
	assert_null(strstr(out.data, "warning"));
	mf_error_dispose(&err);
	mf_buf_dispose(&out);
	mf_buf_dispose(&want);
}

static void
test_commit_ids_are_reproducible(void **state)
{
	struct state *s = *state;
	char again[MF_GITREPO_ID_SIZE];

	/*
	 * The same input on the same parent gives the same id (Ed25519
	 * signatures are deterministic), which is what makes re-publishing
	 * after a crash idempotent.
	 */
	assert_int_equal(
	    commit_entry(s, NCOMMITS - 1, s->ids[NCOMMITS - 2], again, true),
	    0);
	assert_string_equal(again, s->ids[NCOMMITS - 1]);
}

static void
test_stale_parent_is_a_conflict(void **state)
{
	struct state *s = *state;
	struct mf_gitrepo_commit_req req;
	struct mf_gitrepo_change ch = {MF_GITREPO_PUT, "log/checkpoint", "x",
	                               1};
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;
	char id[MF_GITREPO_ID_SIZE], head[MF_GITREPO_ID_SIZE];

	memset(&req, 0, sizeof(req));
	req.changes = &ch;
	req.nchanges = 1;
	req.message = "stale\n\nLog-Index: 9999\n";
	req.author = req.committer =
	    (struct mf_gitrepo_identity){"x", "x@example.org", 1, 0};
	/* a second publisher that still believes main is at ids[10] */
	req.parent = s->ids[10];
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_CONFLICT);
	assert_string_equal(id, "");
	mf_error_dispose(&err);
	/* one that believes the repository is empty */
	req.parent = NULL;
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_CONFLICT);
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_head(s->r, head, &err), 0);
	assert_string_equal(head, s->ids[NCOMMITS - 1]);
	assert_int_equal(run(&out, "%s rev-parse main", s->git), 0);
	assert_memory_equal(out.data, s->ids[NCOMMITS - 1], 40);
	/* a lock left by a killed writer blocks updates until recovery */
	assert_int_equal(run(NULL, "touch '%s/refs/heads/main.lock'", s->repo),
	                 0);
	req.parent = s->ids[NCOMMITS - 1];
	req.message = "after a crash\n\nLog-Index: 300\n";
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_CONFLICT);
	mf_error_dispose(&err);
	mf_error_init(&err);
	{
		unsigned removed = 0;

		assert_int_equal(mf_gitrepo_recover(s->r, &removed, &err), 0);
		assert_int_equal(removed, 1);
	}
	/* the same input, now published: main moves */
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err), 0);
	assert_int_equal(mf_gitrepo_head(s->r, head, &err), 0);
	assert_string_equal(head, id);
	/* keep the test's bookkeeping: this is the new head */
	strcpy(s->ids[NCOMMITS - 1], id);
	expect_put(s, "log/checkpoint", "x");
	mf_error_dispose(&err);
	mf_buf_dispose(&out);
}

/*
 * The layer's stopwatch: the phases a published commit goes through
 * gain time, and the formatter prints them under the names the
 * publisher's debug line (and bench/publish/phases.py) uses.
 */
static void
test_stopwatch_counts_the_phases(void **state)
{
	static const char *const names[] = {"trees ",  " commit ", " sign ",
	                                    " pack ",  " refs ",   " info ",
	                                    " house ", " merge "};
	struct state *s = *state;
	const struct mf_stopwatch *sw;
	struct mf_gitrepo *r = NULL;
	struct mf_gitrepo_commit_req req;
	struct mf_gitrepo_change ch = {MF_GITREPO_PUT, "log/checkpoint",
	                               "timed", 5};
	struct mf_stopwatch before;
	struct mf_buf line = MF_BUF_INIT;
	struct mf_error err;
	char id[MF_GITREPO_ID_SIZE], repo[1200];
	const char *at;
	size_t i;

	/* a repository of its own: the others count their commits */
	snprintf(repo, sizeof(repo), "%s/timed.git", s->dir);
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_open(&r, repo, NULL, &err), 0);
	sw = mf_gitrepo_stopwatch(r);
	assert_int_equal(sw->n, MF_GITREPO_PH__MAX);
	assert_int_equal(sizeof(names) / sizeof(names[0]), MF_GITREPO_PH__MAX);
	before = *sw;
	memset(&req, 0, sizeof(req));
	req.parent = NULL;
	req.changes = &ch;
	req.nchanges = 1;
	req.message = "timed\n\nLog-Index: 0\n";
	req.author = req.committer =
	    (struct mf_gitrepo_identity){"x", "x@example.org", 1, 0};
	assert_int_equal(mf_gitrepo_commit(r, &req, id, &err), 0);
	mf_error_dispose(&err);
	/* batches of 1: built, then published at once */
	assert_true(sw->ns[MF_GITREPO_PH_TREES] >
	            before.ns[MF_GITREPO_PH_TREES]);
	assert_true(sw->ns[MF_GITREPO_PH_COMMIT] >
	            before.ns[MF_GITREPO_PH_COMMIT]);
	assert_true(sw->ns[MF_GITREPO_PH_PACK] > before.ns[MF_GITREPO_PH_PACK]);
	assert_true(sw->ns[MF_GITREPO_PH_REFS] > before.ns[MF_GITREPO_PH_REFS]);
	assert_true(sw->ns[MF_GITREPO_PH_INFO] > before.ns[MF_GITREPO_PH_INFO]);
	/* "trees 0.1 commit 0.0 ... merge 0.0": every name, in order */
	assert_int_equal(mf_stopwatch_format(&line, sw, &before), 0);
	assert_memory_equal(line.data, "trees ", 6);
	for (i = 0, at = line.data; i < MF_GITREPO_PH__MAX; i++) {
		at = strstr(at, names[i]);
		if (at == NULL)
			fail_msg("'%s' missing or out of order in '%s'",
			         names[i], line.data);
		at += strlen(names[i]);
	}
	mf_buf_dispose(&line);
	mf_gitrepo_free(r);
}

static void
test_bad_changes_are_refused(void **state)
{
	struct state *s = *state;
	static const char *const bad[] = {
	    "",       "/abs",        "a//b",     "a/",   "../x",      "a/./b",
	    "a/../b", ".git/config", "x/.GIT/y", "a\\b", "tab\there",
	};
	struct mf_gitrepo_change ch[2];
	struct mf_gitrepo_commit_req req;
	struct mf_error err;
	char id[MF_GITREPO_ID_SIZE];
	size_t i;

	memset(&req, 0, sizeof(req));
	memset(ch, 0, sizeof(ch));
	req.parent = s->ids[NCOMMITS - 1];
	req.changes = ch;
	req.message = "bad";
	req.author = req.committer =
	    (struct mf_gitrepo_identity){"x", "x@example.org", 1, 0};
	req.nchanges = 1;
	ch[0].op = MF_GITREPO_PUT;
	ch[0].data = "d";
	ch[0].len = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ch[0].path = bad[i];
		mf_error_init(&err);
		assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
		                 MF_E_BAD_PARAM);
		mf_error_dispose(&err);
	}
	/* the same path twice */
	ch[0].path = ch[1].path = "a/b";
	ch[1].op = MF_GITREPO_DELETE;
	req.nchanges = 2;
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_BAD_PARAM);
	mf_error_dispose(&err);
	/* a file where a directory is, and a directory below a file */
	req.nchanges = 1;
	ch[0].path = "models";
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_CONFLICT);
	mf_error_dispose(&err);
	ch[0].path = "log/checkpoint/x";
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_CONFLICT);
	mf_error_dispose(&err);
	/* a parent that is not an id */
	ch[0].path = "ok";
	req.parent = "HEAD";
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_commit(s->r, &req, id, &err),
	                 MF_E_BAD_PARAM);
	mf_error_dispose(&err);
	assert_string_equal(id, "");
}

static void
test_tags_are_idempotent(void **state)
{
	struct state *s = *state;
	struct mf_gitrepo_identity tagger = {
	    "modelfacts", "registry@modelfacts.test", 1700000500, 0};
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_tag(s->r, "org1/model-1/v1", s->ids[11],
	                                NULL, NULL, &err),
	                 0);
	assert_int_equal(mf_gitrepo_tag(s->r, "org1/model-1/v1", s->ids[11],
	                                NULL, NULL, &err),
	                 0);
	assert_int_equal(mf_gitrepo_tag(s->r, "org1/model-1/v1", s->ids[12],
	                                NULL, NULL, &err),
	                 MF_E_CONFLICT);
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_tag(s->r, "org2/model-0/v3", s->ids[22],
	                                "org2/model-0 version 3\n", &tagger,
	                                &err),
	                 0);
	/* again, later: a new tag object, but the same commit: fine */
	tagger.when += 60;
	assert_int_equal(mf_gitrepo_tag(s->r, "org2/model-0/v3", s->ids[22],
	                                "org2/model-0 version 3\n", &tagger,
	                                &err),
	                 0);
	assert_int_equal(mf_gitrepo_tag(s->r, "org2/model-0/v3", s->ids[32],
	                                "other\n", &tagger, &err),
	                 MF_E_CONFLICT);
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(
	    mf_gitrepo_tag(s->r, "bad..name", s->ids[1], NULL, NULL, &err),
	    MF_E_BAD_PARAM);
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(
	    mf_gitrepo_tag(s->r, "org3/model-0/v1",
	                   "0123456789012345678901234567890123456789", NULL,
	                   NULL, &err),
	    MF_E_NOT_FOUND);
	mf_error_dispose(&err);
	for (unsigned i = 0; i < 40; i++) {
		char name[64];

		snprintf(name, sizeof(name), "org%u/model-%u/v%u", i % 10,
		         i % 4, i + 10);
		mf_error_init(&err);
		assert_int_equal(mf_gitrepo_tag(s->r, name, s->ids[i * 7],
		                                i % 2 ? "annotated\n" : NULL,
		                                &tagger, &err),
		                 0);
		mf_error_dispose(&err);
	}
	assert_int_equal(run(&out, "%s tag -l 'org[12]/*/v[13]'", s->git), 0);
	assert_string_equal(out.data, "org1/model-1/v1\norg2/model-0/v3\n");
	assert_int_equal(run(&out, "%s tag -l | wc -l", s->git), 0);
	assert_int_equal(atoi(out.data), 42);
	assert_int_equal(
	    run(&out, "%s rev-parse 'org2/model-0/v3^{commit}'", s->git), 0);
	assert_memory_equal(out.data, s->ids[22], 40);
	assert_int_equal(
	    run(&out, "%s cat-file -t refs/tags/org2/model-0/v3", s->git), 0);
	assert_string_equal(out.data, "tag\n");
	assert_int_equal(
	    run(&out, "%s cat-file -t refs/tags/org1/model-1/v1", s->git), 0);
	assert_string_equal(out.data, "commit\n");
	mf_buf_dispose(&out);
}

/* Copies the repository and lets git itself write the info files. */
static void
compare_with_git_update_server_info(struct state *s)
{
	char ours[1300], theirs[1300], *a, *b;
	size_t na, nb;

	assert_int_equal(run(NULL,
	                     "rm -rf '%s/copy.git' && cp -a '%s' "
	                     "'%s/copy.git' && git --git-dir='%s/"
	                     "copy.git' update-server-info --force",
	                     s->dir, s->repo, s->dir, s->dir),
	                 0);
	snprintf(ours, sizeof(ours), "%s/info/refs", s->repo);
	snprintf(theirs, sizeof(theirs), "%s/copy.git/info/refs", s->dir);
	assert_non_null(a = read_file(ours, &na));
	assert_non_null(b = read_file(theirs, &nb));
	assert_true(na > 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
	/* the same packs (git orders them its own way) */
	assert_int_equal(run(NULL,
	                     "sort '%s/objects/info/packs' > '%s/p1' && "
	                     "sort '%s/copy.git/objects/info/packs' > '%s/p2' "
	                     "&& cmp '%s/p1' '%s/p2'",
	                     s->repo, s->dir, s->dir, s->dir, s->dir, s->dir),
	                 0);
}

static int
count_loose(struct state *s)
{
	struct mf_buf out = MF_BUF_INIT;
	int n = -1;
	char *p;

	if (run(&out, "%s count-objects -v", s->git) == 0 &&
	    (p = strstr(out.data, "count: ")) != NULL)
		n = atoi(p + 7);
	mf_buf_dispose(&out);
	return n;
}

static int
count_packs(struct state *s)
{
	struct mf_buf out = MF_BUF_INIT;
	int n = -1;

	if (run(&out, "ls '%s/objects/pack' | grep -c '\\.pack$'", s->repo) ==
	    0)
		n = atoi(out.data);
	mf_buf_dispose(&out);
	return n;
}

static void
test_info_files_match_git(void **state)
{
	struct state *s = *state;
	struct mf_buf out = MF_BUF_INIT, packs = MF_BUF_INIT;
	char path[1300], *text;
	size_t n;

	compare_with_git_update_server_info(s);
	/* every pack listed, and the blank line git ends the list with */
	snprintf(path, sizeof(path), "%s/objects/info/packs", s->repo);
	assert_non_null(text = read_file(path, &n));
	assert_true(n > 0 && text[n - 1] == '\n');
	assert_int_equal(
	    run(&out, "ls '%s/objects/pack' | grep '\\.pack$'", s->repo), 0);
	for (char *line = strtok(out.data, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		mf_buf_printf(&packs, "P %s\n", line);
		assert_non_null(strstr(text, packs.data));
		mf_buf_clear(&packs);
	}
	free(text);
	mf_buf_dispose(&out);
	mf_buf_dispose(&packs);
}

/* Loose objects as another tool (or an older version) leaves them. */
static void
add_loose_objects(struct state *s, int n, const char *salt)
{
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(run(NULL,
		                     "echo 'loose %s %d' | %s hash-object -w "
		                     "--stdin > /dev/null",
		                     salt, i, s->git),
		                 0);
}

static int
count_listed_packs(struct state *s)
{
	struct mf_buf out = MF_BUF_INIT;
	int n = -1;

	if (run(&out, "grep -c '^P pack-' '%s/objects/info/packs'", s->repo) ==
	    0)
		n = atoi(out.data);
	mf_buf_dispose(&out);
	return n;
}

static void
test_pack_removes_loose_objects(void **state)
{
	struct state *s = *state;
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;
	char id[MF_GITREPO_ID_SIZE];
	int i, loose;

	/*
	 * Commits reach the disk as packs, never as loose objects, and the
	 * one-pack-per-flush packs are merged as they come: a geometric
	 * progression of 300 commits' packs has at most log2(300) + 1.
	 */
	assert_int_equal(count_loose(s), 0);
	assert_true(count_packs(s) <= 10);
	add_loose_objects(s, 20, "first");
	assert_int_equal(count_loose(s), 20);
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_pack(s->r, &err), 0);
	assert_int_equal(count_loose(s), 0);
	assert_true(count_packs(s) <= 17);
	assert_int_equal(count_listed_packs(s), count_packs(s));
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", s->git),
	                 0);
	assert_int_equal(run(&out, "%s rev-list --count main", s->git), 0);
	/* the 300 entries and the one published after recovery */
	assert_int_equal(atoi(out.data), NCOMMITS + 1);
	compare_with_git_update_server_info(s);

	/*
	 * With a grace period, packed loose objects and merged packs stay
	 * on disk for clones that read the old pack list; merged packs
	 * leave the list at once.
	 */
	assert_int_equal(open_repo(s, 0, 3600), 0);
	add_loose_objects(s, 5, "second");
	strcpy(id, s->ids[NCOMMITS - 1]);
	for (i = 0; i < 20; i++)
		assert_int_equal(
		    commit_entry(s, NCOMMITS + (unsigned)i, id, id, false), 0);
	loose = count_loose(s);
	assert_int_equal(loose, 5);
	/* merged packs wait out their grace on disk, unlisted */
	assert_true(count_packs(s) > count_listed_packs(s));
	assert_int_equal(mf_gitrepo_pack(s->r, &err), 0);
	assert_int_equal(count_loose(s), 5);
	assert_true(count_listed_packs(s) <= 17);
	assert_true(count_packs(s) > count_listed_packs(s));
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", s->git),
	                 0);
	/* everything reachable through the listed packs alone */
	assert_int_equal(
	    run(&out,
	        "rm -rf '%s/listed.git' && mkdir -p "
	        "'%s/listed.git/objects/pack'"
	        " && cp -a '%s/HEAD' '%s/config' '%s/refs' '%s/packed-refs' "
	        "'%s/listed.git/' 2>/dev/null; for p in $(sed -n 's/^P //p' "
	        "'%s/objects/info/packs'); do cp "
	        "'%s/objects/pack/'${p%%.pack}.* "
	        "'%s/listed.git/objects/pack/'; done; git --git-dir='%s/"
	        "listed.git' fsck --no-dangling --connectivity-only",
	        s->dir, s->dir, s->repo, s->repo, s->repo, s->repo, s->dir,
	        s->repo, s->repo, s->dir, s->dir),
	    0);
	assert_int_equal(open_repo(s, 64, 0), 0);
	assert_int_equal(mf_gitrepo_pack(s->r, &err), 0);
	assert_int_equal(count_loose(s), 0);
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", s->git),
	                 0);
	strcpy(s->ids[NCOMMITS - 1], id);
	mf_error_dispose(&err);
	mf_buf_dispose(&out);
}

static void
test_crash_between_objects_and_ref(void **state)
{
	struct state *s = *state;
	struct mf_gitrepo_trailers *t = NULL;
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;
	char orphan[MF_GITREPO_ID_SIZE], head[MF_GITREPO_ID_SIZE];

	/*
	 * Entry 301 got as far as writing its objects, then the process
	 * died before the ref update (the commit point).
	 */
	assert_int_equal(
	    commit_entry(s, NCOMMITS + 21, s->ids[NCOMMITS - 1], orphan, true),
	    0);
	assert_int_equal(open_repo(s, 64, 0), 0); /* "restart" */
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_head(s->r, head, &err), 0);
	assert_string_equal(head, s->ids[NCOMMITS - 1]);
	assert_int_equal(run(&out, "%s cat-file -t %s", s->git, orphan), 0);
	assert_string_equal(out.data, "commit\n");
	assert_int_equal(run(&out, "%s fsck --strict", s->git), 0);
	assert_null(strstr(out.data, "error"));
	/* the publisher asks where the repository got to */
	assert_int_equal(mf_gitrepo_head_trailers(s->r, &t, &err), 0);
	assert_non_null(t);
	assert_string_equal(t->commit, s->ids[NCOMMITS - 1]);
	assert_string_equal(mf_gitrepo_trailer_get(t, "log-index"), "319");
	assert_non_null(mf_gitrepo_trailer_get(t, "Payload-SHA256"));
	assert_string_equal(mf_gitrepo_trailer_get(t, "Signed-By"), "key-org9");
	assert_null(mf_gitrepo_trailer_get(t, "Missing"));
	mf_gitrepo_trailers_free(t);
	/* ... and publishes entry 301 again: the same commit id */
	assert_int_equal(
	    commit_entry(s, NCOMMITS + 21, s->ids[NCOMMITS - 1], head, false),
	    0);
	assert_string_equal(head, orphan);
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", s->git),
	                 0);
	/* main pointing at a missing object is reported, not hidden */
	assert_int_equal(run(NULL,
	                     "printf '%%s\\n' "
	                     "0123456789abcdef0123456789abcdef01234567 > "
	                     "'%s/refs/heads/main'",
	                     s->repo),
	                 0);
	assert_int_equal(mf_gitrepo_head(s->r, head, &err), MF_E_IO);
	assert_non_null(strstr(err.message, "lacks"));
	mf_error_dispose(&err);
	mf_buf_dispose(&out);
}

/* Version k of a text of about size bytes: lines that change with k. */
static void
version_of(struct mf_buf *b, unsigned k, size_t size, unsigned seed)
{
	unsigned line = 0;

	mf_buf_clear(b);
	while (b->len < size) {
		/* every 7th line changes with each version; some come, go */
		if (line % 7 == 3)
			mf_buf_printf(b, "line %u of version %u (%u)\n", line,
			              k, seed);
		else if (line % 53 != k % 53)
			mf_buf_printf(b,
			              "unchanged line %u, seed %u, with some "
			              "text to share\n",
			              line, seed);
		line++;
	}
}

/*
 * Flushes that hold several versions of the same files store most as
 * deltas of each other (git/delta.c), small and large (copies past
 * 64 KiB); git resolves every one to the object it names.
 */
static void
test_deltas_between_versions_read_back(void **state)
{
	struct state *s = *state;
	struct mf_gitrepo_options o;
	struct mf_gitrepo_commit_req req;
	struct mf_gitrepo_change ch[3];
	struct mf_gitrepo *r = NULL;
	struct mf_buf a = MF_BUF_INIT, b = MF_BUF_INIT, c = MF_BUF_INIT;
	struct mf_buf out = MF_BUF_INIT, want = MF_BUF_INIT;
	struct mf_error err;
	char repo[1200], git[1300], id[MF_GITREPO_ID_SIZE] = "";
	char msg[64];
	unsigned k;

	snprintf(repo, sizeof(repo), "%s/versions.git", s->dir);
	snprintf(git, sizeof(git), "git --git-dir='%s'", repo);
	mf_gitrepo_options_default(&o);
	o.batch_max = 16;
	o.prune_grace_s = 0;
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_open(&r, repo, &o, &err), 0);
	for (k = 0; k < 48; k++) {
		version_of(&a, k, 3000, 1);
		version_of(&b, k, 200000, 2);
		version_of(&c, k * 7 % 5, 40000, 3);
		ch[0] = (struct mf_gitrepo_change){
		    MF_GITREPO_PUT, "m/a/label.md", a.data, a.len};
		ch[1] = (struct mf_gitrepo_change){
		    MF_GITREPO_PUT, "m/b/label.md", b.data, b.len};
		ch[2] = (struct mf_gitrepo_change){MF_GITREPO_PUT, "big.json",
		                                   c.data, c.len};
		snprintf(msg, sizeof(msg), "version %u\n\nLog-Index: %u\n", k,
		         k);
		memset(&req, 0, sizeof(req));
		req.parent = id;
		req.changes = ch;
		req.nchanges = 3;
		req.message = msg;
		req.author = (struct mf_gitrepo_identity){"t", "t@example.org",
		                                          1700000000 + k, 0};
		req.committer = req.author;
		assert_int_equal(mf_gitrepo_commit(r, &req, id, &err), 0);
	}
	assert_int_equal(mf_gitrepo_flush(r, &err), 0);
	assert_int_equal(mf_gitrepo_pack(r, &err), 0);
	mf_gitrepo_free(r);
	mf_error_dispose(&err);
	assert_int_equal(run(&out,
	                     "git verify-pack -v '%s'/objects/pack/*.idx | "
	                     "grep -c 'chain length'",
	                     repo),
	                 0);
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", git), 0);
	/* what git reads back is what was written */
	version_of(&want, 20, 200000, 2);
	assert_int_equal(run(&out, "%s show main~27:m/b/label.md", git), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	/* and it is much smaller than 48 versions of 240 KB */
	assert_int_equal(run(&out, "du -sk '%s/objects/pack' | cut -f1", repo),
	                 0);
	assert_true(atoi(out.data) < 1000);
	mf_buf_dispose(&a);
	mf_buf_dispose(&b);
	mf_buf_dispose(&c);
	mf_buf_dispose(&out);
	mf_buf_dispose(&want);
}

/*
 * A repository that git itself packed (offset deltas) and tagged (a
 * loose tag file): merging keeps the deltas, housekeeping puts the tag
 * into packed-refs, and git finds everything as before.
 */
static void
test_merge_keeps_deltas_and_packs_tags(void **state)
{
	struct state *s = *state;
	struct mf_gitrepo_options o;
	struct mf_gitrepo *r = NULL;
	struct mf_buf out = MF_BUF_INIT;
	struct mf_error err;
	char repo[1200], work[1200], git[1300];

	snprintf(repo, sizeof(repo), "%s/deltas.git", s->dir);
	snprintf(work, sizeof(work), "%s/deltas-work", s->dir);
	snprintf(git, sizeof(git), "git --git-dir='%s'", repo);
	/* two packs of about the same size, of versions of one file */
	assert_int_equal(
	    run(&out,
	        "git init -q --bare -b main '%s' && git init -q -b main '%s' "
	        "&& cd '%s' && for i in $(seq 60); do seq $((2000 + i)) > "
	        "f.txt && git add f.txt && git -c user.name=t -c "
	        "user.email=t@example.org commit -q -m c$i && if [ $i = 30 "
	        "]; then git push -q '%s' main && %s repack -q -a -d -f; fi; "
	        "done && git push -q '%s' main && %s repack -q -d -f && %s "
	        "tag v1 main~5",
	        repo, work, work, repo, git, repo, git, git),
	    0);
	assert_int_equal(run(&out,
	                     "for p in '%s'/objects/pack/*.idx; do git "
	                     "verify-pack -v \"$p\" | grep -c 'chain length' "
	                     "|| exit 1; done | wc -l",
	                     repo),
	                 0);
	assert_int_equal(atoi(out.data), 2); /* both packs have deltas */
	mf_gitrepo_options_default(&o);
	o.pack_every = 0;
	o.prune_grace_s = 0;
	mf_error_init(&err);
	assert_int_equal(mf_gitrepo_open(&r, repo, &o, &err), 0);
	assert_int_equal(mf_gitrepo_pack(r, &err), 0);
	mf_gitrepo_free(r);
	mf_error_dispose(&err);
	assert_int_equal(
	    run(&out, "grep -c '^P ' '%s/objects/info/packs'", repo), 0);
	assert_int_equal(atoi(out.data), 1);
	/* the deltas came along (rewritten to name their bases by id) */
	assert_int_equal(run(&out,
	                     "git verify-pack -v '%s'/objects/pack/*.idx | "
	                     "grep -c 'chain length'",
	                     repo),
	                 0);
	assert_int_equal(run(&out, "%s fsck --strict --no-dangling", git), 0);
	assert_int_equal(run(&out, "%s rev-list --count main", git), 0);
	assert_int_equal(atoi(out.data), 60);
	assert_int_equal(run(&out, "%s show v1:f.txt | wc -l", git), 0);
	assert_int_equal(atoi(out.data), 2055);
	/* the tag left its loose file for packed-refs, and info/refs has it */
	assert_int_equal(run(&out, "ls '%s/refs/tags' | wc -l", repo), 0);
	assert_int_equal(atoi(out.data), 0);
	assert_int_equal(run(&out,
	                     "grep -c 'refs/tags/v1' '%s/packed-refs' "
	                     "'%s/info/refs'",
	                     repo, repo),
	                 0);
	assert_non_null(strstr(out.data, "packed-refs:1"));
	assert_non_null(strstr(out.data, "info/refs:1"));
	mf_buf_dispose(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_creates_bare_repository),
	    cmocka_unit_test(test_commits_read_back_with_git),
	    cmocka_unit_test(test_commit_ids_are_reproducible),
	    cmocka_unit_test(test_stale_parent_is_a_conflict),
	    cmocka_unit_test(test_stopwatch_counts_the_phases),
	    cmocka_unit_test(test_bad_changes_are_refused),
	    cmocka_unit_test(test_tags_are_idempotent),
	    cmocka_unit_test(test_info_files_match_git),
	    cmocka_unit_test(test_pack_removes_loose_objects),
	    cmocka_unit_test(test_crash_between_objects_and_ref),
	    cmocka_unit_test(test_deltas_between_versions_read_back),
	    cmocka_unit_test(test_merge_keeps_deltas_and_packs_tags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
