/*
 * The git publisher thread (see publisher.h). Each log entry becomes one
 * commit whose files and metadata are a function of the log alone (labels
 * as of the entry's position, keys as of it, the checkpoint that first
 * covered it, the accepted time as commit time, deterministic Ed25519
 * signatures), so publishing an entry twice gives the same commit.
 */
#include "publish/publisher.h"
#include "common/buf.h"
#include "common/json.h"
#include "common/diag.h"
#include "common/stopwatch.h"
#include "common/timeutil.h"
#include "envelope/keys.h"
#include "envelope/sshsig.h"
#include "app/app.h"
#include "db/db.h"
#include "db/publish.h"
#include "git/mirror.h"
#include "git/repo.h"
#include "publish/label_data.h"
#include "app/registry_keys.h"
#include "db/tlog.h"
#include "sequencer/lease.h"

#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Entries per batch (one flush). */
#define BATCH_N 128
/* A batch is flushed after this long even if it is not full: entries
 * about a model with thousands of evals take a few hundred ms each, and
 * a full batch of them was tens of seconds of work published late and
 * lost whole if the batch failed (issue 15, finding 3). */
#define BATCH_BUDGET_MS 1000
#define MAX_CHANGES     256
/* Fallback poll, in case a notification was missed. */
#define POLL_MS 500
/* Entries of the cross-model facts written per transaction: small enough
 * that one statement stays well inside the lease (renewed between them). */
#define FACTS_SLICE 100
/* How much the publisher yields to request threads under load. */
#define PUBLISHER_NICE 10
/* Pack merging per round while there is nothing to publish. */
#define IDLE_SLICE_MS 20
/* Shortest time from one batch's start to the next's, unless full. */
#define LINGER_MS 100

/* Where a batch's time goes, for the debug log line of each batch. */
enum phase {
	PH_PENDING, /* reading the batch's entries */
	PH_LABEL,   /* label data from the database */
	PH_RENDER,  /* label.md and label.json */
	PH_KEYS,    /* key files */
	PH_GIT,     /* trees, commit, signature, tag */
	PH_FLUSH,   /* pack, ref update, info files, housekeeping */
	PH_RECORD,  /* commit ids into publications */
	PH__MAX
};

struct mf_publisher {
	pthread_t thread;
	pthread_mutex_t lock;
	bool stopping;
	struct mf_app *app;
	struct mf_gitrepo *repo;
	struct mf_lease lease; /* the "publisher" lease */
	bool synced;
	unsigned long listening;
	int64_t next; /* the first log index not in the repository */
	char head[MF_GITREPO_ID_SIZE];
	/* organisations whose key files this process has written: they only
	 * change with key events, so other entries skip the query */
	char **keyed;
	size_t nkeyed;
	struct mf_stopwatch sw; /* the current batch's time per phase */
	int facts_slice; /* entries per facts transaction (0: FACTS_SLICE) */
};

#define MAX_KEYED 4096
/* Largest label.md or label.json (as the label endpoints allow). */
#define LABEL_MAX (16u << 20)

static const char *const phase_names[PH__MAX] = {
    "pending", "label", "render", "keys", "git", "flush", "record"};

static bool
keys_known(struct mf_publisher *p, const char *org)
{
	size_t i;

	for (i = 0; i < p->nkeyed; i++)
		if (strcmp(p->keyed[i], org) == 0)
			return true;
	return false;
}

static void
keys_written(struct mf_publisher *p, const char *org)
{
	char **k;

	if (p->nkeyed >= MAX_KEYED || keys_known(p, org))
		return;
	if ((k = realloc(p->keyed, (p->nkeyed + 1) * sizeof(*k))) == NULL)
		return;
	p->keyed = k;
	if ((k[p->nkeyed] = strdup(org)) != NULL)
		p->nkeyed++;
}

static void
keys_forget(struct mf_publisher *p)
{
	while (p->nkeyed > 0)
		free(p->keyed[--p->nkeyed]);
	free(p->keyed);
	p->keyed = NULL;
}

/* Files of one commit; owns the bytes of each change. */
struct commit_files {
	struct mf_gitrepo_change changes[MAX_CHANGES];
	char *owned[MAX_CHANGES * 2];
	size_t n, nowned;
};

static void
files_reset(struct commit_files *f)
{
	size_t i;

	for (i = 0; i < f->nowned; i++)
		free(f->owned[i]);
	memset(f, 0, sizeof(*f));
}

/* Adds path -> data; takes ownership of path and data (both malloc'd). */
static int
files_put(struct commit_files *f, char *path, char *data, size_t len)
{
	if (path == NULL || data == NULL || f->n == MAX_CHANGES) {
		free(path);
		free(data);
		return MF_E_NOMEM;
	}
	f->owned[f->nowned++] = path;
	f->owned[f->nowned++] = data;
	f->changes[f->n].op = MF_GITREPO_PUT;
	f->changes[f->n].path = path;
	f->changes[f->n].data = data;
	f->changes[f->n].len = len;
	f->n++;
	return 0;
}

/* Joins path components with '/'; the list ends with NULL. */
static char *
path_of(const char *first, ...)
{
	struct mf_buf p = MF_BUF_INIT;
	const char *part;
	va_list ap;
	int rc;

	rc = mf_buf_puts(&p, first);
	va_start(ap, first);
	while (rc == 0 && (part = va_arg(ap, const char *)) != NULL)
		if ((rc = mf_buf_putc(&p, '/')) == 0)
			rc = mf_buf_puts(&p, part);
	va_end(ap);
	if (rc != 0) {
		mf_buf_dispose(&p);
		return NULL;
	}
	return mf_buf_detach(&p, NULL);
}

static int
sign_commit(void *ctx, const char *data, size_t len, struct mf_buf *out,
            struct mf_error *err)
{
	uint8_t *blob = NULL;
	char *armored = NULL;
	size_t n;
	int rc;

	rc = mf_sshsig_sign(&blob, &n, ctx, MF_SSHSIG_GIT_NAMESPACE,
	                    (const uint8_t *)data, len, err);
	if (rc == 0 && (rc = mf_sshsig_armor(&armored, blob, n)) != 0)
		mf_error_set(err, rc, NULL, "cannot armor the signature");
	if (rc == 0 && (rc = mf_buf_puts(out, armored)) != 0)
		mf_error_set(err, rc, NULL, "out of memory");
	free(blob);
	free(armored);
	return rc;
}

/* orgs/<org>/keys.json and a PEM file per key, as of entry idx. */
static int
add_keys(struct commit_files *f, const char *org, int64_t idx,
         struct mf_error *err)
{
	json_t *keys = NULL, *k;
	size_t i;
	int rc = 0;

	if ((rc = mf_db_pub_keys(&keys, org, idx, err)) != 0 || keys == NULL)
		return rc;
	json_array_foreach(keys, i, k)
	{
		const char *text = mf_json_str(k, "public_key");
		struct mf_key *key = NULL;
		char *pem = NULL, keyfile[80];

		snprintf(keyfile, sizeof(keyfile), "%.64s.pem",
		         mf_json_str(k, "keyid") ? mf_json_str(k, "keyid")
		                                 : "");
		if (text == NULL ||
		    mf_key_parse_public(&key, text, strlen(text), err) != 0 ||
		    mf_key_public_pem(key, &pem) != 0) {
			mf_key_free(key);
			rc = err->code ? err->code : MF_E_NOMEM;
			goto done;
		}
		mf_key_free(key);
		if ((rc = files_put(f,
		                    path_of("orgs", org, "keys", keyfile, NULL),
		                    pem, strlen(pem))) != 0)
			goto done;
	}
	{
		char *text = json_dumps(keys, JSON_INDENT(2) | JSON_SORT_KEYS);
		size_t len = text ? strlen(text) : 0;

		if (text != NULL) {
			char *nl = realloc(text, len + 2);

			if (nl != NULL) {
				text = nl;
				memcpy(text + len, "\n", 2);
				len++;
			}
		}
		rc = files_put(f, path_of("orgs", org, "keys.json", NULL), text,
		               len);
	}
done:
	json_decref(keys);
	if (rc != 0 && err->code == 0)
		mf_error_set(err, rc, NULL, "cannot list keys");
	return rc;
}

/*
 * label.md and label.json of the model's newest version as of idx: the
 * same bytes as the label endpoints serve (mf_label_markdown and
 * mf_label_json_text), from one label tree built once for both.
 */
static int
add_label(struct mf_publisher *p, struct commit_files *f, const char *org,
          const char *model, int64_t idx, struct mf_error *err)
{
	struct mf_label_data d;
	struct mf_buf md, js;
	json_t *label = NULL;
	size_t mdlen = 0, jslen = 0;
	int rc;

	mf_stopwatch_mark(&p->sw, PH_GIT);
	/* No public URL: the repository must not depend on a deployment. */
	rc = mf_label_data_load(&d, org, model, 0, idx, p->app->cfg->origin,
	                        NULL, err);
	mf_stopwatch_mark(&p->sw, PH_LABEL);
	if (rc == MF_E_NOT_FOUND) { /* an eval of a model without a version */
		mf_error_dispose(err);
		mf_error_init(err);
		return 0;
	}
	if (rc != 0)
		return rc;
	mf_buf_init(&md, LABEL_MAX);
	mf_buf_init(&js, LABEL_MAX);
	if ((rc = mf_label_json(&label, &d.in)) == 0 &&
	    (rc = mf_label_render(&md, label, MF_LABEL_MARKDOWN)) == 0 &&
	    (rc = mf_label_json_write(&js, label)) == 0) {
		char *mdtext = mf_buf_detach(&md, &mdlen);
		char *jstext = mf_buf_detach(&js, &jslen);

		if ((rc = files_put(
		         f, path_of("models", org, model, "label.md", NULL),
		         mdtext, mdlen)) == 0)
			rc = files_put(
			    f,
			    path_of("models", org, model, "label.json", NULL),
			    jstext, jslen);
		else
			free(jstext);
	} else {
		mf_error_set(err, rc, NULL, "cannot render the label");
	}
	json_decref(label);
	mf_buf_dispose(&md);
	mf_buf_dispose(&js);
	mf_label_data_dispose(&d);
	mf_stopwatch_mark(&p->sw, PH_RENDER);
	return rc;
}

/* Builds and stages the commit of one pending entry. */
static int
publish_entry(struct mf_publisher *p, const struct mf_db_pub_entry *e,
              char commit[MF_GITREPO_ID_SIZE], struct mf_error *err)
{
	const char *kind = e->kind, *signer = e->signer;
	const char *org = e->org, *model = e->model;
	const char *sha = e->payload_sha256, *keyids = e->keyids;
	const char *env = e->envelope, *accepted = e->accepted_at;
	int version = e->version;
	int64_t idx = e->log_index;
	struct mf_gitrepo_commit_req req;
	struct commit_files f;
	struct mf_buf msg = MF_BUF_INIT;
	char author_email[128], tag[256], vstr[16], file[64];
	const char *k, *sp;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	memset(&req, 0, sizeof(req));
	snprintf(vstr, sizeof(vstr), "%d", version);
	if (strcmp(kind, "disclosure") == 0)
		rc = files_put(
		    &f,
		    path_of("models", org, model, "disclosure.dsse.json", NULL),
		    strdup(env), strlen(env));
	else if (strcmp(kind, "key-event") == 0 &&
	         snprintf(file, sizeof(file), "%" PRId64 ".dsse.json", idx) > 0)
		rc = files_put(&f,
		               path_of("orgs", org, "key-events", file, NULL),
		               strdup(env), strlen(env));
	else if (strcmp(kind, "resigning") == 0 &&
	         snprintf(file, sizeof(file), "%.16s-%" PRId64 ".dsse.json",
	                  sha, idx) > 0)
		/* a document signed anew (migrations/0010) */
		rc = files_put(
		    &f, path_of("models", org, model, "resignings", file, NULL),
		    strdup(env), strlen(env));
	else if (strcmp(kind, "withdrawal") == 0 &&
	         snprintf(file, sizeof(file), "%.16s.dsse.json", sha) > 0)
		rc = files_put(
		    &f,
		    path_of("models", org, model, "withdrawals", file, NULL),
		    strdup(env), strlen(env));
	else {
		snprintf(file, sizeof(file), "%.16s.dsse.json", sha);
		rc = files_put(
		    &f, path_of("models", org, model, "evals", file, NULL),
		    strdup(env), strlen(env));
	}
	if (rc == 0 && strcmp(kind, "key-event") != 0)
		rc = add_label(p, &f, org, model, idx, err);
	/* Key files as of this entry; unchanged ones would make identical
	 * blobs, so they are only rewritten when they can have changed. */
	if (rc == 0 &&
	    (strcmp(kind, "key-event") == 0 || !keys_known(p, signer))) {
		mf_stopwatch_mark(&p->sw, PH_GIT);
		rc = add_keys(&f, signer, idx, err);
		mf_stopwatch_mark(&p->sw, PH_KEYS);
		if (rc == 0)
			keys_written(p, signer);
	}
	if (rc == 0 && e->checkpoint != NULL)
		rc = files_put(&f, strdup("log/checkpoint"),
		               strdup(e->checkpoint), e->checkpoint_len);
	if (rc != 0)
		goto done;

	/* The message: what, who, and the trailers the history API reads. */
	mf_buf_printf(&msg, "%s: %s%s%s", kind, org, model[0] ? "/" : "",
	              model);
	if (version > 0)
		mf_buf_printf(&msg, " version %d", version);
	mf_buf_printf(&msg, "\n\nSigned by %s; accepted at %s.\n\n", signer,
	              accepted);
	mf_buf_printf(&msg, "Log-Index: %" PRId64 "\n", idx);
	if (version > 0)
		mf_buf_printf(&msg, "Version: %d\n", version);
	mf_buf_printf(&msg, "Payload-SHA256: %s\n", sha);
	for (k = keyids; *k; k = *sp ? sp + 1 : sp) {
		sp = strchr(k, ' ');
		if (sp == NULL)
			sp = k + strlen(k);
		mf_buf_printf(&msg, "Signed-By: %.*s\n", (int)(sp - k), k);
	}
	if (msg.data == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	snprintf(author_email, sizeof(author_email), "%s@modelfacts", signer);
	req.parent = p->head;
	req.changes = f.changes;
	req.nchanges = f.n;
	req.message = msg.data;
	req.author.name = signer;
	req.author.email = author_email;
	req.author.when = e->accepted;
	req.committer.name = "modelfacts registry";
	req.committer.email = MF_REGISTRY_PRINCIPAL;
	req.committer.when = req.author.when;
	req.sign = sign_commit;
	req.sign_ctx = p->app->keys.commit_key;
	if ((rc = mf_gitrepo_commit(p->repo, &req, commit, err)) != 0)
		goto done;
	if (strcmp(kind, "disclosure") == 0) {
		snprintf(tag, sizeof(tag), "%s/%s/v%s", org, model, vstr);
		rc = mf_gitrepo_tag(p->repo, tag, commit, NULL, NULL, err);
	}
done:
	mf_buf_dispose(&msg);
	files_reset(&f);
	return rc;
}

/*
 * Records commit ids in the publications table, in a transaction fenced
 * by the lease: a node that lost the lease records nothing.
 */
static int
record_fenced(struct mf_publisher *p, struct mf_db_pub_records *r,
              struct mf_error *err)
{
	int rc;

	if ((rc = mf_db_begin(err)) != 0)
		return rc;
	if ((rc = mf_lease_fence(&p->lease, err)) == 0 &&
	    (rc = mf_db_pub_record(r, err)) == 0)
		rc = mf_db_commit(err);
	mf_db_rollback(); /* nothing when committed */
	return rc;
}

/*
 * Where the repository stands: its head's Log-Index. Commits the
 * database has not recorded (a crash between the ref update and the
 * insert) are found by walking back, and recorded now.
 */
static int
sync_position(struct mf_publisher *p, struct mf_error *err)
{
	struct mf_db_pub_records unrecorded;
	struct mf_gitrepo_trailers *t = NULL;
	char cur[MF_GITREPO_ID_SIZE], parent[MF_GITREPO_ID_SIZE];
	const char *li;
	int64_t at, last, recorded;
	int rc;

	mf_db_pub_records_init(&unrecorded);
	if ((rc = mf_gitrepo_head(p->repo, p->head, err)) != 0)
		goto done;
	p->next = 0;
	if (p->head[0] == '\0')
		goto done;
	if ((rc = mf_db_pub_last(&recorded, err)) != 0)
		goto done;
	snprintf(cur, sizeof(cur), "%s", p->head);
	last = -1;
	while (cur[0] != '\0') {
		if ((rc = mf_gitrepo_commit_trailers(p->repo, cur, &t, parent,
		                                     err)) != 0)
			goto done;
		li = mf_gitrepo_trailer_get(t, "Log-Index");
		if (li == NULL) {
			rc = mf_error_set(err, MF_E_IO, NULL,
			                  "commit %s has no Log-Index", cur);
			goto done;
		}
		at = strtoll(li, NULL, 10);
		if (last < 0)
			last = at;
		if (at <= recorded)
			break;
		if ((rc = mf_db_pub_records_add(&unrecorded, at, cur)) != 0) {
			mf_error_set(err, rc, NULL, "out of memory");
			goto done;
		}
		mf_gitrepo_trailers_free(t);
		t = NULL;
		snprintf(cur, sizeof(cur), "%s", parent);
	}
	if (unrecorded.n > 0) {
		mf_diag_info("git publisher: recording commits up to log index "
		             "%" PRId64 " found in the repository",
		             last);
		if ((rc = record_fenced(p, &unrecorded, err)) != 0)
			goto done;
	}
	p->next = last + 1;
done:
	mf_gitrepo_trailers_free(t);
	mf_db_pub_records_dispose(&unrecorded);
	if (rc == 0)
		p->synced = true;
	return rc;
}

/* One debug line per batch: ms per phase, the git layer's in brackets. */
static void
log_times(struct mf_publisher *p, int n, const struct mf_stopwatch *git0)
{
	struct mf_buf b = MF_BUF_INIT;

	mf_buf_putc(&b, ' ');
	mf_stopwatch_format(&b, &p->sw, NULL);
	mf_buf_puts(&b, " [");
	mf_stopwatch_format(&b, mf_gitrepo_stopwatch(p->repo), git0);
	mf_buf_puts(&b, "]");
	mf_diag_debug("git publisher: %d entries in %.1f ms:%s", n,
	              (double)mf_stopwatch_elapsed(&p->sw) / 1e6,
	              b.data ? b.data : "");
	mf_buf_dispose(&b);
}

static int hold_lease(struct mf_publisher *p, struct mf_error *err);

/*
 * Renews the lease as due in the middle of a batch: MF_E_CONFLICT when
 * it is no longer held by `token` (lost, or lost and taken again, which
 * reopened the repository under the batch).
 */
static int
still_leading(struct mf_publisher *p, int64_t token, struct mf_error *err)
{
	int rc;

	if ((rc = hold_lease(p, err)) != 0)
		return rc;
	if (!mf_lease_held(&p->lease) || p->lease.token != token)
		return mf_error_set(err, MF_E_CONFLICT, NULL,
		                    "the publisher lease was lost");
	return 0;
}

/* Publishes one batch of entries; *n gets how many (0: idle). */
static int
publish_batch(struct mf_publisher *p, int *n, struct mf_error *err)
{
	struct mf_db_pub_records published;
	struct mf_db_pub_batch batch;
	char commit[MF_GITREPO_ID_SIZE];
	struct mf_stopwatch git0;
	int64_t token = p->lease.token;
	int r, rc = 0;

	*n = 0;
	mf_db_pub_records_init(&published);
	git0 = *mf_gitrepo_stopwatch(p->repo);
	mf_stopwatch_init(&p->sw, phase_names, PH__MAX);
	if ((rc = mf_db_pub_pending(&batch, p->next, BATCH_N, err)) != 0)
		goto done;
	mf_stopwatch_mark(&p->sw, PH_PENDING);
	for (r = 0; r < (int)batch.n; r++) {
		if (r > 0 && mf_stopwatch_elapsed(&p->sw) >
		                 (int64_t)BATCH_BUDGET_MS * 1000000)
			break; /* the rest goes in the next batch */
		if (batch.entries[r].log_index != p->next + r) {
			rc = mf_error_set(err, MF_E_INTERNAL, NULL,
			                  "log gap at %" PRId64, p->next + r);
			goto fail;
		}
		if ((rc = still_leading(p, token, err)) != 0 ||
		    (rc = publish_entry(p, &batch.entries[r], commit, err)) !=
		        0)
			goto fail;
		memcpy(p->head, commit, sizeof(commit));
		if ((rc = mf_db_pub_records_add(&published, p->next + r,
		                                commit)) != 0) {
			mf_error_set(err, rc, NULL, "out of memory");
			goto fail;
		}
	}
	if (r == 0)
		goto done;
	/* The ref update inside flush is the commit point: only a holder
	 * of the lease gets there (main moves by compare-and-swap besides). */
	mf_stopwatch_mark(&p->sw, PH_GIT);
	if ((rc = still_leading(p, token, err)) != 0 ||
	    (rc = mf_gitrepo_flush(p->repo, err)) != 0)
		goto fail;
	mf_stopwatch_mark(&p->sw, PH_FLUSH);
	p->next += r;
	*n = r;
	mf_mirror_notify(p->app->mirror); /* never waits for a push */
	/* A failure here is repaired by sync_position on the next round. */
	if ((rc = record_fenced(p, &published, err)) != 0)
		p->synced = false;
	mf_stopwatch_mark(&p->sw, PH_RECORD);
	log_times(p, r, &git0);
	goto done;
fail:
	/* Drop what was staged: reopen, then re-read the head. */
	mf_gitrepo_free(p->repo);
	p->repo = NULL;
	p->synced = false;
	keys_forget(p);
done:
	mf_db_pub_batch_dispose(&batch);
	mf_db_pub_records_dispose(&published);
	return rc;
}

/*
 * Merges packs for at most budget_ms (mf_gitrepo_maintain); true while
 * more is to do. Publishing does not depend on it: a failure is logged.
 */
static bool
merge_slice(struct mf_publisher *p, unsigned budget_ms)
{
	struct mf_error err;
	bool busy = false;

	mf_error_init(&err);
	if (mf_gitrepo_maintain(p->repo, budget_ms, &busy, &err) != 0)
		mf_diag_warn("git publisher: merging packs: %s", err.message);
	mf_error_dispose(&err);
	return busy;
}

static bool stopping(struct mf_publisher *p);

/* Renews the lease as due while lingering; non-zero when it was lost. */
static int
renew(struct mf_publisher *p)
{
	struct mf_error err;
	int rc;

	mf_error_init(&err);
	rc = hold_lease(p, &err);
	mf_error_dispose(&err);
	return rc != 0 || !mf_lease_held(&p->lease);
}

/*
 * After a batch that was not full, the next one starts LINGER_MS after
 * this one did: a steady stream of entries is then published in a few
 * larger batches rather than many small ones, which matters because a
 * flush writes a pack, its index, the pack list, packed-refs and
 * info/refs whatever its size. The wait goes to merging packs.
 */
static void
linger(struct mf_publisher *p, int64_t started_ns)
{
	int64_t until = started_ns + (int64_t)LINGER_MS * 1000000, now;
	bool merging = true;

	while (!stopping(p) && (now = mf_time_mono_ns()) < until) {
		if (renew(p) != 0)
			return;
		if (merging && until - now >= 1000000 &&
		    mf_lease_held(&p->lease)) {
			merging =
			    merge_slice(p, (unsigned)((until - now) / 1000000));
		} else {
			struct timespec ts = {0, (long)(until - now)};

			nanosleep(&ts, NULL);
		}
	}
}

static bool
stopping(struct mf_publisher *p)
{
	bool s;

	pthread_mutex_lock(&p->lock);
	s = p->stopping;
	pthread_mutex_unlock(&p->lock);
	return s;
}

/*
 * (Re)opens the repository, dropping anything staged in memory, and
 * clears what a killed writer left behind. Only the lock holder does this.
 */
static int
open_repo(struct mf_publisher *p, struct mf_error *err)
{
	struct mf_gitrepo_options opt;
	unsigned removed = 0;
	int64_t t0 = mf_time_mono_ns();
	int rc;

	mf_gitrepo_free(p->repo);
	p->repo = NULL;
	p->synced = false;
	keys_forget(p);
	mf_gitrepo_options_default(&opt);
	opt.batch_max = 100000; /* we flush once per batch ourselves */
	if ((rc = mf_gitrepo_open(&p->repo, p->app->cfg->git_dir, &opt, err)) !=
	        0 ||
	    (rc = mf_gitrepo_recover(p->repo, &removed, err)) != 0) {
		mf_gitrepo_free(p->repo);
		p->repo = NULL;
		return rc;
	}
	if (removed > 0)
		mf_diag_info("git publisher: removed %u stale lock files",
		             removed);
	/* what a reopen costs (after every fault) grows with the refs and
	 * packs: timed, as the batches are (issue 15, finding 3) */
	mf_diag_debug("git publisher: repository opened in %.1f ms",
	              (double)(mf_time_mono_ns() - t0) / 1e6);
	return 0;
}

/*
 * Takes or renews the lease as due. Whoever has just taken it over
 * reopens the repository (clearing what a killed holder left) and reads
 * where it stands again.
 */
static int
hold_lease(struct mf_publisher *p, struct mf_error *err)
{
	bool gained;
	int rc;

	if ((rc = mf_lease_tick(&p->lease, &gained, err)) != 0 || !gained)
		return rc;
	mf_diag_info("git publisher: this process publishes to %s",
	             p->app->cfg->git_dir);
	return open_repo(p, err);
}

static void
lease_init(struct mf_publisher *p)
{
	unsigned ms = (unsigned)p->app->cfg->lease_ms;

	mf_lease_init(&p->lease, "publisher", ms > 0 ? ms : 5000);
}
/*
 * The cross-model facts (migrations/0008) follow the log behind it, like
 * the repository: brought up to the newest entry in slices, so that a
 * long catch-up (after an upgrade) never holds their lock for long. A
 * slice that the database deadline cuts short is rolled back whole, so
 * the slice halves after each (down to one entry) until the facts have
 * caught up: with a fixed one, a backlog whose slice took longer
 * than the deadline stopped publication for good (issue 15's fault
 * campaign, after the git file system had been full).
 */
static int
facts_catch_up(struct mf_publisher *p, struct mf_error *err)
{
	int64_t before = -2, after = -1;

	if (p->facts_slice <= 0)
		p->facts_slice = FACTS_SLICE;
	while (!stopping(p) && after != before) {
		before = after;
		if (mf_db_facts_catch_up(-1, p->facts_slice, &after, err) !=
		    0) {
			if (err->code == MF_E_UNAVAILABLE && p->facts_slice > 1)
				p->facts_slice /= 2;
			return err->code;
		}
		if (hold_lease(p, err) != 0) /* a long catch-up renews */
			return err->code;
		if (!mf_lease_held(&p->lease))
			return mf_error_set(err, MF_E_CONFLICT, NULL,
			                    "the publisher lease was lost");
	}
	p->facts_slice = FACTS_SLICE; /* caught up: the backlog is gone */
	return 0;
}

static void *
publisher_main(void *arg)
{
	struct mf_publisher *p = arg;
	struct mf_error err;
	int n, count, wait_ms = 0;

	prctl(PR_SET_NAME, "mf-publisher", 0, 0, 0); /* for top and perf */
	/*
	 * Publication runs behind acceptance by design: when the machine is
	 * saturated, accepting and logging submissions come first and the
	 * publisher catches up when load falls (Linux: a thread's own nice).
	 */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), PUBLISHER_NICE);

	while (!stopping(p)) {
		mf_error_init(&err);
		if (hold_lease(p, &err) != 0)
			goto fail;
		if (!mf_lease_held(&p->lease)) {
			wait_ms = 100;
			goto wait;
		}
		if (p->listening != mf_db_generation()) {
			if (mf_db_listen("mf_log", &err) != 0)
				goto fail;
			p->listening = mf_db_generation();
		}
		if (p->repo == NULL && open_repo(p, &err) != 0)
			goto fail;
		if (!p->synced) {
			int64_t t0 = mf_time_mono_ns();

			if (sync_position(p, &err) != 0)
				goto fail;
			mf_diag_debug("git publisher: at log index %" PRId64
			              " after %.1f ms reading the repository",
			              p->next,
			              (double)(mf_time_mono_ns() - t0) / 1e6);
		}
		do {
			int64_t started = mf_time_mono_ns();

			if (facts_catch_up(p, &err) != 0)
				goto fail;
			if (publish_batch(p, &n, &err) != 0)
				goto fail;
			if (n > 0 && n < BATCH_N)
				linger(p, started);
		} while (n > 0 && !stopping(p));
		wait_ms =
		    mf_lease_held(&p->lease) && merge_slice(p, IDLE_SLICE_MS)
		        ? 0
		        : POLL_MS;
		goto wait;
	fail:
		mf_diag_warn("git publisher: %s; retrying", err.message);
		wait_ms = mf_lease_held(&p->lease) ? 1000 : 100;
	wait:
		mf_error_dispose(&err);
		mf_error_init(&err);
		/* The sequencer's NOTIFY wakes us; the timeout is a fallback.
		 */
		if (mf_db_connect(&err) == 0 &&
		    p->listening == mf_db_generation())
			mf_db_wait_notify(wait_ms > 200 ? 200 : wait_ms, -1,
			                  &count, &err);
		else {
			struct timespec ts = {0, 200 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
		mf_error_dispose(&err);
	}
	mf_gitrepo_free(p->repo);
	keys_forget(p);
	mf_lease_release(&p->lease); /* another node takes over at once */
	mf_db_drop();
	return NULL;
}

int
mf_publisher_start(struct mf_publisher **out, struct mf_app *app,
                   struct mf_error *err)
{
	struct mf_publisher *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (p == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	p->app = app;
	lease_init(p);
	pthread_mutex_init(&p->lock, NULL);
	if (pthread_create(&p->thread, NULL, publisher_main, p) != 0) {
		free(p);
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot start the git publisher");
	}
	*out = p;
	return 0;
}

void
mf_publisher_stop(struct mf_publisher *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
mf_publisher_run_once(struct mf_app *app, int *published, struct mf_error *err)
{
	struct mf_publisher p;
	int n, rc;

	memset(&p, 0, sizeof(p));
	p.app = app;
	lease_init(&p);
	*published = 0;
	/* 1. The lease, and with it the repository, as the thread takes them.
	 */
	if ((rc = hold_lease(&p, err)) != 0)
		goto done;
	if (!mf_lease_held(&p.lease)) {
		rc = mf_error_set(err, MF_E_CONFLICT, NULL,
		                  "another process publishes");
		goto done;
	}
	/* 2. Where the repository stands. */
	if ((rc = sync_position(&p, err)) != 0)
		goto done;
	/* 3. Batches until none is pending. */
	do {
		if ((rc = publish_batch(&p, &n, err)) != 0)
			goto done;
		*published += n;
	} while (n > 0);
done:
	mf_gitrepo_free(p.repo);
	keys_forget(&p);
	mf_lease_release(&p.lease);
	mf_db_drop();
	return rc;
}
