/*
 * The page frame, escaping, captured API fetches and the response with
 * its security headers (see page.h).
 */
#include "site/page.h"

#include "app/app.h"
#include "common/digest.h"
#include "http/cache.h"
#include "common/embedded.h"
#include "common/error.h"
#include "labels/html.h"
#include "labels/label.h"
#include "labels/text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No inline script or style anywhere; only the widget may be framed. */
#define CSP_BASE                                                               \
	"default-src 'none'; style-src 'self'; script-src 'self'; "            \
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; "       \
	"base-uri 'none'; frame-ancestors "

void
mf_page_init(struct mf_page *p, struct mf_request *req)
{
	memset(p, 0, sizeof(*p));
	p->req = req;
	p->status = 200;
	mf_buf_init(&p->out, MF_PAGE_MAX);
}

void
mf_page_dispose(struct mf_page *p)
{
	mf_buf_dispose(&p->out);
}

void
mf_page_fail(struct mf_page *p, unsigned status, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != 0)
		return;
	p->rc = MF_E_BAD_REQUEST;
	p->status = status;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

/* The failure of a captured answer: its status and error message. */
static void
fail_from(struct mf_page *p, const struct mf_capture *c)
{
	const char *msg = json_string_value(
	    json_object_get(json_object_get(c->json, "error"), "message"));

	if (c->status == 404)
		mf_page_fail(p, 404, "%s", msg ? msg : "Not found.");
	else if (c->status >= 400 && c->status < 500)
		mf_page_fail(p, 400, "%s", msg ? msg : "Bad request.");
	else
		mf_page_fail(p, 500, "The registry could not answer (%u).",
		             c->status);
}

json_t *
mf_page_fetch(struct mf_page *p, const char *fmt, ...)
{
	struct mf_capture c;
	char target[4096];
	json_t *out = NULL;
	va_list ap;
	int n;

	if (p->rc != 0)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(target, sizeof(target), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(target)) {
		mf_page_fail(p, 400, "The request is too long.");
		return NULL;
	}
	if (mf_http_capture(p->req, target, &c) != 0) {
		mf_page_fail(p, 500, "The registry could not answer.");
	} else if (c.status == 200 && c.json != NULL) {
		out = json_incref(c.json);
	} else {
		fail_from(p, &c);
	}
	mf_http_capture_dispose(&c);
	return out;
}

char *
mf_page_fetch_text(struct mf_page *p, const char *target, bool required)
{
	struct mf_capture c;
	char *out = NULL;

	if (p->rc != 0)
		return NULL;
	if (mf_http_capture(p->req, target, &c) != 0) {
		if (required)
			mf_page_fail(p, 500, "The registry could not answer.");
	} else if (c.status == 200 && c.json == NULL) {
		if ((out = strdup(c.body.data ? c.body.data : "")) == NULL)
			mf_page_fail(p, 500, "Out of memory.");
	} else if (required) {
		fail_from(p, &c);
	}
	mf_http_capture_dispose(&c);
	return out;
}

/* mf_page_args_init's state across mf_http_query_each. */
struct args_ctx {
	struct mf_page_args *a;
	const char *const *joined;
};

static int
args_one(void *cls, const char *name, const char *value)
{
	struct args_ctx *ctx = cls;
	struct mf_page_args *a = ctx->a;
	const char *const *j;
	int i;

	if (value == NULL || *value == '\0')
		return 0;
	for (j = ctx->joined; j != NULL && *j != NULL; j++) {
		if (strcmp(*j, name) != 0)
			continue;
		for (i = 0; i < a->n; i++) {
			char *v;
			size_t n;

			if (strcmp(a->names[i], name) != 0)
				continue;
			n = strlen(a->values[i]) + strlen(value) + 2;
			if ((v = malloc(n)) == NULL)
				return MF_E_NOMEM;
			snprintf(v, n, "%s,%s", a->values[i], value);
			free(a->values[i]);
			a->values[i] = v;
			return 0;
		}
	}
	if (a->n >= MF_PAGE_MAX_ARGS) {
		a->too_many = true;
		return 0;
	}
	if ((a->values[a->n] = strdup(value)) == NULL)
		return MF_E_NOMEM;
	a->names[a->n++] = name;
	return 0;
}

void
mf_page_args_init(struct mf_page_args *a, struct mf_request *req,
                  const char *const *joined)
{
	struct args_ctx ctx = {a, joined};

	memset(a, 0, sizeof(*a));
	if (mf_http_query_each(req, args_one, &ctx) != 0)
		a->too_many = true;
}

void
mf_page_args_dispose(struct mf_page_args *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->values[i]);
	a->n = 0;
}

const char *
mf_page_arg(const struct mf_page_args *a, const char *name)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			return a->values[i];
	return NULL;
}

bool
mf_page_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *s = list;

	while (s != NULL && *s != '\0') {
		if (strncmp(s, item, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return true;
		s = strchr(s, ',');
		if (s != NULL)
			s++;
	}
	return false;
}

/* mf_page_only's check of one argument. */
static int
only_one(void *cls, const char *name, const char *value)
{
	struct mf_page *p = ((void **)cls)[0];
	const char *const *allowed = ((void **)cls)[1], *const * a;

	(void)value;
	for (a = allowed; a != NULL && *a != NULL; a++)
		if (strcmp(*a, name) == 0)
			return 0;
	mf_page_fail(p, 400, "Unknown query parameter '%.64s'.", name);
	return 1;
}

void
mf_page_only(struct mf_page *p, const char *const *allowed)
{
	void *cls[2] = {p, (void *)allowed};

	if (p->rc == 0)
		mf_http_query_each(p->req, only_one, cls);
}

int
mf_page_qs(struct mf_buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)value;
	int rc;

	if (value == NULL || *value == '\0')
		return 0;
	if ((rc = mf_buf_printf(b, "%c%s=", b->len ? '&' : '?', name)) != 0)
		return rc;
	for (; *s && rc == 0; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			rc = mf_buf_putc(b, (char)*s);
		else if (*s == '/' || *s == ',' || *s == ':')
			rc = mf_buf_putc(b, (char)*s); /* legal in a query */
		else
			rc = mf_buf_printf(b, "%%%c%c", hex[*s >> 4],
			                   hex[*s & 15]);
	}
	return rc;
}

void
mf_page_raw(struct mf_page *p, const char *s)
{
	if (p->rc == 0 && (p->rc = mf_buf_puts(&p->out, s)) != 0)
		p->status = 500;
}

void
mf_page_printf(struct mf_page *p, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != 0)
		return;
	va_start(ap, fmt);
	if ((p->rc = mf_buf_vprintf(&p->out, fmt, ap)) != 0)
		p->status = 500;
	va_end(ap);
}

void
mf_page_text(struct mf_page *p, const char *s)
{
	if (p->rc != 0 || s == NULL)
		return;
	if ((p->rc = mf_label_html_escape(&p->out, s, strlen(s))) != 0)
		p->status = 500;
}

void
mf_page_text_pre(struct mf_page *p, const char *s)
{
	const char *nl;

	for (; s != NULL && p->rc == 0; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (p->rc == 0 &&
		    (p->rc = mf_label_html_escape(
		         &p->out, s, nl ? (size_t)(nl - s) : strlen(s))) != 0)
			p->status = 500;
		if (nl != NULL && nl[1] != '\0')
			mf_page_raw(p, "\n");
	}
}

void
mf_page_json_text(struct mf_page *p, const json_t *v, const char *none)
{
	if (json_is_string(v))
		mf_page_text(p, json_string_value(v));
	else if (json_is_integer(v))
		mf_page_printf(p, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		mf_page_printf(p, "%.6g", json_real_value(v));
	else if (json_is_boolean(v))
		mf_page_raw(p, json_is_true(v) ? "yes" : "no");
	else
		mf_page_raw(p, none);
}

void
mf_page_ext_link(struct mf_page *p, const char *url, const char *text)
{
	if (url == NULL)
		return;
	if (!mf_label_url_linkable(url)) {
		mf_page_text(p, text ? text : url);
		return;
	}
	mf_page_raw(p, "<a href=\"");
	mf_page_text(p, url);
	mf_page_raw(p, "\" rel=\"nofollow noopener noreferrer\">");
	mf_page_text(p, text ? text : url);
	mf_page_raw(p, "</a>");
}

void
mf_page_bar(struct mf_page *p, long long met, long long max)
{
	if (p->rc != 0)
		return;
	if (max > 0 && met < 0)
		met = 0;
	if (max > 0 && met > max)
		met = max;
	if ((p->rc = mf_label_html_bar(&p->out, met, max)) != 0) {
		p->status = 500;
		return;
	}
	mf_page_printf(p, " <span class=\"num\">%lld/%lld</span>", met, max);
}

static const struct {
	const char *href, *name;
} nav[] = {
    {"/models", "Models"},       {"/compare", "Compare"},
    {"/dashboard", "Dashboard"}, {"/log", "Log"},
    {"/v1/openapi.json", "API"},
};

void
mf_page_begin(struct mf_page *p, const char *title, const char *current,
              const char *q)
{
	size_t i;

	mf_page_raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	               "<meta charset=\"utf-8\">\n"
	               "<meta name=\"viewport\" content=\"width=device-width, "
	               "initial-scale=1\">\n<title>");
	mf_page_text(p, title);
	mf_page_printf(p,
	               " · modelfacts</title>\n"
	               "<link rel=\"icon\" href=\"data:,\">\n"
	               "<link rel=\"stylesheet\" href=\"%s\">\n"
	               "<script src=\"%s\" defer></script>\n",
	               mf_page_asset_url("site.css"),
	               mf_page_asset_url("site.js"));
	if (p->feed != NULL) {
		mf_page_raw(p, "<link rel=\"alternate\" "
		               "type=\"application/atom+xml\" title=\"New "
		               "versions (Atom)\" href=\"");
		mf_page_text(p, p->feed);
		mf_page_raw(p, "\">\n");
	}
	mf_page_raw(p, "</head>\n<body>\n");
	if (p->bare) {
		mf_page_raw(p, "<main id=\"main\">\n");
		return;
	}
	mf_page_raw(p, "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
	               "<header class=\"site\">\n<nav aria-label=\"Main\">"
	               "<a class=\"brand\" href=\"/\">modelfacts</a>\n<ul>");
	for (i = 0; i < sizeof(nav) / sizeof(nav[0]); i++)
		mf_page_printf(p, "<li><a href=\"%s\"%s>%s</a></li>",
		               nav[i].href,
		               current && strcmp(current, nav[i].href) == 0
		                   ? " aria-current=\"page\""
		                   : "",
		               nav[i].name);
	mf_page_raw(p,
	            "</ul></nav>\n<form class=\"search\" role=\"search\" "
	            "aria-label=\"Site search\" "
	            "action=\"/models\" method=\"get\">"
	            "<label for=\"site-q\">Search models</label> "
	            "<input id=\"site-q\" name=\"q\" type=\"search\" "
	            "placeholder=\"name, developer, organisation\" value=\"");
	mf_page_text(p, q);
	mf_page_raw(p, "\"> <button type=\"submit\">Search</button></form>\n"
	               "</header>\n<main id=\"main\">\n");
}

void
mf_page_end(struct mf_page *p)
{
	mf_page_raw(p, "</main>\n");
	if (!p->bare)
		mf_page_raw(
		    p, "<footer class=\"site\"><p>Every page is built from the "
		       "registry's own JSON API (<a href=\"/v1/openapi.json\">"
		       "OpenAPI</a>); every document is signed, logged in a "
		       "<a href=\"/log\">tamper-evident log</a> and published "
		       "to <a href=\"/labels.git/HEAD\">a git repository</a> "
		       "you can clone and verify offline.</p></footer>\n");
	mf_page_raw(p, "</body>\n</html>\n");
}

/* The security headers every page carries. */
static int
security_headers(struct mf_request *req, bool embeddable)
{
	int rc;

	rc = mf_http_set_header(req, "Content-Security-Policy",
	                        embeddable ? CSP_BASE "*" : CSP_BASE "'none'");
	if (rc == 0)
		rc = mf_http_set_header(req, "Referrer-Policy", "no-referrer");
	if (rc == 0 && !embeddable)
		rc = mf_http_set_header(req, "X-Frame-Options", "DENY");
	return rc;
}

static int
send_html(struct mf_request *req, unsigned status, struct mf_buf *body,
          enum mf_page_cache cache, bool embeddable)
{
	char hex[MF_SHA256_HEX_LEN + 1], etag[40];
	const char *inm;
	int rc;

	if ((rc = security_headers(req, embeddable)) != 0)
		return rc;
	if (status != 200)
		return mf_http_respond(req, status, "text/html; charset=utf-8",
		                       body->data ? body->data : "", body->len,
		                       false);
	mf_sha256_hex(hex, body->data ? body->data : "", body->len);
	snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
	if ((rc = mf_http_set_header(req, "ETag", etag)) != 0 ||
	    (rc = mf_http_set_header(req, "Cache-Control",
	                             cache == MF_PAGE_IMMUTABLE
	                                 ? "public, max-age=31536000, immutable"
	                                 : "no-cache")) != 0)
		return rc;
	inm = mf_http_header(req, "If-None-Match");
	if (inm != NULL && strstr(inm, etag) != NULL)
		return mf_http_respond(req, 304, NULL, "", 0, true);
	return mf_http_respond(req, 200, "text/html; charset=utf-8",
	                       body->data ? body->data : "", body->len, false);
}

static void
error_body(struct mf_page *p, const char *title, const char *message)
{
	mf_page_begin(p, title, NULL, NULL);
	mf_page_raw(p, "<h1>");
	mf_page_text(p, title);
	mf_page_raw(p, "</h1>\n<p class=\"error\">");
	mf_page_text(p, message);
	mf_page_raw(p, "</p>\n<p><a href=\"/\">Home</a> · <a "
	               "href=\"/models\">All models</a></p>\n");
	mf_page_end(p);
}

static const char *
status_title(unsigned status)
{
	return status == 404   ? "Not found"
	       : status == 400 ? "Bad request"
	                       : "Something went wrong";
}

int
mf_page_error(struct mf_request *req, unsigned status, const char *title,
              const char *message)
{
	struct mf_page p;
	int rc;

	mf_page_init(&p, req);
	error_body(&p, title ? title : status_title(status), message);
	rc = p.rc != 0 ? p.rc
	               : send_html(req, status, &p.out, MF_PAGE_SHORT, false);
	mf_page_dispose(&p);
	return rc;
}

int
mf_page_finish(struct mf_page *p)
{
	char message[sizeof(p->message)];

	if (p->rc == 0)
		return send_html(p->req, p->status, &p->out, p->cache,
		                 p->embeddable);
	if (p->status == 500 && p->message[0] == '\0')
		snprintf(p->message, sizeof(p->message),
		         "The page could not be written (%s).",
		         mf_error_name(p->rc));
	memcpy(message, p->message, sizeof(message));
	return mf_page_error(p->req, p->status, NULL, message);
}

#define IMMUTABLE "public, max-age=31536000, immutable"

int
mf_page_finish_cache(struct mf_page *p, const char *key)
{
	struct mf_blob *blob;
	int rc;

	if (key == NULL || p->rc != 0 || p->req->app == NULL ||
	    p->req->app->cache == NULL)
		return mf_page_finish(p);
	if ((blob = mf_blob_new(p->out.data ? p->out.data : "", p->out.len,
	                        "text/html; charset=utf-8")) == NULL)
		return mf_page_finish(p);
	mf_cache_put(p->req->app->cache, key, blob);
	rc = security_headers(p->req, p->embeddable);
	if (rc == 0)
		rc = mf_http_respond_blob(p->req, blob, IMMUTABLE);
	mf_blob_unref(blob);
	return rc;
}

bool
mf_page_cached(struct mf_page *p, const char *key)
{
	struct mf_blob *blob;

	if (p->req->app == NULL || p->req->app->cache == NULL ||
	    (blob = mf_cache_get(p->req->app->cache, key)) == NULL)
		return false;
	p->rc = security_headers(p->req, p->embeddable);
	if (p->rc == 0)
		p->rc = mf_http_respond_blob(p->req, blob, IMMUTABLE);
	mf_blob_unref(blob);
	return true;
}

/* ---- static assets ---------------------------------------------- */

static struct mf_embedded css_asset;
static char css_url[64], js_url[64];
static pthread_once_t assets_once = PTHREAD_ONCE_INIT;

static void
asset_url(char *out, size_t n, const char *name, const void *data, size_t len)
{
	char hex[MF_SHA256_HEX_LEN + 1];

	mf_sha256_hex(hex, data, len);
	snprintf(out, n, "/static/%s?v=%.12s", name, hex);
}

/* site.css is the site's rules followed by the label's, so a page that
 * embeds the label panel needs one stylesheet. Built once. */
static void
assets_init(void)
{
	const struct mf_embedded *site = mf_embedded_get("web/static/site.css");
	const struct mf_embedded *js = mf_embedded_get("web/static/site.js");
	const char *label = mf_label_css();
	size_t n = site ? site->len : 0, m = strlen(label);
	unsigned char *data = malloc(n + m + 1);

	if (data != NULL) {
		if (n)
			memcpy(data, site->data, n);
		memcpy(data + n, label, m + 1);
		css_asset.name = "site.css";
		css_asset.data = data;
		css_asset.len = n + m;
		asset_url(css_url, sizeof(css_url), "site.css", data, n + m);
	}
	if (js != NULL)
		asset_url(js_url, sizeof(js_url), "site.js", js->data, js->len);
}

const char *
mf_page_asset_url(const char *name)
{
	pthread_once(&assets_once, assets_init);
	if (strcmp(name, "site.css") == 0)
		return css_url[0] ? css_url : "/static/site.css";
	return js_url[0] ? js_url : "/static/site.js";
}

const struct mf_embedded *
mf_page_asset(const char *name, const char **content_type)
{
	pthread_once(&assets_once, assets_init);
	if (strcmp(name, "site.css") == 0 && css_asset.data != NULL) {
		*content_type = "text/css; charset=utf-8";
		return &css_asset;
	}
	if (strcmp(name, "site.js") == 0) {
		*content_type = "text/javascript; charset=utf-8";
		return mf_embedded_get("web/static/site.js");
	}
	return NULL;
}
