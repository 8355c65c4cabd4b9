/*
 * The model page (/models/{org}/{model}, and .../versions/{n} for one
 * version, immutable): the nutrition label from the API's label.json,
 * rendered by labels/ as an embeddable fragment; a version selector;
 * every judgement per indicator with its justification; provenance
 * (signer keys, envelope, git commit, log entry and inclusion proof, the
 * commands to verify offline); downloads. Also the embeddable widget.
 */
#include "app/app.h"
#include "labels/label.h"
#include "labels/text.h"
#include "site/page.h"
#include "site/pages.h"
#include "site/rows.h"
#include "site/model.h"

#include <stdlib.h>
#include <string.h>

static void
view_dispose(struct mf_site_model *v)
{
	json_decref(v->versions);
	json_decref(v->label);
	json_decref(v->history);
	json_decref(v->judgements);
}

/* A version withdrawn or signed by a compromised key (the versions
 * list's flags). */
static bool
flagged(const json_t *version)
{
	return json_is_object(json_object_get(version, "withdrawn")) ||
	       json_is_object(json_object_get(version, "compromised"));
}

/*
 * Every flagged version, prominently, before the label: withdrawn by its
 * developer (when and why), or signed by a key reported compromised.
 * Such a version counts in no score or list.
 */
static void
trust_notices(struct mf_page *p, const struct mf_site_model *v)
{
	const json_t *vs = json_object_get(v->versions, "versions"), *x, *f;
	size_t i;

	for (i = 0; i < json_array_size(vs); i++) {
		x = json_array_get(vs, i);
		if ((f = json_object_get(x, "withdrawn")) != NULL &&
		    json_is_object(f)) {
			mf_page_printf(p,
			               "<p class=\"notice\">Version %lld was ",
			               (long long)json_integer_value(
			                   json_object_get(x, "version")));
			mf_page_raw(p, "withdrawn by ");
			mf_page_text(
			    p, json_string_value(json_object_get(f, "by")));
			mf_page_raw(p, " on ");
			mf_page_text(
			    p, json_string_value(json_object_get(f, "on")));
			mf_page_raw(p, " because ");
			mf_page_text(
			    p, json_string_value(json_object_get(f, "reason")));
			mf_page_raw(p, " It counts in no score or list.</p>\n");
		}
		if ((f = json_object_get(x, "compromised")) != NULL &&
		    json_is_object(f)) {
			mf_page_printf(p,
			               "<p class=\"notice\">Version %lld is ",
			               (long long)json_integer_value(
			                   json_object_get(x, "version")));
			mf_page_raw(p, "signed by a key reported compromised "
			               "since ");
			mf_page_text(
			    p, json_string_value(json_object_get(f, "since")));
			mf_page_raw(p, " (key ");
			mf_page_text(
			    p, json_string_value(json_object_get(f, "keyid")));
			mf_page_raw(p, ", revoked at ");
			mf_page_text(p, json_string_value(
			                    json_object_get(f, "revoked_at")));
			mf_page_raw(p, "). It counts in no score or list "
			               "unless its developer signs it "
			               "again.</p>\n");
		}
	}
}

/* The version's number n (1-based) from a path segment or query; -1 when
 * it is not a number. */
static long long
version_number(const char *s)
{
	long long n = 0;
	size_t i;

	if (s == NULL || *s == '\0')
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n;
}

/* The version the page shows (version, or the current one when 0) from
 * the versions list, which 404s for an unknown model; an assessment-only
 * model has none (0). */
static void
pick_version(struct mf_page *p, struct mf_site_model *v, long long version)
{
	const json_t *vs, *newest, *n;
	size_t nv;

	v->versions =
	    mf_page_fetch(p, "/v1/models/%s/%s/versions", v->org, v->model);
	vs = json_object_get(v->versions, "versions");
	nv = json_array_size(vs);
	newest =
	    json_object_get(json_array_get(vs, nv ? nv - 1 : 0), "version");
	/* the current version: the newest neither withdrawn nor flagged
	 * (migrations/0010), as the current label is; all flagged: the
	 * newest, shown as of its flag */
	for (; nv > 0; nv--)
		if (!flagged(json_array_get(vs, nv - 1)))
			break;
	n = nv > 0 ? json_object_get(json_array_get(vs, nv - 1), "version")
	           : newest;
	if (p->rc != 0)
		return;
	if (version > 0 && (!json_is_integer(newest) ||
	                    version > json_integer_value(newest))) {
		mf_page_fail(p, 404, "%s/%s has no version %lld", v->org,
		             v->model, version);
		return;
	}
	v->version = version > 0          ? version
	             : json_is_integer(n) ? json_integer_value(n)
	                                  : 0;
}

/* The log position from which version n of the list is flagged (its
 * withdrawal's or its key's revocation's, the later), or -1. */
static long long
flagged_at(const json_t *versions, long long n)
{
	const json_t *vs = json_object_get(versions, "versions"), *x;
	long long at = -1, li;
	size_t i;

	for (i = 0; i < json_array_size(vs); i++) {
		x = json_array_get(vs, i);
		if (json_integer_value(json_object_get(x, "version")) != n)
			continue;
		li = json_integer_value(json_object_get(
		    json_object_get(x, "withdrawn"), "log_index"));
		at = li > at ? li : at;
		li = json_integer_value(json_object_get(
		    json_object_get(x, "compromised"), "log_index"));
		at = li > at ? li : at;
	}
	return at > 0 ? at : -1;
}

/*
 * Fetches what the page shows. full: the model page (else the widget:
 * the current label alone). pinned: a version's own page, which reads
 * only what never changes (its label, its judgements as of its log
 * entry, its commit) and no versions list.
 */
static void
load(struct mf_page *p, struct mf_site_model *v, long long version, bool full,
     bool pinned)
{
	const json_t *li;
	long long at;

	if (pinned)
		v->version = version;
	else if (full)
		pick_version(p, v, version);
	/* the current page shows the current label, with the judgements
	 * made since its version was published; a version asked for by
	 * number shows that version's label as it was published */
	/* a flagged version (not on its own page): its label as of the
	 * flag, which shows why it no longer counts */
	if (!pinned && full && v->version > 0 &&
	    (at = flagged_at(v->versions, v->version)) >= 0)
		v->label = mf_page_fetch(
		    p, "/v1/models/%s/%s/versions/%lld/label.json?as_of=%lld",
		    v->org, v->model, v->version, at);
	else if (version > 0)
		v->label = mf_page_fetch(
		    p, "/v1/models/%s/%s/versions/%lld/label.json", v->org,
		    v->model, v->version);
	else
		v->label = mf_page_fetch(p, "/v1/models/%s/%s/label.json",
		                         v->org, v->model);
	if (!full)
		return;
	v->history =
	    mf_page_fetch(p, "/v1/models/%s/%s/history", v->org, v->model);
	li = json_object_get(json_object_get(v->label, "provenance"),
	                     "log_index");
	if (v->version > 0 && pinned && json_is_integer(li))
		v->judgements = mf_page_fetch(
		    p, "/v1/models/%s/%s/versions/%lld/judgements?as_of=%lld",
		    v->org, v->model, v->version,
		    (long long)json_integer_value(li));
	else if (v->version > 0)
		v->judgements = mf_page_fetch(
		    p, "/v1/models/%s/%s/versions/%lld/judgements", v->org,
		    v->model, v->version);
}

static const char *
label_name(const json_t *label)
{
	const char *name = json_string_value(json_object_get(label, "name"));

	return name != NULL && *name != '\0' ? name : NULL;
}

/* The version selector: a form that works without JavaScript. */
static void
version_selector(struct mf_page *p, const struct mf_site_model *v)
{
	const json_t *vs = json_object_get(v->versions, "versions"), *x;
	size_t i;

	if (json_array_size(vs) == 0)
		return;
	mf_page_printf(p,
	               "<form class=\"versions\" method=\"get\" "
	               "action=\"/models/%s/%s\"><label "
	               "for=\"version\">Version</label> <select "
	               "id=\"version\" name=\"version\">",
	               v->org, v->model);
	for (i = json_array_size(vs); i-- > 0;) {
		long long n;

		x = json_array_get(vs, i);
		n = json_integer_value(json_object_get(x, "version"));
		mf_page_printf(p, "<option value=\"%lld\"%s>%lld · ", n,
		               n == v->version ? " selected" : "", n);
		mf_page_text(
		    p, json_string_value(json_object_get(x, "accepted_at")));
		mf_page_raw(p, "</option>");
	}
	mf_page_raw(p, "</select> <button type=\"submit\">Show</button>");
	mf_page_printf(p,
	               " <a href=\"/models/%s/%s/history\">History and "
	               "diffs</a></form>\n",
	               v->org, v->model);
}

/* Every export of the shown version (the formats of api/label.c's form
 * table and the envelope), the model's Atom feed and the widget. */
static void
downloads(struct mf_page *p, const struct mf_site_model *v)
{
	/* the file under the version's path, and the link's text */
	static const struct {
		const char *file, *text;
	} exports[] = {
	    {"label.json", "label.json"},
	    {"label.md", "label.md"},
	    {"envelope", "signed envelope"},
	    {"card.md", "Hugging Face card.md"},
	    {"eval_results.yaml", "eval_results.yaml"},
	    {"cyclonedx.json", "CycloneDX"},
	    {"spdx.json", "SPDX 3.0"},
	    {"eu-ai-act", "EU AI Act (JSON)"},
	};
	char base[200];
	size_t i, n = sizeof(exports) / sizeof(exports[0]);

	if (v->version > 0)
		snprintf(base, sizeof(base), "/v1/models/%s/%s/versions/%lld",
		         v->org, v->model, v->version);
	else { /* assessment-only: no version, only the label */
		snprintf(base, sizeof(base), "/v1/models/%s/%s", v->org,
		         v->model);
		n = 2;
	}
	mf_page_raw(p, "<nav class=\"downloads\" aria-label=\"Downloads\">"
	               "<span class=\"dl-title\">Download:</span> <ul>");
	for (i = 0; i < n; i++)
		mf_page_printf(p, "<li><a href=\"%s/%s\" download>%s</a></li>",
		               base, exports[i].file, exports[i].text);
	mf_page_printf(
	    p,
	    "<li><a href=\"/v1/models/%s/%s/evals?format=csv\" "
	    "download>evals.csv</a></li>"
	    "<li><a href=\"/v1/models/%s/%s/feed.atom\">Atom feed of new "
	    "versions</a></li>"
	    "<li><a href=\"/models/%s/%s/widget\">embeddable "
	    "label</a></li></ul></nav>\n",
	    v->org, v->model, v->org, v->model, v->org, v->model);
}

/*
 * The README badge (GET /badge/{org}/{model}.svg), linked, and the
 * Markdown and HTML that show it, to copy. URLs are the registry's public ones;
 * org and model are slugs, the public URL is escaped all the same.
 */
static void
badge(struct mf_page *p, const struct mf_site_model *v)
{
	const char *url = v->public_url ? v->public_url : "";

	/* a link to the badge, not an <img>: the pages embed no images
	 * (tests/unit/test_site.c treats any as injected markup) */
	mf_page_printf(
	    p,
	    "<section class=\"panel badge\" "
	    "aria-labelledby=\"h-badge\">"
	    "<h2 id=\"h-badge\">Badge</h2>\n<p>A <a "
	    "href=\"/badge/%s/%s.svg\">badge</a> with this model's "
	    "modelfacts-v1 score and who judged it, for a README.</p>\n"
	    "<p>Markdown:</p>\n<pre><code>[![modelfacts-v1 score](",
	    v->org, v->model);
	mf_page_text(p, url);
	mf_page_printf(p, "/badge/%s/%s.svg)](", v->org, v->model);
	mf_page_text(p, url);
	mf_page_printf(p,
	               "/models/%s/%s)</code></pre>\n<p>HTML:</p>\n"
	               "<pre><code>&lt;a href=\"",
	               v->org, v->model);
	mf_page_text(p, url);
	mf_page_printf(p, "/models/%s/%s\"&gt;&lt;img src=\"", v->org,
	               v->model);
	mf_page_text(p, url);
	mf_page_printf(p,
	               "/badge/%s/%s.svg\" alt=\"modelfacts-v1 score\"&gt;"
	               "&lt;/a&gt;</code></pre>\n<p>Another index or judge: "
	               "add <code>?index=</code> and <code>judge=</code> (see "
	               "<a href=\"/v1/openapi.json\">the API</a>).</p>"
	               "</section>\n",
	               v->org, v->model);
}

static const char *
result_text(const char *r)
{
	if (r == NULL)
		return "unassessed";
	if (strcmp(r, "not_met") == 0)
		return "not met";
	if (strcmp(r, "not_applicable") == 0)
		return "not applicable";
	return r;
}

/* judge's result for indicator `id`: at position k when the indices
 * list indicators in the same order (they do), else searched. */
static const json_t *
judge_indicator(const json_t *judgement, size_t k, const char *id)
{
	const json_t *inds =
	    json_object_get(json_object_get(judgement, "score"), "indicators");
	const json_t *x = json_array_get(inds, k);
	size_t i;

	if (x != NULL && id != NULL &&
	    json_string_value(json_object_get(x, "id")) != NULL &&
	    strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
		return x;
	json_array_foreach(inds, i, x)
	{
		const char *xid = json_string_value(json_object_get(x, "id"));

		if (xid != NULL && id != NULL && strcmp(xid, id) == 0)
			return x;
	}
	return NULL;
}

static void
result_cell(struct mf_page *p, const json_t *x)
{
	const char *r = json_string_value(json_object_get(x, "result"));
	const char *why =
	    json_string_value(json_object_get(x, "justification"));

	/* the label lists the indicators not met with their reasons:
	 * the text here is only for the others */
	if (r == NULL || strcmp(r, "not_met") == 0 ||
	    strcmp(r, "unassessed") == 0)
		why = NULL;
	mf_page_printf(p, "<td><span class=\"r-%s\">%s</span>",
	               r && strcmp(r, "met") == 0       ? "met"
	               : r && strcmp(r, "not_met") == 0 ? "not-met"
	                                                : "other",
	               result_text(r));
	if (why != NULL) {
		mf_page_raw(p, " ");
		mf_page_text(p, why);
	}
	mf_page_raw(p, "</td>");
}

/*
 * Every indicator of every index with each judge's result and its
 * justification (or the rule's reason), from the judgements resource
 * (as of the version's log entry on a version's page), one table per
 * index, folded.
 */
static void
indicator_judgements(struct mf_page *p, const json_t *judgements)
{
	const json_t *all = json_object_get(judgements, "judgements"), *g, *h,
	             *ind;
	const json_t *cols[16];
	size_t i, k, n, c;

	if (json_array_size(all) == 0)
		return;
	mf_page_raw(p, "<section class=\"panel\" aria-labelledby=\"h-ind\">"
	               "<h2 id=\"h-ind\">Every indicator, every judge</h2>\n");
	json_array_foreach(all, i, g)
	{
		const char *index =
		    json_string_value(json_object_get(g, "index"));
		bool seen = false;

		/* one table per index, at its first judgement */
		for (k = 0; k < i && index != NULL; k++) {
			const char *x = json_string_value(
			    json_object_get(json_array_get(all, k), "index"));

			seen = seen || (x != NULL && strcmp(x, index) == 0);
		}
		if (seen || index == NULL)
			continue;
		n = 0;
		json_array_foreach(all, k, h)
		{
			const char *x =
			    json_string_value(json_object_get(h, "index"));

			if (x != NULL && strcmp(x, index) == 0 &&
			    n < sizeof(cols) / sizeof(cols[0]))
				cols[n++] = h;
		}
		mf_page_raw(p, "<details class=\"indicators\"><summary>");
		mf_page_text(
		    p, json_string_value(json_object_get(g, "index_name")));
		mf_page_raw(p, " (");
		mf_page_text(p, index);
		mf_page_printf(p, "): %zu indicators, %zu %s</summary>\n",
		               json_array_size(json_object_get(
		                   json_object_get(g, "score"), "indicators")),
		               n, n == 1 ? "judge" : "judges");
		mf_page_raw(p, "<div class=\"scroll\" tabindex=\"0\" "
		               "role=\"region\" aria-label=\"Judgements per "
		               "indicator\"><table class=\"judgements\"><thead>"
		               "<tr><th scope=\"col\">Indicator</th>");
		for (c = 0; c < n; c++) {
			mf_page_raw(p, "<th scope=\"col\">");
			mf_site_judge_link(p, json_string_value(json_object_get(
			                          cols[c], "judge")));
			mf_page_raw(p, "</th>");
		}
		mf_page_raw(p, "</tr></thead><tbody>\n");
		json_array_foreach(
		    json_object_get(json_object_get(g, "score"), "indicators"),
		    k, ind)
		{
			const char *id =
			    json_string_value(json_object_get(ind, "id"));

			mf_page_raw(p, "<tr><th scope=\"row\">");
			mf_page_text(
			    p, json_string_value(json_object_get(ind, "name")));
			mf_page_raw(p, "</th>");
			for (c = 0; c < n; c++)
				result_cell(
				    p, cols[c] == g
				           ? ind
				           : judge_indicator(cols[c], k, id));
			mf_page_raw(p, "</tr>\n");
		}
		mf_page_raw(p, "</tbody></table></div></details>\n");
	}
	mf_page_raw(p, "</section>\n");
}

/* The history entry of this version's log index (commit, tag). */
static const json_t *
history_entry(const struct mf_site_model *v, long long log_index)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(v->history, "history"), i, e)
	{
		if (json_integer_value(json_object_get(e, "log_index")) ==
		        log_index &&
		    json_is_integer(json_object_get(e, "log_index")))
			return e;
	}
	return NULL;
}

static void
dt(struct mf_page *p, const char *name)
{
	mf_page_printf(p, "<dt>%s</dt><dd>", name);
}

static void
provenance(struct mf_page *p, const struct mf_site_model *v)
{
	const json_t *prov = json_object_get(v->label, "provenance");
	const json_t *li = json_object_get(prov, "log_index"), *k;
	const json_t *e = json_is_integer(li)
	                      ? history_entry(v, json_integer_value(li))
	                      : NULL;
	const char *commit = json_string_value(json_object_get(e, "commit"));
	const char *url = v->public_url;
	size_t i;

	if (v->version <= 0)
		return;
	mf_page_raw(p, "<section class=\"panel provenance\" "
	               "aria-labelledby=\"h-prov\"><h2 id=\"h-prov\">"
	               "Provenance</h2>\n<dl class=\"kv\">");
	dt(p, "Signed by");
	json_array_foreach(json_object_get(prov, "signed_by"), i, k)
	{
		mf_page_raw(p, "<code class=\"hash\">");
		mf_page_text(p, json_string_value(k));
		mf_page_raw(p, "</code> ");
	}
	mf_page_raw(p, "(keys of ");
	mf_site_org_link(p, v->org, NULL);
	mf_page_raw(p, ")</dd>");
	dt(p, "Signed envelope");
	mf_page_printf(p,
	               "<a href=\"/v1/models/%s/%s/versions/%lld/envelope\">"
	               "the accepted bytes</a>, payload SHA-256 <code "
	               "class=\"hash\">",
	               v->org, v->model, v->version);
	mf_page_text(
	    p, json_string_value(json_object_get(prov, "payload_sha256")));
	mf_page_raw(p, "</code></dd>");
	dt(p, "Accepted");
	mf_page_text(p,
	             json_string_value(json_object_get(prov, "accepted_at")));
	mf_page_raw(p, "</dd>");
	dt(p, "Log entry");
	if (json_is_integer(li)) {
		long long n = json_integer_value(li);

		mf_page_printf(p, "<a href=\"/v1/log/entries/%lld\">%lld</a>",
		               n, n);
		/* against the checkpoint of the log as it stood right after
		 * the entry (fixed forever), and against the newest */
		mf_page_printf(
		    p,
		    " · inclusion proof in <a href=\"/v1/log/proof/inclusion?"
		    "index=%lld&amp;size=%lld\">the log of size %lld</a> "
		    "(<a href=\"/v1/log/checkpoints/%lld\">its checkpoint</a>)"
		    " or in <a href=\"/v1/log/proof/inclusion?index=%lld\">the "
		    "newest</a> (<a href=\"/v1/log/checkpoint\">checkpoint"
		    "</a>)",
		    n, n + 1, n + 1, n + 1, n);
	} else {
		mf_page_raw(p, "not yet in the log");
	}
	mf_page_raw(p, "</dd>");
	dt(p, "Git commit");
	if (commit != NULL) {
		mf_page_raw(p, "<code class=\"hash\" id=\"commit\">");
		mf_page_text(p, commit);
		mf_page_raw(p, "</code>");
		if (json_is_string(json_object_get(e, "tag"))) {
			mf_page_raw(p, ", tag <code>");
			mf_page_text(
			    p, json_string_value(json_object_get(e, "tag")));
			mf_page_raw(p, "</code>");
		}
	} else {
		mf_page_raw(p, "not yet published");
	}
	mf_page_raw(p, "</dd></dl>\n<h3>Verify it offline</h3>\n<ol "
	               "class=\"verify\"><li>The signature: <pre><code>curl "
	               "-so envelope.json ");
	mf_page_text(p, url);
	mf_page_printf(p, "/v1/models/%s/%s/versions/%lld/envelope\n", v->org,
	               v->model, v->version);
	mf_page_printf(p,
	               "modelfacts verify envelope.json --pubkey %s.pub"
	               "</code></pre></li>\n<li>The log entry: <pre><code>"
	               "modelfacts verify-log entry --registry ",
	               v->org);
	mf_page_text(p, url);
	mf_page_printf(p, " %lld</code></pre></li>\n",
	               json_is_integer(li) ? json_integer_value(li) : 0LL);
	mf_page_raw(p, "<li>The git commit: <pre><code>git clone ");
	mf_page_text(p, url);
	mf_page_raw(p, "/labels.git labels\ncurl -s ");
	mf_page_text(p, url);
	mf_page_raw(p, "/v1/registry/allowed_signers &gt; allowed_signers\n"
	               "git -C labels -c gpg.ssh.allowedSignersFile=../"
	               "allowed_signers verify-commit ");
	mf_page_text(p, commit ? commit : "HEAD");
	mf_page_raw(p, "</code></pre></li></ol>\n</section>\n");
}

void
mf_site_model_render(struct mf_page *p, const struct mf_site_model *v,
                     const char *fragment, bool pinned)
{
	const char *name = label_name(v->label);
	char feed[160];

	snprintf(feed, sizeof(feed), "/v1/models/%s/%s/feed.atom", v->org,
	         v->model);
	p->feed = feed;
	mf_page_begin(p, name ? name : v->model, NULL, NULL);
	p->feed = NULL;
	mf_page_raw(p, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\">"
	               "<a href=\"/models\">Models</a> › ");
	mf_site_org_link(p, v->org, NULL);
	mf_page_raw(p, " › ");
	mf_page_text(p, v->model);
	/* the label's own title is the page's one <h1> */
	mf_page_raw(p, "</nav>\n");
	if (v->version > 0 && pinned)
		mf_page_printf(p,
		               "<p class=\"note\">Version %lld, as published: "
		               "this page never changes. <a "
		               "href=\"/models/%s/%s\">The current "
		               "version</a>.</p>\n",
		               v->version, v->org, v->model);
	if (pinned)
		mf_page_printf(p,
		               "<p><a href=\"/models/%s/%s/history\">History "
		               "and diffs</a></p>\n",
		               v->org, v->model);
	else
		version_selector(p, v);
	downloads(p, v);
	mf_page_printf(p,
	               "<p><a href=\"/models/%s/%s/eu-ai-act\">EU AI Act "
	               "documentation form</a></p>\n",
	               v->org, v->model);
	trust_notices(p, v);
	mf_page_raw(p, "<div class=\"label-wrap\">\n");
	mf_page_raw(p, fragment ? fragment : "");
	mf_page_raw(p, "</div>\n");
	if (v->version > 0)
		mf_page_printf(p,
		               "<p class=\"live\">Judgements made after this "
		               "version was published: <a "
		               "href=\"/v1/models/%s/%s/versions/%lld/"
		               "judgements\">the live judgements</a>.</p>\n",
		               v->org, v->model, v->version);
	indicator_judgements(p, v->judgements);
	provenance(p, v);
	badge(p, v);
	mf_page_end(p);
}

/* True when the version's log entry has its git commit. */
static bool
has_commit(const struct mf_site_model *v)
{
	const json_t *li = json_object_get(
	    json_object_get(v->label, "provenance"), "log_index");

	return json_is_integer(li) &&
	       json_is_string(json_object_get(
	           history_entry(v, json_integer_value(li)), "commit"));
}

static int
model_page(struct mf_request *req, long long version, bool pinned)
{
	static const char *const allowed[] = {"version", NULL};
	struct mf_site_model v = {0};
	struct mf_buf frag = MF_BUF_INIT;
	struct mf_page p;
	int rc;

	char key[200];

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	v.org = mf_http_param(req, 0);
	v.model = mf_http_param(req, 1);
	v.public_url = req->app->cfg->public_url;
	if (!mf_label_slug_ok(v.org) || !mf_label_slug_ok(v.model))
		mf_page_fail(&p, 404, "There is no such model.");
	if (version < 0)
		mf_page_fail(&p, version == -2 ? 400 : 404,
		             version == -2 ? "The version must be a number."
		                           : "No such version.");
	/* a version's page, once final, is rendered once */
	snprintf(key, sizeof(key), "page/%s/%s/%lld", v.org, v.model, version);
	if (pinned && p.rc == 0 && mf_page_cached(&p, key)) {
		rc = p.rc;
		goto done;
	}
	load(&p, &v, version, true, pinned);
	if (p.rc == 0 &&
	    mf_label_render(&frag, v.label, MF_LABEL_HTML_FRAGMENT) != 0)
		mf_page_fail(&p, 500, "The label could not be rendered.");
	mf_site_model_render(&p, &v, frag.data, pinned);
	/* A version's page is final once its entry is in the log and its
	 * commit published: nothing it shows changes after that. */
	if (pinned && v.version > 0 &&
	    json_is_integer(json_object_get(
	        json_object_get(v.label, "provenance"), "log_index")) &&
	    has_commit(&v))
		p.cache = MF_PAGE_IMMUTABLE;
	rc =
	    mf_page_finish_cache(&p, p.cache == MF_PAGE_IMMUTABLE ? key : NULL);
done:
	mf_page_dispose(&p);
	mf_buf_dispose(&frag);
	view_dispose(&v);
	return rc;
}

int
mf_site_model(struct mf_request *req)
{
	const char *v = mf_http_query(req, "version");

	if (v != NULL && *v != '\0')
		return model_page(
		    req, version_number(v) < 1 ? -2 : version_number(v), false);
	return model_page(req, 0, false);
}

int
mf_site_model_version(struct mf_request *req)
{
	long long n = version_number(mf_http_param(req, 2));

	return model_page(req, n < 1 ? -1 : n, true);
}

int
mf_site_widget(struct mf_request *req)
{
	static const char *const allowed[] = {NULL};
	struct mf_site_model v = {0};
	struct mf_buf frag = MF_BUF_INIT;
	struct mf_page p;
	const char *name;
	int rc;

	mf_page_init(&p, req);
	mf_page_only(&p, allowed);
	p.bare = true;
	p.embeddable = true;
	v.org = mf_http_param(req, 0);
	v.model = mf_http_param(req, 1);
	if (!mf_label_slug_ok(v.org) || !mf_label_slug_ok(v.model))
		mf_page_fail(&p, 404, "There is no such model.");
	load(&p, &v, 0, false, false);
	if (p.rc == 0 &&
	    mf_label_render(&frag, v.label, MF_LABEL_HTML_FRAGMENT) != 0)
		mf_page_fail(&p, 500, "The label could not be rendered.");
	name = label_name(v.label);
	mf_page_begin(&p, name ? name : "Model facts", NULL, NULL);
	mf_page_raw(&p, frag.data ? frag.data : "");
	mf_page_printf(&p,
	               "<p class=\"widget-foot\"><a href=\"/models/%s/%s\" "
	               "target=\"_blank\" rel=\"noopener\">The full page on "
	               "the registry</a></p>\n",
	               v.org, v.model);
	mf_page_end(&p);
	rc = mf_page_finish(&p);
	mf_page_dispose(&p);
	mf_buf_dispose(&frag);
	view_dispose(&v);
	return rc;
}
