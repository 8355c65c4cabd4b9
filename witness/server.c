/*
 * The witness's routes on the registry's HTTP layer (http/http.h), so it
 * gets the same bounded bodies, slow-client deadlines, request ids and
 * access log as the registry; the answers themselves come from
 * witness.c, which knows nothing of HTTP.
 */
#include "witness/server.h"
#include "http/http.h"
#include "witness/state.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mf_witness_server {
	struct mf_http *http;
};

/* The one witness this process serves (set at start, read by handlers). */
static struct mf_witness *served;

static int
respond_answer(struct mf_request *req, struct mf_witness_answer *a)
{
	return mf_http_respond(req, a->status, a->content_type,
	                       a->body.data ? a->body.data : "", a->body.len,
	                       false);
}

static int
handle_add_checkpoint(struct mf_request *req)
{
	struct mf_witness_answer a;
	time_t now = time(NULL);
	int rc;

	mf_witness_answer_init(&a);
	rc = mf_witness_add_checkpoint(served,
	                               req->body.data ? req->body.data : "",
	                               req->body.len, (uint64_t)now, &a);
	if (rc == 0)
		rc = respond_answer(req, &a);
	mf_witness_answer_dispose(&a);
	return rc;
}

static int
handle_checkpoint(struct mf_request *req)
{
	struct mf_witness_answer a;
	int rc;

	mf_witness_answer_init(&a);
	rc = mf_witness_checkpoint(served, mf_http_param(req, 0), &a);
	if (rc == 0)
		rc = respond_answer(req, &a);
	mf_witness_answer_dispose(&a);
	return rc;
}

static int
handle_evidence(struct mf_request *req)
{
	json_t *list = NULL;
	int rc;

	if ((rc = mf_witness_evidence_list(&list, mf_witness_dir(served),
	                                   &req->err)) != 0)
		return rc;
	return mf_http_respond_json(req, 200, list);
}

static int
handle_healthz(struct mf_request *req)
{
	static const char ok[] = "ok\n";

	return mf_http_respond(req, 200, "text/plain; charset=utf-8", ok,
	                       sizeof(ok) - 1, true);
}

static const struct mf_route routes[] = {
    {"POST", "/add-checkpoint", handle_add_checkpoint},
    {"GET", "/evidence", handle_evidence},
    {"GET", "/healthz", handle_healthz},
    {"GET", "/{origin_hash}/checkpoint", handle_checkpoint},
};

int
mf_witness_server_start(struct mf_witness_server **out, struct mf_witness *w,
                        const char *addr, unsigned port, unsigned threads,
                        struct mf_error *err)
{
	struct mf_witness_server *s;
	struct mf_http_options opt;
	int rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	served = w;
	/* The registry's defaults, without rate limits: the logs that call
	 * a witness are few and known. */
	memset(&opt, 0, sizeof(opt));
	opt.listen = addr;
	opt.port = port;
	opt.threads = threads;
	opt.max_body = MF_WITNESS_MAX_BODY;
	opt.max_connections = 256;
	opt.per_ip_limit = 64;
	opt.conn_timeout = 30;
	opt.header_timeout = 10;
	opt.body_timeout = 30;
	opt.trusted_proxy = "";
	opt.rate_exempt = "";
	opt.listen_fd = -1;
	if ((rc = mf_http_start(&s->http, &opt, routes,
	                        sizeof(routes) / sizeof(routes[0]), NULL,
	                        err)) != 0) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
mf_witness_server_stop(struct mf_witness_server *s)
{
	if (s == NULL)
		return;
	mf_http_stop(s->http, 5000);
	free(s);
}
