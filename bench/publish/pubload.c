/*
 * Load for the end-to-end publisher benchmark (bench/publish/run.sh).
 * Registers developer organisations, pre-signs a reproducible stream of
 * log entries (disclosures of three sizes, self-reported evals, key
 * additions) and posts it through the HTTP API, so that signing is not
 * what is measured:
 *
 *   pubload load URL TOKEN RUN N CLIENTS
 *       as fast as CLIENTS keep-alive connections allow;
 *   pubload rate URL TOKEN RUN N CLIENTS RATE DBURL
 *       at RATE entries/s while a poller reads /labels.git/info/refs every
 *       $POLL_MS ms (default 20); once everything is published, the commit
 *       ids main went
 *       through are mapped to log indices (table publications) and each
 *       entry's lag, from its 201 to the first poll that saw main at or
 *       past it, is reported;
 *   pubload wait DBURL N [TIMEOUT_S]
 *       until N commits are recorded, then the publisher's commits/s.
 *
 * Results are one JSON object on stdout. RUN names this run's
 * organisations ("<RUN>-o<k>"), so runs against one database do not
 * collide. The database is read through one psql process (DBURL is its
 * connection string), not libpq: only the server's db layer links libpq.
 */
#include "common/buf.h"
#include "common/digest.h"
#include "common/doctype.h"
#include "common/timeutil.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"
#include "envelope/verify.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ORGS     50
#define MODELS   4
#define MAX_KEYS 8
#define MAX_OBS  200000
#define ID_HEX   40

struct org {
	char name[32];
	struct mf_key *keys[MAX_KEYS]; /* keys[0] signs everything */
	int nkeys, seq;
	int versions[MODELS];
	char head[MODELS][80]; /* "sha256:<hex>" of the newest version */
};

struct entry {
	int org;
	char *env; /* owned */
	size_t len;
	int status;
	int64_t sent_ns, accepted_ns, log_index;
};

static struct org orgs[ORGS];
/* Organisations and models per organisation the stream uses: ORGS and
 * MODELS unless $PUBLOAD_ORGS / $PUBLOAD_MODELS say fewer (few large
 * models, as the fault campaign's load makes). */
static int norgs = ORGS, nmodels = MODELS;
static struct entry *entries;
static size_t nentries;
static const char *url, *token;
static double rate; /* entries/s; 0: as fast as possible */
static int64_t t_start;

/* splitmix64: the same stream of entries in every run */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
die(const char *what)
{
	fprintf(stderr, "pubload: %s\n", what);
	exit(1);
}

static size_t
to_buf(char *p, size_t s, size_t n, void *ud)
{
	mf_buf_append(ud, p, s * n);
	return s * n;
}

static long
http(CURL *c, const char *path, const char *body, size_t len,
     struct curl_slist *h, struct mf_buf *out)
{
	char u[1024];
	long status = 0;

	snprintf(u, sizeof(u), "%s%s", url, path);
	mf_buf_clear(out);
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static void
register_org(CURL *c, struct org *o)
{
	struct curl_slist *h = NULL;
	struct mf_buf out = MF_BUF_INIT;
	char auth[512], *pem = NULL, *body;
	json_t *req;

	if (mf_key_public_pem(o->keys[0], &pem) != 0)
		die("key");
	req = json_pack("{s:s,s:s,s:s,s:s}", "org", o->name, "name", o->name,
	                "role", "developer", "public_key", pem);
	body = json_dumps(req, JSON_COMPACT);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (http(c, "/v1/admin/orgs", body, strlen(body), h, &out) != 201) {
		fprintf(stderr, "%.*s\n", (int)out.len, out.data);
		die("cannot register an organisation");
	}
	curl_slist_free_all(h);
	mf_buf_dispose(&out);
	json_decref(req);
	free(body);
	free(pem);
}

static json_t *
load_example(const char *name)
{
	char path[256];
	json_error_t je;
	json_t *doc;

	snprintf(path, sizeof(path), "examples/%s", name);
	if ((doc = json_load_file(path, 0, &je)) == NULL)
		die("cannot read an example (run from the repository root)");
	json_object_set_new(doc, "registry",
	                    json_string("modelfacts.localhost"));
	return doc;
}

/* Signs doc with the given keys into e->env. */
static void
sign_entry(struct entry *e, json_t *doc, enum mf_doctype type,
           struct mf_key **keys, int nkeys, char sha_out[65])
{
	struct mf_dsse_sig sigs[2];
	struct mf_error err;
	const char *ptype = mf_doctype_payload_type(type);
	char *payload = json_dumps(doc, JSON_COMPACT);
	uint8_t *pae = NULL;
	size_t pae_len = 0;
	int i;

	mf_error_init(&err);
	if (payload == NULL ||
	    mf_dsse_pae(&pae, &pae_len, ptype, strlen(ptype),
	                (const uint8_t *)payload, strlen(payload)) != 0)
		die("out of memory");
	for (i = 0; i < nkeys; i++) {
		sigs[i].keyid = (char *)mf_key_id(keys[i]);
		if (mf_sign_message(&sigs[i].sig, &sigs[i].sig_len, keys[i],
		                    pae, pae_len, NULL, &err) != 0)
			die("cannot sign");
	}
	if (mf_dsse_encode(&e->env, ptype, (const uint8_t *)payload,
	                   strlen(payload), sigs, (size_t)nkeys) != 0)
		die("cannot encode an envelope");
	e->len = strlen(e->env);
	if (sha_out != NULL)
		mf_sha256_hex(sha_out, payload, strlen(payload));
	for (i = 0; i < nkeys; i++)
		free(sigs[i].sig);
	free(pae);
	free(payload);
	mf_error_dispose(&err);
}

static void
set_header(json_t *doc, struct org *o, int model, const char *now)
{
	char m[16];

	snprintf(m, sizeof(m), "model-%d", model);
	json_object_set_new(
	    doc, "subject",
	    model < 0 ? json_pack("{s:s}", "org", o->name)
	              : json_pack("{s:s,s:s}", "org", o->name, "model", m));
	json_object_set_new(doc, "issued_at", json_string(now));
	json_object_set_new(doc, "seq", json_integer(++o->seq));
}

/*
 * The stream: each entry picks an organisation and a model; a model's
 * first entry is its disclosure; after that 70% disclosures (a new
 * version: the open, API or sparse example by model), 29% self-reported
 * evals, 1% key additions.
 */
static void
make_entries(const char *run, size_t n)
{
	static const char *const kinds[3] = {"disclosure-open.json",
	                                     "disclosure-api.json",
	                                     "disclosure-sparse.json"};
	json_t *disc[3], *eval = load_example("eval-result-self-reported.json");
	struct mf_error err;
	uint64_t seed = 20260101;
	char now[40], sha[65], ver[32];
	size_t i;
	int k;

	for (k = 0; k < 3; k++)
		disc[k] = load_example(kinds[k]);
	mf_error_init(&err);
	mf_time_format_s(now, sizeof(now), mf_time_now_ms() / 1000);
	for (k = 0; k < norgs; k++) {
		snprintf(orgs[k].name, sizeof(orgs[k].name), "%s-o%d", run, k);
		if (mf_key_generate(&orgs[k].keys[0], MF_KEY_ED25519, &err))
			die("keygen");
		orgs[k].nkeys = 1;
	}
	if ((entries = calloc(n, sizeof(*entries))) == NULL)
		die("out of memory");
	nentries = n;
	for (i = 0; i < n; i++) {
		struct entry *e = &entries[i];
		int o = (int)(rnd(&seed) % (unsigned)norgs),
		    m = (int)(rnd(&seed) % (unsigned)nmodels);
		unsigned kind = (unsigned)(rnd(&seed) % 100);
		struct org *g = &orgs[o];
		json_t *doc;

		e->org = o;
		e->log_index = -1;
		if (g->versions[m] == 0 || kind < 70) {
			doc = json_deep_copy(disc[m % 3]);
			set_header(doc, g, m, now);
			json_object_set_new(doc, "supersedes",
			                    g->versions[m]
			                        ? json_string(g->head[m])
			                        : json_null());
			snprintf(ver, sizeof(ver), "%d.%d", m + 1,
			         g->versions[m]);
			json_object_set_new(json_object_get(doc, "identity"),
			                    "version", json_string(ver));
			sign_entry(e, doc, MF_DOC_DISCLOSURE, g->keys, 1, sha);
			snprintf(g->head[m], sizeof(g->head[m]), "sha256:%s",
			         sha);
			g->versions[m]++;
		} else if (kind < 99 || g->nkeys == MAX_KEYS) {
			doc = json_deep_copy(eval);
			set_header(doc, g, m, now);
			json_object_set_new(
			    doc, "value",
			    json_real((double)(rnd(&seed) % 1000) / 10.0));
			sign_entry(e, doc, MF_DOC_EVAL_RESULT, g->keys, 1,
			           NULL);
		} else {
			struct mf_key *pair[2];
			char *pem = NULL;

			if (mf_key_generate(&g->keys[g->nkeys], MF_KEY_ED25519,
			                    &err) != 0 ||
			    mf_key_public_pem(g->keys[g->nkeys], &pem) != 0)
				die("keygen");
			doc = json_pack("{s:s,s:s,s:s}", "type", "key-event",
			                "registry", "modelfacts.localhost",
			                "action", "add");
			set_header(doc, g, -1, now);
			json_object_set_new(
			    doc, "key", json_pack("{s:s}", "public_key", pem));
			pair[0] = g->keys[0];
			pair[1] = g->keys[g->nkeys];
			sign_entry(e, doc, MF_DOC_KEY_EVENT, pair, 2, NULL);
			g->nkeys++;
			free(pem);
		}
		json_decref(doc);
	}
	for (k = 0; k < 3; k++)
		json_decref(disc[k]);
	json_decref(eval);
	mf_error_dispose(&err);
}

struct client {
	int id, nclients;
	pthread_t th;
	int ok, failed;
};

/* Posts this client's entries (its organisations'), in stream order. */
static void *
client_main(void *arg)
{
	struct client *cl = arg;
	struct curl_slist *h = NULL;
	struct mf_buf out = MF_BUF_INIT;
	CURL *c = curl_easy_init();
	size_t i;

	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	for (i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];
		json_t *r;

		if (e->org % cl->nclients != cl->id)
			continue;
		if (rate > 0) { /* open loop: entry i is due at i / rate */
			int64_t due =
			            t_start + (int64_t)((double)i * 1e9 / rate),
			        now = mf_time_mono_ns();

			if (due > now) {
				struct timespec ts = {
				    (time_t)((due - now) / 1000000000),
				    (long)((due - now) % 1000000000)};

				nanosleep(&ts, NULL);
			}
		}
		e->sent_ns = mf_time_mono_ns();
		e->status =
		    (int)http(c, "/v1/submissions", e->env, e->len, h, &out);
		e->accepted_ns = mf_time_mono_ns();
		if (e->status == 201 &&
		    (r = json_loadb(out.data, out.len, 0, NULL)) != NULL) {
			json_t *li = json_object_get(r, "log_index");

			if (json_is_integer(li))
				e->log_index = json_integer_value(li);
			json_decref(r);
		}
		if (e->log_index >= 0)
			cl->ok++;
		else {
			cl->failed++;
			if (cl->failed <= 3)
				fprintf(stderr, "pubload: %d %.*s\n", e->status,
				        (int)(out.len > 300 ? 300 : out.len),
				        out.data ? out.data : "");
		}
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	mf_buf_dispose(&out);
	return NULL;
}

/* What main pointed at, from the first poll that saw it. */
struct obs {
	int64_t t_ns;
	char id[ID_HEX + 1];
	int64_t log_index;
};

static struct obs *obs;
static size_t nobs;
static volatile int poll_stop;
static unsigned long npolls;
static long poll_ms = 20;

static void *
poller_main(void *arg)
{
	struct mf_buf out = MF_BUF_INIT;
	CURL *c = curl_easy_init();
	const char *p;

	(void)arg;
	while (!poll_stop) {
		struct timespec ts = {poll_ms / 1000,
		                      poll_ms % 1000 * 1000000L};

		if (http(c, "/labels.git/info/refs", NULL, 0, NULL, &out) ==
		        200 &&
		    mf_buf_putc(&out, '\0') == 0 &&
		    (p = strstr(out.data, "\trefs/heads/main\n")) != NULL &&
		    p - out.data >= ID_HEX && nobs < MAX_OBS) {
			p -= ID_HEX;
			if (nobs == 0 ||
			    memcmp(obs[nobs - 1].id, p, ID_HEX) != 0) {
				obs[nobs].t_ns = mf_time_mono_ns();
				memcpy(obs[nobs].id, p, ID_HEX);
				obs[nobs].id[ID_HEX] = '\0';
				obs[nobs].log_index = -1;
				nobs++;
			}
		}
		npolls++;
		nanosleep(&ts, NULL);
	}
	curl_easy_cleanup(c);
	mf_buf_dispose(&out);
	return NULL;
}

/*
 * A psql process that runs our queries: each goes to its stdin followed
 * by an end marker; psql (unaligned, tuples only) prints a row per line,
 * fields separated by '|', and flushes after every command. It stops at
 * the first error (ON_ERROR_STOP), which reads here as end of file.
 */
struct psql {
	pid_t pid;
	FILE *in;  /* psql's stdin */
	FILE *out; /* psql's stdout */
};

#define PSQL_END "__pubload_end__"

/* Starts psql on dburl; call before any thread starts (fork). */
static void
psql_open(struct psql *db, const char *dburl)
{
	int to[2], from[2];

	if (pipe(to) != 0 || pipe(from) != 0 || (db->pid = fork()) < 0)
		die("cannot start psql");
	if (db->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execlp("psql", "psql", "-X", "-q", "-A", "-t", "-v",
		       "ON_ERROR_STOP=1", "-d", dburl, (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	if ((db->in = fdopen(to[1], "w")) == NULL ||
	    (db->out = fdopen(from[0], "r")) == NULL)
		die("cannot talk to psql");
}

static void
psql_close(struct psql *db)
{
	int st;

	fclose(db->in); /* psql ends at end of input */
	fclose(db->out);
	waitpid(db->pid, &st, 0);
}

/* Runs sql (psql variables allowed); its rows, one line each, into rows. */
static void
psql_query(struct psql *db, const char *sql, struct mf_buf *rows)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	mf_buf_clear(rows);
	if (fprintf(db->in, "%s;\n\\echo " PSQL_END "\n", sql) < 0 ||
	    fflush(db->in) != 0)
		die("psql: cannot send a query");
	while ((len = getline(&line, &cap, db->out)) > 0) {
		if (strcmp(line, PSQL_END "\n") == 0) {
			free(line);
			return;
		}
		if (mf_buf_append(rows, line, (size_t)len) != 0)
			die("out of memory");
	}
	die("psql: a query failed");
}

/* The first column of the first row as an integer; -1 for NULL. */
static int64_t
db_int(struct psql *db, const char *sql)
{
	struct mf_buf rows = MF_BUF_INIT;
	int64_t v;

	psql_query(db, sql, &rows);
	v = rows.len > 0 && rows.data[0] != '\n' && rows.data[0] != '|'
	        ? strtoll(rows.data, NULL, 10)
	        : -1;
	mf_buf_dispose(&rows);
	return v;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Gives each observation its log index (publications: commit -> index). */
static void
map_observations(struct psql *db)
{
	struct mf_buf arr = MF_BUF_INIT, rows = MF_BUF_INIT;
	char *line, *next, *bar;
	size_t i;

	/* commit ids as a psql variable, quoted by psql (:'ids') */
	mf_buf_puts(&arr, "\\set ids '{");
	for (i = 0; i < nobs; i++)
		mf_buf_printf(&arr, "%s%s", i ? "," : "", obs[i].id);
	mf_buf_puts(&arr, "}'\n");
	if (fputs(arr.data, db->in) < 0)
		die("psql: cannot send a query");
	psql_query(db,
	           "SELECT commit_id, log_index FROM publications"
	           " WHERE commit_id = ANY(:'ids'::text[])",
	           &rows);
	for (line = rows.data; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((bar = strchr(line, '|')) == NULL)
			continue;
		*bar = '\0';
		for (i = 0; i < nobs; i++)
			if (strcmp(obs[i].id, line) == 0)
				obs[i].log_index = strtoll(bar + 1, NULL, 10);
	}
	mf_buf_dispose(&rows);
	mf_buf_dispose(&arr);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)(n - 1) + 0.5);

	return n == 0 ? 0 : v[k < n ? k : n - 1];
}

static int
run_clients(int nclients)
{
	struct client *cls = calloc((size_t)nclients, sizeof(*cls));
	int i, failed = 0;

	t_start = mf_time_mono_ns();
	for (i = 0; i < nclients; i++) {
		cls[i].id = i;
		cls[i].nclients = nclients;
		pthread_create(&cls[i].th, NULL, client_main, &cls[i]);
	}
	for (i = 0; i < nclients; i++) {
		pthread_join(cls[i].th, NULL);
		failed += cls[i].failed;
	}
	free(cls);
	return failed;
}

/* Percentiles of the submission round trips (HTTP 201 latency). */
static void
ingest_latency(double *p50, double *p99)
{
	double *v = calloc(nentries, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < nentries; i++)
		if (entries[i].log_index >= 0)
			v[n++] = (double)(entries[i].accepted_ns -
			                  entries[i].sent_ns) /
			         1e6;
	qsort(v, n, sizeof(*v), cmp_double);
	*p50 = pct(v, n, 0.5);
	*p99 = pct(v, n, 0.99);
	free(v);
}

static void
prepare(const char *run, size_t n)
{
	CURL *c = curl_easy_init();
	int k;

	make_entries(run, n);
	for (k = 0; k < norgs; k++)
		register_org(c, &orgs[k]);
	curl_easy_cleanup(c);
}

static int
cmd_load(const char *run, size_t n, int nclients)
{
	double secs, p50, p99;
	int failed;

	prepare(run, n);
	failed = run_clients(nclients);
	secs = (double)(mf_time_mono_ns() - t_start) / 1e9;
	ingest_latency(&p50, &p99);
	printf("{\"mode\": \"load\", \"entries\": %zu, \"failed\": %d, "
	       "\"seconds\": %.2f, \"per_second\": %.1f, "
	       "\"ingest_p50_ms\": %.1f, \"ingest_p99_ms\": %.1f}\n",
	       n, failed, secs, (double)n / secs, p50, p99);
	return failed ? 1 : 0;
}

static int
cmd_rate(const char *run, size_t n, int nclients, const char *dburl)
{
	struct psql db;
	pthread_t poller;
	double *lag, secs, p50, p99, tail_p99;
	int64_t max_index = -1, deadline, first_index = -1;
	size_t i, k, nlag = 0, tail;
	int failed;
	char sql[128];

	psql_open(&db, dburl); /* before the threads */
	prepare(run, n);
	if ((obs = calloc(MAX_OBS, sizeof(*obs))) == NULL ||
	    (lag = calloc(n, sizeof(*lag))) == NULL)
		die("out of memory");
	pthread_create(&poller, NULL, poller_main, NULL);
	failed = run_clients(nclients);
	secs = (double)(mf_time_mono_ns() - t_start) / 1e9;
	for (i = 0; i < n; i++)
		if (entries[i].log_index > max_index)
			max_index = entries[i].log_index;
	/* until the last accepted entry is published (info/refs first) */
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM publications WHERE log_index = %lld",
	         (long long)max_index);
	deadline = mf_time_mono_ns() + 300 * (int64_t)1000000000;
	while (db_int(&db, sql) == 0 && mf_time_mono_ns() < deadline)
		sleep_ms(20);
	sleep_ms(4 * poll_ms);
	poll_stop = 1;
	pthread_join(poller, NULL);
	map_observations(&db);
	/* entry -> the first observation of main at or past it */
	for (i = 0; i < n; i++) {
		struct entry *e = &entries[i];

		if (e->log_index < 0)
			continue;
		if (first_index < 0 || e->log_index < first_index)
			first_index = e->log_index;
		for (k = 0; k < nobs; k++)
			if (obs[k].log_index >= e->log_index)
				break;
		if (k == nobs)
			continue; /* never seen: reported as missing */
		lag[nlag++] = (double)(obs[k].t_ns - e->accepted_ns) / 1e6;
	}
	/* the last tenth alone: growing lag means the publisher fell behind */
	tail = nlag / 10;
	qsort(lag + nlag - tail, tail, sizeof(*lag), cmp_double);
	tail_p99 = pct(lag + nlag - tail, tail, 0.99);
	qsort(lag, nlag, sizeof(*lag), cmp_double);
	ingest_latency(&p50, &p99);
	printf("{\"mode\": \"rate\", \"target_per_second\": %.0f, "
	       "\"entries\": %zu, \"failed\": %d, \"seconds\": %.2f, "
	       "\"per_second\": %.1f, \"ingest_p50_ms\": %.1f, "
	       "\"ingest_p99_ms\": %.1f, \"lag_n\": %zu, \"missing\": %zu, "
	       "\"lag_p50_ms\": %.0f, \"lag_p90_ms\": %.0f, "
	       "\"lag_p99_ms\": %.0f, \"lag_max_ms\": %.0f, "
	       "\"lag_last_tenth_p99_ms\": %.0f, \"main_moves\": %zu, "
	       "\"polls\": %lu, \"poll_ms\": %d}\n",
	       rate, n, failed, secs, (double)(n - (size_t)failed) / secs, p50,
	       p99, nlag, n - (size_t)failed - nlag, pct(lag, nlag, 0.5),
	       pct(lag, nlag, 0.9), pct(lag, nlag, 0.99),
	       nlag ? lag[nlag - 1] : 0, tail_p99, nobs, npolls, (int)poll_ms);
	psql_close(&db);
	free(lag);
	free(obs);
	return failed ? 1 : 0;
}

/*
 * Publisher throughput from its own records: every batch of commits is
 * recorded with one now(), so (commits after the first batch) / (last
 * batch's time - first batch's time) is the steady rate.
 */
static int
cmd_wait(const char *dburl, int64_t n, int timeout_s)
{
	struct psql db;
	struct mf_buf rows = MF_BUF_INIT;
	int64_t t0 = mf_time_mono_ns(), first = -1, t_first = 0, have;
	int64_t deadline = t0 + (int64_t)timeout_s * 1000000000;

	psql_open(&db, dburl);
	while ((have = db_int(&db, "SELECT count(*) FROM publications")) < n) {
		if (have > 0 && first < 0) {
			first = have;
			t_first = mf_time_mono_ns();
		}
		if (mf_time_mono_ns() > deadline)
			die("timed out waiting for the publisher");
		sleep_ms(50);
	}
	/* "total|span|first batch" */
	psql_query(&db,
	           "SELECT count(*), extract(epoch FROM max(published_at)"
	           " - min(published_at)), (SELECT count(*) FROM"
	           " publications WHERE published_at = (SELECT"
	           " min(published_at) FROM publications))"
	           " FROM publications",
	           &rows);
	{
		char *span_s = rows.data ? strchr(rows.data, '|') : NULL;
		char *first_s = span_s ? strchr(span_s + 1, '|') : NULL;
		long total, first_batch;
		double span, wall = (double)(mf_time_mono_ns() - t0) / 1e9;

		if (first_s == NULL)
			die("psql: unexpected result");
		total = atol(rows.data);
		span = atof(span_s + 1);
		first_batch = atol(first_s + 1);
		printf("{\"mode\": \"wait\", \"commits\": %ld, "
		       "\"recorded_span_s\": %.2f, \"commits_per_second\": "
		       "%.1f, \"wall_s\": %.2f, \"wall_per_second\": %.1f, "
		       "\"first_seen_after_s\": %.2f}\n",
		       total, span,
		       span > 0 ? (double)(total - first_batch) / span : 0,
		       wall, (double)total / wall,
		       first >= 0 ? (double)(t_first - t0) / 1e9 : 0);
	}
	mf_buf_dispose(&rows);
	psql_close(&db);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	curl_global_init(CURL_GLOBAL_ALL);
	if (getenv("PUBLOAD_ORGS") != NULL)
		norgs = atoi(getenv("PUBLOAD_ORGS"));
	if (getenv("PUBLOAD_MODELS") != NULL)
		nmodels = atoi(getenv("PUBLOAD_MODELS"));
	if (norgs < 1 || norgs > ORGS || nmodels < 1 || nmodels > MODELS)
		die("PUBLOAD_ORGS must be 1-50, PUBLOAD_MODELS 1-4");
	if (getenv("POLL_MS") != NULL && atol(getenv("POLL_MS")) > 0)
		poll_ms = atol(getenv("POLL_MS"));
	if (argc >= 7 && strcmp(argv[1], "load") == 0) {
		url = argv[2];
		token = argv[3];
		rc = cmd_load(argv[4], strtoul(argv[5], NULL, 10),
		              atoi(argv[6]));
	} else if (argc == 9 && strcmp(argv[1], "rate") == 0) {
		url = argv[2];
		token = argv[3];
		rate = atof(argv[7]);
		rc = cmd_rate(argv[4], strtoul(argv[5], NULL, 10),
		              atoi(argv[6]), argv[8]);
	} else if (argc >= 4 && strcmp(argv[1], "wait") == 0) {
		rc = cmd_wait(argv[2], strtoll(argv[3], NULL, 10),
		              argc > 4 ? atoi(argv[4]) : 600);
	} else {
		fprintf(stderr,
		        "usage: pubload load URL TOKEN RUN N CLIENTS\n"
		        "       pubload rate URL TOKEN RUN N CLIENTS RATE "
		        "DBURL\n"
		        "       pubload wait DBURL N [TIMEOUT_S]\n");
		return 2;
	}
	curl_global_cleanup();
	return rc;
}
