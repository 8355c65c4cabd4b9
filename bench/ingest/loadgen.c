/*
 * Ingest load generator: registers one developer organisation per client,
 * pre-signs each client's chain of disclosures (so signing is not what is
 * measured), then posts them over keep-alive HTTP from C threads and
 * reports submissions per second and latency percentiles.
 *
 * usage: loadgen URL ADMIN_TOKEN PAYLOAD.json CLIENTS PER_CLIENT RUN_ID
 *
 * LOADGEN_URLS="URL1 URL2 ..." spreads the clients over several server
 * nodes of one registry (client i posts to the i-th modulo their number);
 * organisations are still registered through URL.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include "common/digest.h"
#include "common/doctype.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "envelope/keys.h"
#include "envelope/verify.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct client {
	const char *target; /* the node this client posts to */
	int id;
	char org[64];
	char **envs;
	size_t *lens;
	int n;
	double *lat_ms;
	int ok, fail;
	pthread_t th;
};

static const char *url, *token, *run_id;
static json_t *base;

static size_t
sink(char *p, size_t s, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return s * n;
}

static long
post(CURL *c, const char *u, const char *body, size_t len,
     struct curl_slist *h)
{
	long status = 0;

	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static int
prepare(struct client *cl)
{
	struct mf_error err;
	struct mf_key *key = NULL;
	char *pem = NULL, *body, u[1024], auth[512], prev[80] = "";
	char now[40];
	const char *ptype = mf_doctype_payload_type(MF_DOC_DISCLOSURE);
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	json_t *req;
	int i;

	mf_error_init(&err);
	snprintf(cl->org, sizeof(cl->org), "b%s-%d", run_id, cl->id);
	if (mf_key_generate(&key, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_public_pem(key, &pem) != 0)
		return -1;
	req = json_pack("{s:s,s:s,s:s,s:s}", "org", cl->org, "name", cl->org,
			"role", "developer", "public_key", pem);
	body = json_dumps(req, JSON_COMPACT);
	snprintf(u, sizeof(u), "%s/v1/admin/orgs", url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (post(c, u, body, strlen(body), h) != 201) {
		fprintf(stderr, "cannot register %s\n", cl->org);
		return -1;
	}
	free(body);
	json_decref(req);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	mf_time_format_s(now, sizeof(now), mf_time_now_ms() / 1000);
	cl->envs = calloc((size_t)cl->n, sizeof(char *));
	cl->lens = calloc((size_t)cl->n, sizeof(size_t));
	cl->lat_ms = calloc((size_t)cl->n, sizeof(double));
	for (i = 0; i < cl->n; i++) {
		json_t *doc = json_deep_copy(base);
		char *payload;
		char hex[65];

		json_object_set_new(doc, "subject",
				    json_pack("{s:s,s:s}", "org", cl->org,
					      "model", "bench"));
		json_object_set_new(doc, "seq", json_integer(i + 1));
		json_object_set_new(doc, "issued_at", json_string(now));
		json_object_set_new(doc, "supersedes",
				    prev[0] ? json_string(prev) : json_null());
		payload = json_dumps(doc, JSON_COMPACT);
		mf_sha256_hex(hex, payload, strlen(payload));
		snprintf(prev, sizeof(prev), "sha256:%s", hex);
		if (mf_dsse_sign(&cl->envs[i], key, ptype,
				 (const uint8_t *)payload, strlen(payload),
				 NULL, &err) != 0)
			return -1;
		cl->lens[i] = strlen(cl->envs[i]);
		free(payload);
		json_decref(doc);
	}
	free(pem);
	mf_key_free(key);
	return 0;
}

/*
 * The measured client is a minimal HTTP/1.1 keep-alive loop on one socket
 * per thread (as lean as pgbench's client), so that the two cores this
 * runs on go to the server and the database rather than to the client.
 */
static int
connect_to(const char *u)
{
	struct sockaddr_in sa;
	int fd, one = 1, port = 80;
	const char *p = strstr(u, "://");

	p = p ? p + 3 : u;
	p = strchr(p, ':');
	if (p != NULL)
		port = atoi(p + 1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request/response on fd; returns the status, 0 on failure. */
static int
exchange(int fd, const char *body, size_t len, char *buf, size_t cap)
{
	char head[256];
	size_t have = 0, want;
	int n = snprintf(head, sizeof(head),
	                 "POST /v1/submissions HTTP/1.1\r\nHost: bench\r\n"
	                 "Content-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n\r\n",
	                 len);
	char *end, *cl;
	ssize_t r;

	if (write(fd, head, (size_t)n) != n ||
	    write(fd, body, len) != (ssize_t)len)
		return 0;
	for (;;) {
		if ((r = read(fd, buf + have, cap - 1 - have)) <= 0)
			return 0;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	cl = strcasestr(buf, "Content-Length:");
	want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
	while (have < want) {
		if ((r = read(fd, buf + have,
		              want - have < cap - 1 - have ? want - have
		                                           : cap - 1 - have)) <= 0)
			return 0;
		have += (size_t)r;
	}
	return atoi(buf + 9);
}

static void *
run(void *arg)
{
	struct client *cl = arg;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	int i, fd = connect_to(cl->target);

	for (i = 0; i < cl->n && fd >= 0 && buf != NULL; i++) {
		int64_t t0 = mf_time_mono_ns();
		int st = exchange(fd, cl->envs[i], cl->lens[i], buf, cap);

		cl->lat_ms[i] = (double)(mf_time_mono_ns() - t0) / 1e6;
		if (st == 201) {
			cl->ok++;
		} else {
			cl->fail++;
			if (st == 0) { /* reconnect after a broken connection */
				close(fd);
				fd = connect_to(cl->target);
			}
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct client *cls;
	int nc, per, i, j, ok = 0, fail = 0;
	double *all, secs;
	int64_t t0;
	json_error_t je;

	if (argc != 7) {
		fprintf(stderr, "usage: loadgen URL TOKEN PAYLOAD CLIENTS "
				"PER_CLIENT RUN_ID\n");
		return 2;
	}
	url = argv[1];
	token = argv[2];
	run_id = argv[6];
	nc = atoi(argv[4]);
	per = atoi(argv[5]);
	if ((base = json_load_file(argv[3], 0, &je)) == NULL)
		return 2;
	json_object_set_new(base, "registry",
			    json_string("modelfacts.localhost"));
	curl_global_init(CURL_GLOBAL_ALL);
	cls = calloc((size_t)nc, sizeof(*cls));
	/* 1. The nodes to post to: LOADGEN_URLS, or URL alone. */
	{
		static char *nodes[16];
		char *list = getenv("LOADGEN_URLS"), *save = NULL, *u;
		int nn = 0;

		if (list != NULL && (list = strdup(list)) != NULL)
			for (u = strtok_r(list, " ,", &save); u && nn < 16;
			     u = strtok_r(NULL, " ,", &save))
				nodes[nn++] = u;
		for (i = 0; i < nc; i++)
			cls[i].target = nn > 0 ? nodes[i % nn] : url;
	}
	for (i = 0; i < nc; i++) {
		cls[i].id = i;
		cls[i].n = per;
		if (prepare(&cls[i]) != 0)
			return 1;
	}
	t0 = mf_time_mono_ns();
	for (i = 0; i < nc; i++)
		pthread_create(&cls[i].th, NULL, run, &cls[i]);
	for (i = 0; i < nc; i++)
		pthread_join(cls[i].th, NULL);
	secs = (double)(mf_time_mono_ns() - t0) / 1e9;
	all = calloc((size_t)(nc * per), sizeof(double));
	for (i = 0; i < nc; i++) {
		ok += cls[i].ok;
		fail += cls[i].fail;
		for (j = 0; j < per; j++)
			all[i * per + j] = cls[i].lat_ms[j];
	}
	qsort(all, (size_t)(nc * per), sizeof(double), cmp);
	printf("{\"clients\": %d, \"submissions\": %d, \"failed\": %d, "
	       "\"seconds\": %.2f, \"per_second\": %.0f, \"p50_ms\": %.1f, "
	       "\"p99_ms\": %.1f, \"payload_bytes\": %zu}\n",
	       nc, ok, fail, secs, ok / secs, all[nc * per / 2],
	       all[(int)(nc * per * 0.99)], strlen(json_dumps(base, JSON_COMPACT)));
	return fail ? 1 : 0;
}
