/*
 * Pushing the published repository to mirrors (see mirror.h): a thread
 * per remote waits for a notification, a poll or its retry time, then
 * pushes main and every tag with libgit2 on a repository handle of its
 * own (the publisher's handle is its thread's alone). Fast-forward only.
 */
#include "git/mirror.h"
#include "common/diag.h"

#include <git2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct remote {
	struct mf_mirror *m;
	pthread_t tid;
	bool started, exited;
	char url[512];              /* as given: what libgit2 pushes to */
	bool kicked;                /* notified: push when due */
	int64_t next_poll_ms;       /* monotonic */
	int64_t next_attempt_ms;    /* monotonic, the backoff */
	struct mf_mirror_status st; /* under m->lock */
};

struct mf_mirror {
	pthread_mutex_t lock;
	pthread_cond_t cv; /* monotonic clock */
	bool stop;
	atomic_bool cancel; /* read by libgit2's progress callbacks */
	char *git_dir;      /* owned */
	struct remote *remotes;
	size_t n;
	bool inited; /* git_libgit2_init was called */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
unix_s(void)
{
	return (int64_t)time(NULL);
}

/* url without a password ("https://user:pw@host" -> "https://user@host"). */
static void
redact(const char *url, char *out, size_t n)
{
	const char *scheme = strstr(url, "://"), *at, *colon, *slash;

	snprintf(out, n, "%s", url);
	if (scheme == NULL)
		return;
	scheme += 3;
	slash = strchr(scheme, '/');
	at = strchr(scheme, '@');
	if (at == NULL || (slash != NULL && at > slash))
		return;
	colon = memchr(scheme, ':', (size_t)(at - scheme));
	if (colon == NULL)
		return;
	snprintf(out, n, "%.*s%s", (int)(colon - url), url, at);
}

/* State of one push, for libgit2's callbacks. */
struct push_ctx {
	struct mf_mirror *m;
	char rejected[200]; /* the first ref the remote refused, and why */
};

static int
on_update(const char *refname, const char *status, void *data)
{
	struct push_ctx *c = data;

	if (status != NULL && c->rejected[0] == '\0')
		snprintf(c->rejected, sizeof(c->rejected), "%s: %s", refname,
		         status);
	return 0;
}

static int
on_progress(unsigned current, unsigned total, size_t bytes, void *data)
{
	struct push_ctx *c = data;

	(void)current;
	(void)total;
	(void)bytes;
	return atomic_load(&c->m->cancel) ? -1 : 0;
}

static int
on_sideband(const char *str, int len, void *data)
{
	(void)str;
	(void)len;
	return on_progress(0, 0, 0, data);
}

/* The refspecs of one push: main and every tag, each name:name. */
struct refspecs {
	char **v;
	size_t n, cap;
};

static int
refspecs_add(struct refspecs *r, const char *name)
{
	char **v;
	size_t len = strlen(name) * 2 + 2;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;

		if ((v = realloc(r->v, cap * sizeof(*v))) == NULL)
			return MF_E_NOMEM;
		r->v = v;
		r->cap = cap;
	}
	if ((r->v[r->n] = malloc(len)) == NULL)
		return MF_E_NOMEM;
	snprintf(r->v[r->n++], len, "%s:%s", name, name);
	return 0;
}

static void
refspecs_dispose(struct refspecs *r)
{
	while (r->n > 0)
		free(r->v[--r->n]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void
git_message(const char *what, char *out, size_t n)
{
	const git_error *e = git_error_last();

	snprintf(out, n, "%s: %s", what, e && e->message ? e->message : "?");
}

/*
 * One push to r, if the local main moved past what it last pushed.
 * Returns 0 (head: the local main, "" for an empty repository) or -1
 * with the reason in why.
 */
static int
push_once(struct remote *r, const char *pushed, char head[41], char *why,
          size_t why_len)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_push_options po;
	git_strarray specs;
	struct refspecs rs = {0};
	struct push_ctx ctx;
	git_oid id;
	int rc = -1, grc;

	/* Step 1: the local main; nothing to do when the remote has it. */
	head[0] = '\0';
	if (git_repository_open_bare(&repo, r->m->git_dir) != 0) {
		git_message("open", why, why_len);
		goto done;
	}
	grc = git_reference_name_to_id(&id, repo, "refs/heads/main");
	if (grc == GIT_ENOTFOUND) {
		rc = 0; /* nothing published yet */
		goto done;
	}
	if (grc != 0) {
		git_message("refs/heads/main", why, why_len);
		goto done;
	}
	git_oid_tostr(head, 41, &id);
	if (strcmp(head, pushed) == 0) {
		rc = 0;
		goto done;
	}
	/* Step 2: main and the tags, by name. */
	if (refspecs_add(&rs, "refs/heads/main") != 0 ||
	    git_reference_iterator_glob_new(&it, repo, "refs/tags/*") != 0) {
		snprintf(why, why_len, "out of memory listing tags");
		goto done;
	}
	while ((grc = git_reference_next(&ref, it)) == 0) {
		int arc = refspecs_add(&rs, git_reference_name(ref));

		git_reference_free(ref);
		if (arc != 0) {
			snprintf(why, why_len, "out of memory listing tags");
			goto done;
		}
	}
	if (grc != GIT_ITEROVER) {
		git_message("listing tags", why, why_len);
		goto done;
	}
	/* Step 3: the push, cancelled when the server stops. */
	if (git_remote_create_anonymous(&remote, repo, r->url) != 0) {
		git_message("remote", why, why_len);
		goto done;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.m = r->m;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.push_update_reference = on_update;
	po.callbacks.push_transfer_progress = on_progress;
	po.callbacks.sideband_progress = on_sideband;
	po.callbacks.payload = &ctx;
	specs.strings = rs.v;
	specs.count = rs.n;
	if (git_remote_push(remote, &specs, &po) != 0) {
		git_message("push", why, why_len);
		goto done;
	}
	if (ctx.rejected[0] != '\0') {
		snprintf(why, why_len, "rejected %s", ctx.rejected);
		goto done;
	}
	rc = 0;
done:
	git_reference_iterator_free(it);
	git_remote_free(remote);
	git_repository_free(repo);
	refspecs_dispose(&rs);
	return rc;
}

static void
wait_until(struct mf_mirror *m, int64_t deadline_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline_ms / 1000);
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
	pthread_cond_timedwait(&m->cv, &m->lock, &ts);
}

static void *
remote_main(void *arg)
{
	struct remote *r = arg;
	struct mf_mirror *m = r->m;
	char head[41], pushed[41], why[256];
	int64_t now, backoff;
	int rc;

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		now = mono_ms();
		if (now < r->next_attempt_ms ||
		    (!r->kicked && now < r->next_poll_ms)) {
			wait_until(m, r->kicked || r->next_attempt_ms >
			                               r->next_poll_ms
			                  ? r->next_attempt_ms
			                  : r->next_poll_ms);
			continue;
		}
		r->kicked = false;
		r->next_poll_ms = now + MF_MIRROR_POLL_S * 1000;
		memcpy(pushed, r->st.pushed, sizeof(pushed));
		pthread_mutex_unlock(&m->lock);

		why[0] = '\0';
		rc = push_once(r, pushed, head, why, sizeof(why));

		pthread_mutex_lock(&m->lock);
		memcpy(r->st.head, head, sizeof(head));
		if (rc == 0 && strcmp(head, pushed) == 0)
			continue; /* nothing was to push */
		r->st.attempts++;
		r->st.last_attempt = unix_s();
		if (rc == 0) {
			memcpy(r->st.pushed, head, sizeof(head));
			r->st.error[0] = '\0';
			r->st.consecutive = 0;
			r->st.last_success = r->st.last_attempt;
			r->st.next_attempt = 0;
			r->next_attempt_ms = 0;
			continue;
		}
		r->st.failures++;
		r->st.consecutive++;
		snprintf(r->st.error, sizeof(r->st.error), "%s", why);
		backoff =
		    (int64_t)1000
		    << (r->st.consecutive > 6 ? 6 : r->st.consecutive - 1);
		if (backoff > MF_MIRROR_BACKOFF_MAX_S * 1000)
			backoff = MF_MIRROR_BACKOFF_MAX_S * 1000;
		r->next_attempt_ms = mono_ms() + backoff;
		r->st.next_attempt = unix_s() + backoff / 1000;
		r->kicked = true; /* retry then, not only at the next poll */
		if (r->st.consecutive == 1 || r->st.consecutive % 10 == 0)
			mf_diag_warn("git mirror %s: %s (attempt %lu, retrying "
			             "in %lld s)",
			             r->st.url, why, r->st.consecutive,
			             (long long)(backoff / 1000));
	}
	r->exited = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void
mirror_free(struct mf_mirror *m)
{
	if (m->inited)
		git_libgit2_shutdown();
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->lock);
	free(m->remotes);
	free(m->git_dir);
	free(m);
}

int
mf_mirror_start(struct mf_mirror **out, const char *git_dir, const char *urls,
                struct mf_error *err)
{
	struct mf_mirror *m = NULL;
	pthread_condattr_t ca;
	const char *p, *nl;
	size_t i, n = 0, len;
	int rc = 0;

	*out = NULL;
	/* Step 1: count and check the URLs. */
	for (p = urls; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		nl = nl ? nl : p + strlen(p);
		if (nl == p)
			continue;
		if ((size_t)(nl - p) >= sizeof(m->remotes[0].url))
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "git-mirror: a URL is too long");
		n++;
	}
	if (n == 0)
		return 0;
	if (n > MF_MIRROR_MAX)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "git-mirror: at most %d remotes",
		                    MF_MIRROR_MAX);
	/* Step 2: the state. */
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->remotes = calloc(n, sizeof(*m->remotes))) == NULL ||
	    (m->git_dir = strdup(git_dir)) == NULL) {
		if (m != NULL) {
			free(m->remotes);
			free(m);
		}
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (git_libgit2_init() < 0) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "cannot initialise libgit2");
		goto fail;
	}
	m->inited = true;
	for (p = urls; *p; p = *nl ? nl + 1 : nl) {
		struct remote *r;

		nl = strchr(p, '\n');
		nl = nl ? nl : p + strlen(p);
		if ((len = (size_t)(nl - p)) == 0)
			continue;
		r = &m->remotes[m->n++];
		r->m = m;
		memcpy(r->url, p, len);
		r->url[len] = '\0';
		redact(r->url, r->st.url, sizeof(r->st.url));
		r->kicked = true; /* catch up at start */
	}
	/* Step 3: the threads. */
	for (i = 0; i < m->n; i++) {
		if (pthread_create(&m->remotes[i].tid, NULL, remote_main,
		                   &m->remotes[i]) != 0) {
			rc = mf_error_set(err, MF_E_INTERNAL, NULL,
			                  "cannot start a git mirror thread");
			goto fail;
		}
		m->remotes[i].started = true;
	}
	mf_diag_info("git mirrors: pushing to %zu remote%s", m->n,
	             m->n == 1 ? "" : "s");
	*out = m;
	return 0;
fail:
	mf_mirror_stop(m, 10000);
	return rc;
}

void
mf_mirror_notify(struct mf_mirror *m)
{
	size_t i;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n; i++)
		m->remotes[i].kicked = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->lock);
}

size_t
mf_mirror_count(const struct mf_mirror *m)
{
	return m == NULL ? 0 : m->n;
}

int
mf_mirror_status(struct mf_mirror *m, size_t i, struct mf_mirror_status *out)
{
	if (m == NULL || i >= m->n)
		return MF_E_NOT_FOUND;
	pthread_mutex_lock(&m->lock);
	*out = m->remotes[i].st;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

void
mf_mirror_stop(struct mf_mirror *m, unsigned wait_ms)
{
	int64_t deadline = mono_ms() + wait_ms;
	bool stuck = false;
	size_t i;

	if (m == NULL)
		return;
	atomic_store(&m->cancel, true);
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_broadcast(&m->cv);
	for (i = 0; i < m->n; i++) {
		struct remote *r = &m->remotes[i];

		while (r->started && !r->exited && mono_ms() < deadline)
			wait_until(m, deadline);
		stuck |= r->started && !r->exited;
	}
	pthread_mutex_unlock(&m->lock);
	for (i = 0; i < m->n; i++)
		if (m->remotes[i].started && m->remotes[i].exited)
			pthread_join(m->remotes[i].tid, NULL);
	if (stuck) {
		/* its thread still uses it: leave it to the process's end */
		mf_diag_warn("git mirrors: a push did not stop in time");
		return;
	}
	mirror_free(m);
}
