/*
 * Organisation pages (/orgs, /orgs/{org}: models, keys with their status
 * and the log entries that added or revoked them, recent submissions)
 * and the log page (/log: the signed checkpoint, the newest entries, how
 * to verify), from GET /v1/orgs..., /v1/registry and /v1/log/....
 */
#include "app/app.h"
#include "labels/text.h"
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"

#include <stdlib.h>
#include <string.h>

#define LOG_RECENT 10

int
mf_site_orgs(struct mf_request *req)
{
	static const char *const allowed[] = {NULL};
	struct mf_page p;
	json_t *orgs;
	const json_t *o;
	size_t i;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	orgs = mf_page_fetch(&p, "/v1/orgs");
	mf_page_begin(&p, "Organisations", NULL, NULL);
	mf_page_raw(&p, "<h1>Organisations</h1>\n<ul class=\"orgs\" "
	                "id=\"orgs\">");
	json_array_foreach(json_object_get(orgs, "orgs"), i, o)
	{
		mf_page_raw(&p, "<li>");
		mf_site_org_link(&p,
		                 json_string_value(json_object_get(o, "org")),
		                 json_string_value(json_object_get(o, "name")));
		mf_page_raw(&p, " <span class=\"role\">");
		mf_page_text(&p, json_string_value(json_object_get(o, "role")));
		mf_page_raw(&p, "</span></li>");
	}
	mf_page_raw(&p, "</ul>\n");
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	json_decref(orgs);
	return rc;
}

static void
log_link(struct mf_page *p, const json_t *v)
{
	if (json_is_integer(v))
		mf_page_printf(
		    p, "<a href=\"/v1/log/entries/%lld\">entry %lld</a>",
		    (long long)json_integer_value(v),
		    (long long)json_integer_value(v));
	else
		mf_page_raw(p, "registered by the operator");
}

static void
keys(struct mf_page *p, const json_t *org)
{
	const json_t *k;
	size_t i;

	mf_page_raw(p, "<section aria-labelledby=\"h-keys\"><h2 "
	               "id=\"h-keys\">Signing keys</h2>\n");
	if (json_array_size(json_object_get(org, "keys")) == 0) {
		mf_page_raw(p, "<p class=\"empty\">No keys: this organisation "
		               "signs nothing here yet.</p></section>\n");
		return;
	}
	mf_page_raw(p,
	            "<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
	            "aria-label=\"Signing keys, table\"><table class=\"keys\" "
	            "id=\"keys\"><thead><tr><th scope=\"col\">Key id</th>"
	            "<th scope=\"col\">Algorithm</th><th "
	            "scope=\"col\">Status</th><th scope=\"col\">Added</th>"
	            "<th scope=\"col\">Revoked</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(org, "keys"), i, k)
	{
		const char *status =
		    json_string_value(json_object_get(k, "status"));

		mf_page_raw(p, "<tr><th scope=\"row\"><code class=\"hash\">");
		mf_page_text(p, json_string_value(json_object_get(k, "keyid")));
		mf_page_raw(p, "</code></th><td>");
		mf_page_text(p, json_string_value(json_object_get(k, "alg")));
		mf_page_printf(p, "</td><td class=\"status status-%s\">",
		               status && strcmp(status, "active") == 0
		                   ? "active"
		                   : "other");
		mf_page_text(p, status);
		mf_page_raw(p, "</td><td>");
		mf_page_text(
		    p, json_string_value(json_object_get(k, "created_at")));
		mf_page_raw(p, ", ");
		log_link(p, json_object_get(k, "added_at_log_index"));
		mf_page_raw(p, "</td><td>");
		if (json_is_string(json_object_get(k, "revoked_at"))) {
			mf_page_text(p, json_string_value(
			                    json_object_get(k, "revoked_at")));
			mf_page_raw(p, ", ");
			log_link(p, json_object_get(k, "revoked_at_log_index"));
		} else {
			mf_page_raw(p, "—");
		}
		mf_page_raw(p, "</td></tr>\n");
	}
	mf_page_raw(p, "</tbody></table></div></section>\n");
}

static void
recent(struct mf_page *p, const json_t *org)
{
	const json_t *r;
	size_t i;

	mf_page_raw(p, "<section aria-labelledby=\"h-recent\"><h2 "
	               "id=\"h-recent\">Recent submissions</h2>\n");
	if (json_array_size(json_object_get(org, "recent")) == 0) {
		mf_page_raw(p, "<p class=\"empty\">None yet.</p></section>\n");
		return;
	}
	mf_page_raw(p, "<ol class=\"recent\" id=\"submissions\">");
	json_array_foreach(json_object_get(org, "recent"), i, r)
	{
		const char *so =
		    json_string_value(json_object_get(r, "subject_org"));
		const char *sm =
		    json_string_value(json_object_get(r, "subject_model"));

		mf_page_raw(p, "<li>");
		mf_page_text(p, json_string_value(json_object_get(r, "kind")));
		if (sm != NULL) {
			mf_page_raw(p, " about ");
			mf_site_model_link(p, so, sm, NULL);
		}
		mf_page_raw(p, ", ");
		mf_page_text(
		    p, json_string_value(json_object_get(r, "accepted_at")));
		mf_page_raw(p, ", ");
		if (json_is_integer(json_object_get(r, "log_index")))
			log_link(p, json_object_get(r, "log_index"));
		else
			mf_page_raw(p, "not yet in the log");
		mf_page_raw(p, "</li>");
	}
	mf_page_raw(p, "</ol></section>\n");
}

int
mf_site_org(struct mf_request *req)
{
	static const char *const allowed[] = {NULL};
	const char *id = mf_http_param(req, 0);
	struct mf_page p;
	json_t *org = NULL;
	const json_t *m;
	size_t i;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	if (!mf_label_slug_ok(id))
		mf_page_fail(&p, 404, "There is no such organisation.");
	else
		org = mf_page_fetch(&p, "/v1/orgs/%s", id);
	mf_page_begin(&p, json_string_value(json_object_get(org, "name")), NULL,
	              NULL);
	mf_page_raw(&p, "<h1>");
	mf_page_text(&p, json_string_value(json_object_get(org, "name")));
	mf_page_raw(&p, "</h1>\n<p class=\"meta\"><span class=\"id\">");
	mf_page_text(&p, id);
	mf_page_raw(&p, "</span> · ");
	mf_page_text(&p, json_string_value(json_object_get(org, "role")));
	mf_page_raw(&p, " · registered ");
	mf_page_text(&p, json_string_value(json_object_get(org, "created_at")));
	mf_page_raw(&p, "</p>\n<section aria-labelledby=\"h-models\"><h2 "
	                "id=\"h-models\">Models</h2>\n");
	if (json_array_size(json_object_get(org, "models")) == 0)
		mf_page_raw(&p, "<p class=\"empty\">No models.</p>\n");
	else
		mf_page_raw(&p, "<ul class=\"models\" id=\"models\">");
	json_array_foreach(json_object_get(org, "models"), i, m)
	{
		mf_page_raw(&p, "<li>");
		mf_site_model_link(&p, id, json_string_value(m), NULL);
		mf_page_raw(&p, "</li>");
	}
	if (json_array_size(json_object_get(org, "models")) > 0)
		mf_page_raw(&p, "</ul>\n");
	mf_page_raw(&p, "</section>\n");
	keys(&p, org);
	recent(&p, org);
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	json_decref(org);
	return rc;
}

/* The value of "name value" line of a log entry's leaf text. */
static void
leaf_field(struct mf_page *p, const char *leaf, const char *name)
{
	size_t n = strlen(name);
	const char *s = leaf;

	while (s != NULL && *s) {
		if (strncmp(s, name, n) == 0 && s[n] == ' ') {
			const char *e = strchr(s, '\n');
			char buf[256];
			size_t len =
			    e ? (size_t)(e - s - n - 1) : strlen(s + n + 1);

			if (len >= sizeof(buf))
				len = sizeof(buf) - 1;
			memcpy(buf, s + n + 1, len);
			buf[len] = '\0';
			mf_page_text(p, buf);
			return;
		}
		s = strchr(s, '\n');
		if (s != NULL)
			s++;
	}
}

int
mf_site_log(struct mf_request *req)
{
	static const char *const allowed[] = {NULL};
	const char *url = req->app->cfg->public_url;
	struct mf_page p;
	json_t *reg, *e;
	char *cp;
	long long size = 0, i;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	reg = mf_page_fetch(&p, "/v1/registry");
	cp = mf_page_fetch_text(&p, "/v1/log/checkpoint", false);
	if (cp != NULL && strchr(cp, '\n') != NULL)
		size = atoll(strchr(cp, '\n') + 1);
	mf_page_begin(&p, "The log", "/log", NULL);
	mf_page_raw(&p, "<h1>The tamper-evident log</h1>\n<p "
	                "class=\"lede\">Every accepted document has one entry "
	                "in an append-only Merkle log (RFC 9162 hashing). The "
	                "registry signs checkpoints of it with its log key; "
	                "anyone can prove that an entry is in the log and "
	                "that a later checkpoint extends an earlier one.</p>\n"
	                "<section aria-labelledby=\"h-cp\"><h2 id=\"h-cp\">"
	                "Current checkpoint</h2>\n");
	if (cp != NULL) {
		mf_page_raw(&p, "<pre class=\"checkpoint\" id=\"checkpoint\">");
		mf_page_text_pre(&p, cp);
		mf_page_raw(&p, "</pre>\n");
	} else {
		mf_page_raw(&p, "<p class=\"empty\">The log is empty.</p>\n");
	}
	mf_page_raw(&p, "<p>Verifier key (pin it out of band): <code "
	                "class=\"hash\" id=\"log-key\">");
	mf_page_text(&p,
	             json_string_value(json_object_get(reg, "log_public_key")));
	mf_page_raw(&p, "</code></p></section>\n<section "
	                "aria-labelledby=\"h-entries\"><h2 id=\"h-entries\">"
	                "Newest entries</h2>\n");
	if (size > 0)
		mf_page_raw(&p, "<ol class=\"entries\" id=\"entries\">");
	for (i = size - 1; i >= 0 && i >= size - LOG_RECENT && p.rc == 0; i--) {
		const char *leaf;

		if ((e = mf_page_fetch(&p, "/v1/log/entries/%lld", i)) == NULL)
			break;
		leaf = json_string_value(json_object_get(e, "leaf"));
		mf_page_printf(&p,
		               "<li><a href=\"/v1/log/entries/%lld\">%lld</a> "
		               "",
		               i, i);
		leaf_field(&p, leaf, "kind");
		mf_page_raw(&p, " by ");
		leaf_field(&p, leaf, "org");
		mf_page_raw(&p, " about ");
		leaf_field(&p, leaf, "subject");
		mf_page_raw(&p, ", ");
		leaf_field(&p, leaf, "accepted-at");
		mf_page_raw(&p, "</li>");
		json_decref(e);
	}
	if (size > 0)
		mf_page_raw(&p, "</ol>\n");
	else
		mf_page_raw(&p, "<p class=\"empty\">No entries yet.</p>\n");
	mf_page_raw(&p, "</section>\n<section aria-labelledby=\"h-verify\">"
	                "<h2 id=\"h-verify\">How to verify</h2>\n<ol "
	                "class=\"verify\"><li>Follow the log: every run checks "
	                "the newest checkpoint's signature and that it extends "
	                "the one seen before.<pre><code>modelfacts verify-log "
	                "follow --registry ");
	mf_page_text(&p, url);
	mf_page_raw(&p, "</code></pre></li><li>Prove one entry is in the "
	                "log:<pre><code>modelfacts verify-log entry "
	                "--registry ");
	mf_page_text(&p, url);
	mf_page_raw(&p, " 0</code></pre></li><li>Or with nothing but "
	                "<code>openssl</code> and a shell: the README's "
	                "\"Verifying the log\" recipe fetches the checkpoint "
	                "(<a href=\"/v1/log/checkpoint\">/v1/log/checkpoint"
	                "</a>), an entry's leaf (<code>/v1/log/entries/I?"
	                "format=leaf</code>) and its inclusion proof "
	                "(<code>/v1/log/proof/inclusion?index=I&amp;size=N"
	                "</code>) and folds the proof up to the signed root."
	                "</li></ol></section>\n");
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	json_decref(reg);
	free(cp);
	return rc;
}
