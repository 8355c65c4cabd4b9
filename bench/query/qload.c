/*
 * bench/query's measuring client: for each query of a list, CLIENTS
 * threads on keep-alive connections send REQUESTS GETs in all (after two
 * unmeasured ones each), one at a time per connection, and the latency of
 * every response is kept: p50, p99 and max per query. A query may have
 * several forms (several lines of the same name: other words, other
 * pages), sent in turn.
 *
 * usage: qload URL CLIENTS REQUESTS [SECONDS] < QUERIES
 *   (lines "name<TAB>path"; a query stops early after SECONDS, default 60,
 *   and reports the requests it made)
 * prints a table, and one JSON line per query to stderr.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include "bench/query/http1.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

struct query {
	char name[64];
	char *paths[64];
	int n_paths;
};

struct worker {
	const struct query *q;
	int id, n, done;
	double *lat;
	int bad, bad_status;
	size_t bytes;
	pthread_t th;
};

static const char *url;
static double deadline;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	struct h1 c;
	int i, st;

	if (h1_open(&c, url) != 0) {
		w->bad = w->n;
		return NULL;
	}
	for (i = -2; i < w->n; i++) {
		const char *p =
		    w->q->paths[((i + 2) * 7 + w->id) % w->q->n_paths];
		double t0 = now_ms();

		st = h1_request(&c, "GET", p, NULL, NULL, 0);
		if (i < 0)
			continue;
		w->lat[i] = now_ms() - t0;
		w->done = i + 1;
		w->bytes += c.body_len;
		if (st != 200) {
			w->bad++;
			w->bad_status = st;
		}
		if (now_ms() > deadline)
			break;
	}
	h1_close(&c);
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
	static struct query qs[256];
	char line[8192];
	int nq = 0, clients, total, i, j;
	double budget_ms;

	if (argc != 4 && argc != 5) {
		fprintf(stderr,
		        "usage: qload URL CLIENTS REQUESTS [SECONDS] < QUERIES\n");
		return 2;
	}
	budget_ms = argc == 5 ? atof(argv[4]) * 1e3 : 60e3;
	url = argv[1];
	clients = atoi(argv[2]);
	total = atoi(argv[3]);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
		struct query *q = NULL;

		if (tab == NULL || line[0] == '#')
			continue;
		if (nl != NULL)
			*nl = '\0';
		*tab = '\0';
		for (i = 0; i < nq; i++)
			if (strcmp(qs[i].name, line) == 0)
				q = &qs[i];
		if (q == NULL) {
			if (nq == 256)
				continue;
			q = &qs[nq++];
			snprintf(q->name, sizeof(q->name), "%s", line);
		}
		if (q->n_paths < 64)
			q->paths[q->n_paths++] = strdup(tab + 1);
	}
	printf("%-30s %6s %8s %8s %8s %10s %4s\n", "query", "n", "p50 ms",
	       "p99 ms", "max ms", "bytes", "non-200");
	for (i = 0; i < nq; i++) {
		struct worker *ws = calloc((size_t)clients, sizeof(*ws));
		double *all = calloc((size_t)total, sizeof(double));
		int n = 0, bad = 0, bad_status = 0;
		size_t bytes = 0;

		deadline = now_ms() + budget_ms;
		for (j = 0; j < clients; j++) {
			ws[j].q = &qs[i];
			ws[j].id = j;
			ws[j].n = total / clients + (j < total % clients);
			ws[j].lat = calloc((size_t)ws[j].n, sizeof(double));
			pthread_create(&ws[j].th, NULL, run, &ws[j]);
		}
		for (j = 0; j < clients; j++) {
			pthread_join(ws[j].th, NULL);
			memcpy(all + n, ws[j].lat,
			       (size_t)ws[j].done * sizeof(double));
			n += ws[j].done;
			bad += ws[j].bad;
			bytes += ws[j].bytes;
			if (ws[j].bad_status)
				bad_status = ws[j].bad_status;
			free(ws[j].lat);
		}
		qsort(all, (size_t)n, sizeof(double), cmp);
		if (n == 0) {
			printf("%-30s no answer\n", qs[i].name);
			continue;
		}
		{
			double p50 = all[n / 2],
			       p99 = all[(int)((n - 1) * 0.99 + 0.5)],
			       mx = all[n - 1];

			printf("%-30s %6d %8.1f %8.1f %8.1f %10zu %4d\n",
			       qs[i].name, n, p50, p99, mx, bytes / (size_t)n,
			       bad);
			fprintf(stderr,
			        "{\"query\": \"%s\", \"n\": %d, \"p50_ms\": %.2f, "
			        "\"p99_ms\": %.2f, \"max_ms\": %.2f, "
			        "\"bytes\": %zu, \"non_200\": %d, "
			        "\"last_bad_status\": %d}\n",
			        qs[i].name, n, p50, p99, mx, bytes / (size_t)n, bad,
			        bad_status);
		}
		fflush(stdout);
		free(all);
		free(ws);
	}
	return 0;
}
