/*
 * The witness threads (see cosigner.h). Each one loops: wait (a short
 * poll, or its backoff after a failure), then, on the sequencing node,
 * one round: the newest checkpoint; done if this witness has cosigned it;
 * else POST add-checkpoint with the old size from PostgreSQL and the
 * consistency proof from it, take the size a 409 reports and ask again,
 * and store the cosignature a 200 carries once it verifies. A witness
 * thread has its own database connection (db.c's per thread) and its own
 * libcurl handle (kept, so connections are reused as the spec advises).
 */
#include "cosigning/cosigner.h"
#include "common/diag.h"
#include "common/file.h"
#include "common/timeutil.h"
#include "db/cosign.h"
#include "db/db.h"
#include "http/metrics.h"
#include "merkle/cosignature.h"
#include "merkle/policy.h"
#include "sequencer/logstore.h"
#include "sequencer/logwait.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

/* The longest witness URL. */
#define URL_MAX 1024
/* How often a caught-up witness thread looks for a new checkpoint, and
 * how often a thread on a node that does not sequence looks again. */
#define POLL_MS 100
#define IDLE_MS 500
/* Backoff after a failed exchange: doubled from BACKOFF_MIN_MS each
 * failure in a row up to BACKOFF_MAX_MS; a success resets it. */
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000
/* One exchange: connecting, and the whole request. */
#define CONNECT_MS 2000
#define REQUEST_MS 10000
/* A witness's answer: a few signature lines. */
#define RESPONSE_MAX 65536
/* 409s followed in one round (another node, a restored witness). */
#define CONFLICTS_MAX 2
/* A cosignature timestamp further ahead of our clock is refused. */
#define FUTURE_S 3600

/* U+2014 EM DASH and a space: how every signature line starts. */
#define SIG_PREFIX "\xe2\x80\x94 "

struct mf_cosigning;

struct witness {
	struct mf_cosigning *owner;
	pthread_t thread;
	bool running;
	char *url;                          /* owned: the submission prefix */
	char *endpoint;                     /* owned: url + "/add-checkpoint" */
	struct mf_cosig_verifier *verifier; /* owned */
	const char *name;                   /* its key name (verifier's) */
	CURL *curl;                         /* the thread's own */
	struct mf_buf response;
	/* read by GET /metrics */
	atomic_ulong collected, failures;
	atomic_ullong latest;   /* newest checkpoint size seen */
	atomic_ullong cosigned; /* the size it cosigned last */
	atomic_llong behind_ms; /* when it first fell behind; 0: not */
	atomic_bool leading;    /* this node sequences (as last seen) */
};

struct mf_cosigning {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	atomic_bool stop; /* the same, for libcurl's progress callback */
	struct mf_logwait *logwait;
	size_t n;
	struct witness w[MF_POLICY_MAX_WITNESSES];
};

/* Waits ms or until stopped; false when stopping. */
static bool
nap(struct mf_cosigning *c, int ms)
{
	struct timespec ts;
	bool go;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	pthread_mutex_lock(&c->lock);
	while (!c->stopping)
		if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) != 0)
			break;
	go = !c->stopping;
	pthread_mutex_unlock(&c->lock);
	return go;
}

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct witness *w = ctx;

	/* A longer answer is cut off: the transfer fails. */
	if (mf_buf_append(&w->response, p, size * n) != 0)
		return 0;
	return size * n;
}

static int
on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct witness *w = ctx;

	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&w->owner->stop) ? 1 : 0;
}

/*
 * POSTs body to the witness's add-checkpoint; *status gets the HTTP
 * status, w->response the answer. MF_E_UNAVAILABLE when there is no
 * answer (connection, timeout, an answer too long).
 */
static int
post(struct witness *w, const struct mf_buf *body, long *status,
     struct mf_error *err)
{
	struct curl_slist *hdr = NULL, *h;
	CURLcode cc;
	int rc = 0;

	mf_buf_clear(&w->response);
	*status = 0;
	/* 1. The request: no "Expect: 100-continue" round trip. */
	if ((h = curl_slist_append(hdr, "Content-Type: text/plain; "
	                                "charset=utf-8")) == NULL)
		goto nomem;
	hdr = h;
	if ((h = curl_slist_append(hdr, "Expect:")) == NULL)
		goto nomem;
	hdr = h;
	curl_easy_setopt(w->curl, CURLOPT_URL, w->endpoint);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE, (long)body->len);
	/* 2. Sent, bounded in time and size. */
	cc = curl_easy_perform(w->curl);
	if (cc != CURLE_OK) {
		rc = mf_error_set(err, MF_E_UNAVAILABLE, NULL, "%s: %s",
		                  w->endpoint, curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, status);
	goto done;
nomem:
	rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
done:
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	return rc;
}

/* The request body: old size, proof lines, blank line, checkpoint. */
static int
request_body(struct mf_buf *b, uint64_t old,
             const struct mf_logstore_checkpoint *cp, struct mf_error *err)
{
	json_t *proof = NULL, *h;
	size_t i;
	int rc = 0;

	mf_buf_clear(b);
	/* 1. The proof from old (none from 0, or to the same size). */
	if (old > 0 && old < cp->size &&
	    (rc = mf_logstore_consistency(&proof, old, cp->size, err)) != 0)
		return rc;
	/* 2. The lines. */
	if (mf_buf_printf(b, "old %" PRIu64 "\n", old) != 0)
		goto nomem;
	json_array_foreach(json_object_get(proof, "hashes"), i, h)
	{
		if (mf_buf_printf(b, "%s\n", json_string_value(h)) != 0)
			goto nomem;
	}
	if (mf_buf_putc(b, '\n') != 0 || mf_buf_puts(b, cp->note) != 0)
		goto nomem;
	goto done;
nomem:
	rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
done:
	json_decref(proof);
	return rc;
}

/*
 * A 200's body: each signature line that verifies with the witness's
 * key over the checkpoint is stored (lines of other keys are ignored, as
 * the spec says). 0 when at least one was stored.
 */
static int
take_cosignatures(struct witness *w, const struct mf_logstore_checkpoint *cp,
                  struct mf_error *err)
{
	const char *p = w->response.data, *end, *stop;
	struct mf_buf note = MF_BUF_INIT;
	struct mf_error verr;
	char *line = NULL;
	uint64_t ts;
	size_t n = 0, base = strlen(cp->note);
	int v, rc = 0;

	if (p == NULL)
		p = "";
	stop = p + w->response.len;
	if (mf_buf_puts(&note, cp->note) != 0)
		goto nomem;
	for (; p < stop; p = end + 1) {
		/* 1. One line, ending "\n", starting with the em dash. */
		if ((end = memchr(p, '\n', (size_t)(stop - p))) == NULL)
			break;
		if ((size_t)(end - p) < strlen(SIG_PREFIX) ||
		    memcmp(p, SIG_PREFIX, strlen(SIG_PREFIX)) != 0)
			continue;
		/* 2. The checkpoint with this line: does it verify? */
		note.len = base;
		if (mf_buf_append(&note, p, (size_t)(end - p) + 1) != 0)
			goto nomem;
		mf_error_init(&verr);
		v = mf_cosig_verify_note(note.data, note.len, w->verifier, &ts,
		                         &verr);
		if (v < 0)
			rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                  "it answered a cosignature that does "
			                  "not verify: %s",
			                  verr.message);
		mf_error_dispose(&verr);
		if (v < 0)
			goto done;
		if (v == 0)
			continue;
		/* tlog-witness v1.0.0: the timestamp MUST NOT be 0. */
		if (ts == 0) {
			rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                  "a cosignature without a timestamp "
			                  "(time 0)");
			goto done;
		}
		if (ts > (uint64_t)(mf_time_now_ms() / 1000) + FUTURE_S) {
			rc = mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
			                  "a cosignature from the future "
			                  "(%" PRIu64 ")",
			                  ts);
			goto done;
		}
		/* 3. Stored with the size it is for. */
		free(line);
		if ((line = strndup(p, (size_t)(end - p) + 1)) == NULL)
			goto nomem;
		if ((rc = mf_db_cosign_store(cp->size, w->name, line, ts,
		                             err)) != 0)
			goto done;
		n++;
	}
	if (n == 0)
		rc = mf_error_set(err, MF_E_UNKNOWN_KEY, NULL,
		                  "it answered 200 without a cosignature by "
		                  "its key");
	goto done;
nomem:
	rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
done:
	free(line);
	mf_buf_dispose(&note);
	return rc;
}

/* A 409's body: the size the witness cosigned last, "<decimal>\n". */
static int
conflict_size(const struct witness *w, uint64_t *size, struct mf_error *err)
{
	const char *p = w->response.data ? w->response.data : "";
	char *end;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\n'))
		goto bad;
	*size = strtoull(p, &end, 10);
	if (*end == '\n' && end[1] == '\0' && strlen(p) <= 21)
		return 0;
bad:
	return mf_error_set(err, MF_E_BAD_REQUEST, NULL,
	                    "it answered 409 without a tree size");
}

/* The first line of an error answer, for the log line. */
static void
answer_summary(const struct witness *w, char *out, size_t cap)
{
	const char *p = w->response.data ? w->response.data : "";
	size_t n = strcspn(p, "\n");

	mf_diag_escape(out, cap, p, n < 200 ? n : 200);
}

/* One round; see the opening comment. */
static int
round_once(struct witness *w, struct mf_buf *body, struct mf_error *err)
{
	struct mf_logstore_checkpoint cp = {0};
	char why[256];
	uint64_t old;
	bool known, has;
	long status;
	int tries, rc;

	/* 1. The newest checkpoint; nothing to witness in an empty log. */
	if ((rc = mf_logstore_checkpoint_latest(&cp, err)) != 0)
		goto done;
	if (cp.note == NULL || cp.size == 0)
		goto done;
	atomic_store(&w->latest, cp.size);
	if ((rc = mf_db_cosign_has(&has, cp.size, w->name, err)) != 0)
		goto done;
	if (has) {
		atomic_store(&w->cosigned, cp.size);
		atomic_store(&w->behind_ms, 0);
		goto done;
	}
	if (atomic_load(&w->behind_ms) == 0)
		atomic_store(&w->behind_ms, mf_time_now_ms());
	for (tries = 0; tries <= CONFLICTS_MAX; tries++) {
		/* 2. From the size it cosigned last (0: never, as far as
		 * we know: its 409 will say). */
		if ((rc = mf_db_cosign_state(&old, &known, w->name, err)) != 0)
			goto done;
		atomic_store(&w->cosigned, old);
		if (old > cp.size) {
			/* Beyond this log: a fork, a wrong answer, or a
			 * witness reset since. Its 409 just now says so: a
			 * failure. A size from an earlier round is asked
			 * again, from 0, so that one answer never silences
			 * a witness for good (the backoff paces it). */
			if (tries > 0) {
				rc =
				    mf_error_set(err, MF_E_CONFLICT, NULL,
				                 "it has cosigned size %" PRIu64
				                 ", beyond this log's %" PRIu64,
				                 old, cp.size);
				goto done;
			}
			old = 0;
		}
		/* 3. Asked. */
		if ((rc = request_body(body, old, &cp, err)) != 0 ||
		    (rc = post(w, body, &status, err)) != 0)
			goto done;
		if (status == 200) {
			if ((rc = take_cosignatures(w, &cp, err)) != 0)
				goto done;
			atomic_fetch_add(&w->collected, 1);
			atomic_store(&w->cosigned, cp.size);
			atomic_store(&w->behind_ms, 0);
			goto done;
		}
		/* 4. 409: the witness knows better where it is. */
		if (status != 409)
			break;
		if ((rc = conflict_size(w, &old, err)) != 0 ||
		    (rc = mf_db_cosign_set_state(w->name, old, err)) != 0)
			goto done;
	}
	answer_summary(w, why, sizeof(why));
	rc = mf_error_set(err, MF_E_UNAVAILABLE, NULL,
	                  "it answered %ld to the checkpoint of size %" PRIu64
	                  ": %s",
	                  status, cp.size, why);
done:
	mf_logstore_checkpoint_dispose(&cp);
	return rc;
}

static void *
witness_main(void *arg)
{
	struct witness *w = arg;
	struct mf_cosigning *c = w->owner;
	struct mf_buf body = MF_BUF_INIT;
	struct mf_error err;
	unsigned failed = 0;
	int wait = 0;

	prctl(PR_SET_NAME, "mf-cosigning", 0, 0, 0); /* for top and perf */
	while (nap(c, wait)) {
		/* 1. Only the node that sequences asks. */
		atomic_store(&w->leading, mf_logwait_local(c->logwait));
		if (!atomic_load(&w->leading)) {
			atomic_store(&w->behind_ms, 0);
			wait = IDLE_MS;
			continue;
		}
		/* 2. One round; failures back off, and are logged on the
		 * first and then every tenth in a row. */
		mf_error_init(&err);
		if (round_once(w, &body, &err) == 0) {
			if (failed > 0)
				mf_diag_info("witness %s: cosigning again",
				             w->name);
			failed = 0;
			wait = POLL_MS;
		} else {
			atomic_fetch_add(&w->failures, 1);
			if (failed % 10 == 0)
				mf_diag_warn("witness %s: %s (retrying)",
				             w->name, err.message);
			failed++;
			wait = failed == 1 ? BACKOFF_MIN_MS
			                   : (wait >= BACKOFF_MAX_MS / 2
			                          ? BACKOFF_MAX_MS
			                          : 2 * wait);
		}
		mf_error_dispose(&err);
	}
	mf_buf_dispose(&body);
	mf_db_drop();
	return NULL;
}

static void
witness_dispose(struct witness *w)
{
	if (w->curl != NULL)
		curl_easy_cleanup(w->curl);
	mf_cosig_verifier_free(w->verifier);
	mf_buf_dispose(&w->response);
	free(w->url);
	free(w->endpoint);
}

/* One witness's verifier, endpoint and libcurl handle: witness i of the
 * policy. */
static int
witness_init(struct witness *w, struct mf_cosigning *c,
             const struct mf_policy *p, size_t i, struct mf_error *err)
{
	const char *name = mf_policy_witness_name(p, i);
	const char *url = mf_policy_witness_url(p, i);
	struct mf_error kerr;
	size_t n, ulen = strlen(url);

	w->owner = c;
	mf_buf_init(&w->response, RESPONSE_MAX);
	/* 1. The key: a cosignature/v1 (Ed25519, type 0x04) vkey. */
	mf_error_init(&kerr);
	if (mf_cosig_verifier_new(&w->verifier, mf_policy_witness_vkey(p, i),
	                          &kerr) != 0) {
		mf_error_set(err, MF_E_BAD_PARAM, NULL, "witness %s: %s", name,
		             kerr.message);
		mf_error_dispose(&kerr);
		return MF_E_BAD_PARAM;
	}
	w->name = mf_cosig_verifier_name(w->verifier);
	/* 2. Where to POST: the submission prefix, an http(s) URL. */
	while (ulen > 0 && url[ulen - 1] == '/')
		ulen--;
	if (ulen > URL_MAX || !((ulen > 7 && strncmp(url, "http://", 7) == 0) ||
	                        (ulen > 8 && strncmp(url, "https://", 8) == 0)))
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "witness %s: its URL must be an http:// or "
		                    "https:// URL (the submission prefix)",
		                    name);
	n = ulen + sizeof("/add-checkpoint");
	if ((w->url = strndup(url, ulen)) == NULL ||
	    (w->endpoint = malloc(n)) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	snprintf(w->endpoint, n, "%s/add-checkpoint", w->url);
	/* 3. The handle, with its bounds. */
	if ((w->curl = curl_easy_init()) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(w->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_MS);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)REQUEST_MS);
	curl_easy_setopt(w->curl, CURLOPT_USERAGENT, "modelfactsd-cosigning");
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(w->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(w->curl, CURLOPT_XFERINFODATA, w);
	return 0;
}

int
mf_cosigning_new(struct mf_cosigning **out, const char *policy_path,
                 struct mf_error *err)
{
	struct mf_policy *policy = NULL;
	struct mf_cosigning *c = NULL;
	struct mf_error perr;
	size_t len, i, j, skipped = 0;
	char *text = NULL;
	int rc;

	*out = NULL;
	if (policy_path == NULL || policy_path[0] == '\0')
		return 0;
	/* 1. The policy file (merkle/policy.h: the parser clients use
	 * too); a file without a quorum line is fine here. */
	if ((rc = mf_file_read(&text, &len, policy_path, MF_POLICY_MAX_SIZE,
	                       err)) != 0)
		goto done;
	mf_error_init(&perr);
	if ((rc = mf_policy_parse(&policy, text, len, MF_POLICY_QUORUM_OPTIONAL,
	                          &perr)) != 0) {
		mf_error_set(err, rc, NULL, "%s: %s", policy_path,
		             perr.message);
		mf_error_dispose(&perr);
		goto done;
	}
	/* 2. The witnesses with a URL, each checked before any thread
	 * starts. */
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "libcurl cannot start");
		goto done;
	}
	for (i = 0; i < mf_policy_witness_count(policy); i++) {
		if (mf_policy_witness_url(policy, i) == NULL) {
			skipped++;
			continue;
		}
		if ((rc = witness_init(&c->w[c->n++], c, policy, i, err)) != 0)
			goto done;
	}
	if (skipped > 0)
		mf_diag_warn("--witnesses %s: %zu witness(es) without a URL "
		             "are not asked",
		             policy_path, skipped);
	for (i = 0; i < c->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(c->w[i].name, c->w[j].name) == 0) {
				rc = mf_error_set(
				    err, MF_E_BAD_PARAM, NULL,
				    "%s: two witnesses with the key "
				    "name %s",
				    policy_path, c->w[i].name);
				goto done;
			}
	*out = c;
	c = NULL;
done:
	mf_cosigning_stop(c);
	mf_policy_free(policy);
	free(text);
	return rc;
}

int
mf_cosigning_start(struct mf_cosigning *c, struct mf_logwait *logwait,
                   struct mf_error *err)
{
	size_t i;

	if (c == NULL)
		return 0;
	c->logwait = logwait;
	for (i = 0; i < c->n; i++) {
		if (pthread_create(&c->w[i].thread, NULL, witness_main,
		                   &c->w[i]) != 0)
			return mf_error_set(err, MF_E_INTERNAL, NULL,
			                    "cannot start a witness thread");
		c->w[i].running = true;
		mf_diag_info("cosigning: asking witness %s at %s", c->w[i].name,
		             c->w[i].url);
	}
	return 0;
}

void
mf_cosigning_stop(struct mf_cosigning *c)
{
	size_t i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	atomic_store(&c->stop, true);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < c->n; i++) {
		if (c->w[i].running)
			pthread_join(c->w[i].thread, NULL);
		witness_dispose(&c->w[i]);
	}
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c);
}

size_t
mf_cosigning_count(const struct mf_cosigning *c)
{
	return c == NULL ? 0 : c->n;
}

int
mf_cosigning_metrics_write(const struct mf_cosigning *c, struct mf_buf *out)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
	    {"modelfacts_witness_cosignatures_total", "counter",
	     "Cosignatures collected from the witness and stored"},
	    {"modelfacts_witness_failures_total", "counter",
	     "Exchanges with the witness that failed (no answer, a refusal, "
	     "or a cosignature that does not verify)"},
	    {"modelfacts_witness_lag_entries", "gauge",
	     "Entries of the newest checkpoint the witness has not cosigned "
	     "(0 on a node that does not sequence)"},
	    {"modelfacts_witness_lag_seconds", "gauge",
	     "Seconds since this node first saw a checkpoint the witness has "
	     "not cosigned (0: up to date, or not sequencing)"},
	};
	char esc[2 * 256], labels[sizeof(esc) + 16];
	const struct witness *w;
	uint64_t latest, done;
	int64_t since;
	double v = 0;
	size_t f, i;
	int rc = 0;

	if (c == NULL)
		return 0;
	for (f = 0; rc == 0 && f < sizeof(fam) / sizeof(fam[0]); f++) {
		rc = mf_metrics_family(out, fam[f].name, fam[f].type,
		                       fam[f].help);
		for (i = 0; rc == 0 && i < c->n; i++) {
			w = &c->w[i];
			latest = atomic_load(&w->latest);
			done = atomic_load(&w->cosigned);
			since = atomic_load(&w->behind_ms);
			if (f == 0)
				v = (double)atomic_load(&w->collected);
			else if (f == 1)
				v = (double)atomic_load(&w->failures);
			else if (!atomic_load(&w->leading))
				v = 0;
			else if (f == 2)
				v = latest > done ? (double)(latest - done) : 0;
			else
				v = since > 0
				        ? (double)(mf_time_now_ms() - since) /
				              1000.0
				        : 0;
			mf_metrics_label_escape(esc, sizeof(esc), w->name);
			snprintf(labels, sizeof(labels), "witness=\"%s\"", esc);
			rc = mf_metrics_sample(out, fam[f].name, labels, v);
		}
	}
	return rc;
}
