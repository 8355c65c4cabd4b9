/*
 * What every page of the web site shares: the page frame (head, header
 * with navigation and search, footer), escaping of untrusted text through
 * the label's escaper (labels/html.h), the API's JSON fetched through a
 * captured request (http.h: mf_http_capture), and the response with its
 * security headers, ETag and caching.
 *
 * Errors are sticky, like the label emitter's: the first failed fetch or
 * write is kept in the page, later calls do nothing, and the handler ends
 * with mf_page_finish(), which sends the page or the error page.
 */
#ifndef MF_SITE_PAGE_H
#define MF_SITE_PAGE_H

#include "common/buf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>

/* Largest page we write; the model page of a 100-indicator label is far
 * below this. */
#define MF_PAGE_MAX (4u << 20)

enum mf_page_cache {
	MF_PAGE_SHORT,     /* lists and current views: revalidate each time */
	MF_PAGE_IMMUTABLE, /* a version's page: a year, immutable */
};

struct mf_page {
	struct mf_request *req; /* borrowed */
	struct mf_buf out;
	unsigned status;   /* the page's status; an error page's when failed */
	int rc;            /* first error, sticky */
	char message[256]; /* an error page's message */
	enum mf_page_cache cache;
	bool embeddable; /* the label widget: any site may frame it */
	bool bare;       /* no header/footer (the widget) */
	/* an Atom feed's path (trusted: fixed text and slugs) that
	 * mf_page_begin announces in <head>, or NULL; borrowed */
	const char *feed;
};

void mf_page_init(struct mf_page *p, struct mf_request *req);
void mf_page_dispose(struct mf_page *p);

/* Records a failure once: the error page shows status and message. */
void mf_page_fail(struct mf_page *p, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * GETs an API target (printf-style; the caller percent-encodes values
 * with mf_page_qs) through a captured request. Returns the JSON answer
 * (a new reference) when the status is 200; otherwise records the API's
 * status and error message as the page's failure and returns NULL.
 */
json_t *mf_page_fetch(struct mf_page *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same for an answer that is text (the checkpoint); a new string
 * the caller frees, or NULL (the failure recorded only when required). */
char *mf_page_fetch_text(struct mf_page *p, const char *target, bool required);

/*
 * The page's own query arguments, collected once: repeated names of a
 * list facet (checkboxes: access, input, output) joined with commas as
 * the API takes them, empty values (blank form fields) dropped.
 */
#define MF_PAGE_MAX_ARGS 32
struct mf_page_args {
	int n;
	const char *names[MF_PAGE_MAX_ARGS];
	char *values[MF_PAGE_MAX_ARGS]; /* owned */
	bool too_many;
};
void mf_page_args_init(struct mf_page_args *a, struct mf_request *req,
                       const char *const *joined);
void mf_page_args_dispose(struct mf_page_args *a);
/* The first value of name, or NULL. */
const char *mf_page_arg(const struct mf_page_args *a, const char *name);
/* True when list (comma-separated) contains item. */
bool mf_page_list_has(const char *list, const char *item);

/* Records a 400 naming the first query parameter of the page's request
 * that is not in allowed (NULL-terminated; NULL: none is). */
void mf_page_only(struct mf_page *p, const char *const *allowed);

/* Appends "&name=value" (or "?name=value" when b is empty), value
 * percent-encoded; value NULL or "" appends nothing. */
int mf_page_qs(struct mf_buf *b, const char *name, const char *value);

/* Trusted markup, copied as is: fixed strings and numbers only. */
void mf_page_raw(struct mf_page *p, const char *s);
void mf_page_printf(struct mf_page *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Untrusted text (NULL: nothing), escaped by the label's escaper, which
 * also neutralises bidi controls. Safe in content and quoted attributes. */
void mf_page_text(struct mf_page *p, const char *s);
/* Untrusted text for a <pre>: each line escaped, line breaks kept. */
void mf_page_text_pre(struct mf_page *p, const char *s);
/* The text of a JSON value: strings as text, numbers as numbers, null
 * and anything else as `none` (a fixed string). */
void mf_page_json_text(struct mf_page *p, const json_t *v, const char *none);
/* An external link when url is http(s) and safe (labels/text.h), else
 * the url as text. */
void mf_page_ext_link(struct mf_page *p, const char *url, const char *text);
/* A score bar: met of max, with its text. */
void mf_page_bar(struct mf_page *p, long long met, long long max);

/* Opens the page: head, header with navigation (current: the nav item
 * to mark, or NULL) and search form (q: its value, or NULL), <main>. */
void mf_page_begin(struct mf_page *p, const char *title, const char *current,
                   const char *q);
/* Closes <main>, writes the footer and closes the page. */
void mf_page_end(struct mf_page *p);

/*
 * Sends the page (200) or, when a failure was recorded, the error page
 * with its status; both with the security headers, and an ETag (304 on
 * If-None-Match). Returns what the respond function returns.
 */
int mf_page_finish(struct mf_page *p);

/*
 * The same, and when key is not NULL and the page succeeded, keeps it in
 * the server's cache of immutable responses (http/cache.h) under key.
 */
int mf_page_finish_cache(struct mf_page *p, const char *key);
/* Answers from that cache when it holds key (then true: the answer, or
 * its failure, is in p->rc). */
bool mf_page_cached(struct mf_page *p, const char *key);

/* An error page on its own (the HTML 404 of unknown paths). */
int mf_page_error(struct mf_request *req, unsigned status, const char *title,
                  const char *message);

/* The URL of a static asset with its content hash ("/static/site.css?v=").
 * name: "site.css" or "site.js". */
const char *mf_page_asset_url(const char *name);
/* The bytes of a static asset (site.css is web/static/site.css followed
 * by the label's stylesheet), or NULL when there is no such asset. */
const struct mf_embedded *mf_page_asset(const char *name,
                                        const char **content_type);

#endif
