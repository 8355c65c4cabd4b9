/* Unit tests for labels/: every example in all forms, determinism across
 * renders and key orders, the injection corpus through our HTML and
 * through cmark (safe and unsafe), odd inputs, number formats, the URL
 * policy, the JSON writer and the Markdown escapes. */
#include "common/json.h"
#include "labels/emit.h"
#include "labels/jsonout.h"
#include "labels/label.h"
#include "labels/markdown.h"
#include "labels/number.h"
#include "labels/text.h"
#include "scoring/index.h"
#include "scoring/score.h"

#include <cmark.h>
#include <ctype.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

static const char *const examples[] = {
    "examples/disclosure-open.json",
    "examples/disclosure-api.json",
    "examples/disclosure-sparse.json",
};
#define N_EXAMPLES (sizeof(examples) / sizeof(examples[0]))

enum form { MD, HTML, FRAG, JSON, N_FORMS };

/* ---- helpers ---- */

static json_t *
load(const char *path)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		fail_msg("%s: %s (line %d)", path, je.text, je.line);
	return v;
}

static bool
has(const char *hay, const char *needle)
{
	return hay != NULL && needle != NULL && strstr(hay, needle) != NULL;
}

static void
expect(const char *hay, const char *needle, const char *what)
{
	if (!has(hay, needle))
		fail_msg("%s: missing \"%s\"", what, needle);
}

static void
expect_not(const char *hay, const char *needle, const char *what)
{
	if (has(hay, needle))
		fail_msg("%s: unexpected \"%s\"", what, needle);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += len;
	}
	return n;
}

/* HTML escaping of text as a check: & < > " always, ' when apos. */
static char *
esc(const char *s, bool apos)
{
	struct mf_buf b;

	mf_buf_init(&b, 0);
	for (; *s; s++) {
		if (*s == '&')
			mf_buf_puts(&b, "&amp;");
		else if (*s == '<')
			mf_buf_puts(&b, "&lt;");
		else if (*s == '>')
			mf_buf_puts(&b, "&gt;");
		else if (*s == '"')
			mf_buf_puts(&b, "&quot;");
		else if (*s == '\'' && apos)
			mf_buf_puts(&b, "&#39;");
		else
			mf_buf_putc(&b, *s);
	}
	return mf_buf_detach(&b, NULL);
}

/* The text between two markers (both must exist, in order). */
static char *
between(const char *s, const char *from, const char *to)
{
	const char *a = strstr(s, from), *z;
	char *out;

	if (a == NULL)
		fail_msg("marker \"%s\" missing", from);
	a += strlen(from);
	if ((z = strstr(a, to)) == NULL)
		fail_msg("marker \"%s\" missing after \"%s\"", to, from);
	out = malloc((size_t)(z - a) + 1);
	assert_non_null(out);
	memcpy(out, a, (size_t)(z - a));
	out[z - a] = '\0';
	return out;
}

static char *
cmark_html(const char *md, int opts)
{
	char *h = cmark_markdown_to_html(md, strlen(md), opts);

	assert_non_null(h);
	return h;
}

/* Everything one label needs; owns every reference. */
struct fx {
	json_t *disclosure, *assessment, *self, *third, *evals;
	json_t *auto_score, *judgements, *signed_by;
	struct mf_label_input in;
};

/* Sets an mf_score_json()'s totals (whole, per domain, per subdomain)
 * from its indicators, after a test has changed their results. */
static void
retotal(json_t *score)
{
	static const char *const keys[] = {
	    "score", "max", "met", "not_met", "not_applicable", "unassessed"};
	json_t *d, *sd, *ind, *t[3];
	const char *r;
	size_t i, j, k, n;

	json_array_foreach(json_object_get(score, "domains"), i, d)
	{
		for (k = 0; k < 6; k++)
			json_object_set_new(d, keys[k], json_integer(0));
		json_array_foreach(json_object_get(d, "subdomains"), j, sd)
		{
			for (k = 0; k < 6; k++)
				json_object_set_new(sd, keys[k],
				                    json_integer(0));
		}
	}
	for (k = 0; k < 6; k++)
		json_object_set_new(score, keys[k], json_integer(0));
	json_array_foreach(json_object_get(score, "indicators"), i, ind)
	{
		r = json_string_value(json_object_get(ind, "result"));
		t[0] = score;
		t[1] = t[2] = NULL;
		json_array_foreach(json_object_get(score, "domains"), j, d)
		{
			if (!json_equal(json_object_get(d, "id"),
			                json_object_get(ind, "domain")))
				continue;
			t[1] = d;
			json_array_foreach(json_object_get(d, "subdomains"), k,
			                   sd)
			{
				if (json_equal(
				        json_object_get(sd, "id"),
				        json_object_get(ind, "subdomain")))
					t[2] = sd;
			}
		}
		for (n = 0; n < 3; n++) {
			const char *bump[2] = {NULL, NULL};

			if (t[n] == NULL)
				continue;
			if (strcmp(r, "not_applicable") == 0)
				bump[0] = "not_applicable";
			else if (strcmp(r, "met") == 0)
				bump[0] = "score", bump[1] = "met";
			else
				bump[0] = strcmp(r, "unassessed") == 0
				              ? "unassessed"
				              : "not_met";
			for (k = 0; k < 2 && bump[k] != NULL; k++)
				json_object_set_new(
				    t[n], bump[k],
				    json_integer(
				        json_integer_value(
				            json_object_get(t[n], bump[k])) +
				        1));
			if (strcmp(r, "not_applicable") != 0)
				json_object_set_new(
				    t[n], "max",
				    json_integer(
				        json_integer_value(
				            json_object_get(t[n], "max")) +
				        1));
		}
	}
}

/* The automatic check: the rules over the disclosure, no assessment. */
static json_t *
auto_score_of(const json_t *disclosure)
{
	struct mf_score *s = NULL;
	struct mf_error err;
	json_t *out;

	mf_error_init(&err);
	assert_int_equal(mf_score_compute(&s, mf_index_modelfacts_v1(),
	                                  disclosure, NULL, 0, &err),
	                 0);
	out = mf_score_json(s);
	assert_non_null(out);
	mf_score_free(s);
	mf_error_dispose(&err);
	return out;
}

/* One assessor alone on modelfacts-v1 (what label_data passes): its
 * grades, and every indicator it did not grade unassessed. */
static json_t *
assessor_score(const json_t *auto_score, const json_t *assessment,
               const char *who)
{
	json_t *s = json_deep_copy(auto_score), *ind;
	const json_t *grade;
	size_t i;

	json_array_foreach(json_object_get(s, "indicators"), i, ind)
	{
		grade = json_object_get(
		    json_object_get(assessment, "scores"),
		    json_string_value(json_object_get(ind, "id")));
		json_object_del(ind, "reason");
		json_object_del(ind, "pointer");
		json_object_del(ind, "judged_by");
		if (grade == NULL) {
			json_object_set_new(ind, "result",
			                    json_string("unassessed"));
			continue;
		}
		json_object_set_new(
		    ind, "result",
		    json_string(
		        json_integer_value(json_object_get(grade, "score")) == 1
		            ? "met"
		            : "not_met"));
		json_object_set_new(ind, "judged_by", json_string(who));
		if (json_object_get(grade, "justification") != NULL)
			json_object_set(
			    ind, "justification",
			    json_object_get(grade, "justification"));
		if (json_object_get(grade, "references") != NULL)
			json_object_set(ind, "references",
			                json_object_get(grade, "references"));
	}
	json_object_set_new(s, "judged_by", json_pack("[s]", who));
	retotal(s);
	return s;
}

/* A made-up index in the shape of FMTI 2025: three domains, thirteen
 * subdomains, n indicators spread over them in order; indicator i is
 * not met when i % every == 1, with a justification and, for every
 * other one, an evidence link. */
static json_t *
fmti_score(size_t n, size_t every, const char *who)
{
	static const char *const subs[13][2] = {
	    {"upstream", "Data"},           {"upstream", "Labor"},
	    {"upstream", "Compute"},        {"upstream", "Methods"},
	    {"model", "Model basics"},      {"model", "Model access"},
	    {"model", "Capabilities"},      {"model", "Risks"},
	    {"model", "Mitigations"},       {"downstream", "Distribution"},
	    {"downstream", "Usage policy"}, {"downstream", "Feedback"},
	    {"downstream", "Impact"}};
	static const char *const doms[3][2] = {{"upstream", "Upstream"},
	                                       {"model", "Model"},
	                                       {"downstream", "Downstream"}};
	json_t *s = json_pack("{s:s, s:s, s:[s], s:[], s:[]}", "index",
	                      "fmti-2025", "index_version", "2025", "judged_by",
	                      who, "domains", "indicators");
	json_t *domains = json_object_get(s, "domains");
	json_t *inds = json_object_get(s, "indicators"), *ind;
	char id[32], sid[32], name[64];
	size_t i, k;

	for (k = 0; k < 3; k++)
		json_array_append_new(
		    domains, json_pack("{s:s, s:s, s:[]}", "id", doms[k][0],
		                       "name", doms[k][1], "subdomains"));
	for (k = 0; k < 13; k++) {
		snprintf(sid, sizeof(sid), "sub-%zu", k);
		json_array_append_new(
		    json_object_get(json_array_get(domains, k < 4   ? 0
		                                            : k < 9 ? 1
		                                                    : 2),
		                    "subdomains"),
		    json_pack("{s:s, s:s}", "id", sid, "name", subs[k][1]));
	}
	for (i = 1; i <= n; i++) {
		k = (i - 1) * 13 / n;
		snprintf(id, sizeof(id), "fmti-%zu", i);
		snprintf(sid, sizeof(sid), "sub-%zu", k);
		snprintf(name, sizeof(name), "%s %zu", subs[k][1], i);
		ind = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "name", name,
		    "domain", subs[k][0], "subdomain", sid, "result",
		    i % every == 1 ? "not_met" : "met", "judged_by", who);
		if (i % every == 1) {
			json_object_set_new(
			    ind, "justification",
			    json_string("The report does not say this."));
			if (i % (2 * every) == 1)
				json_object_set_new(
				    ind, "references",
				    json_pack("[s]",
				              "https://crfm.stanford.edu/"
				              "fmti/2025/report.pdf"));
		} else {
			json_object_set_new(
			    ind, "justification",
			    json_string("Stated in the developer's report."));
		}
		json_array_append_new(inds, ind);
	}
	retotal(s);
	return s;
}

/* The provenance object of a transcribed assessment. */
static json_t *
fmti_source(void)
{
	json_t *s = json_pack(
	    "{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "dataset",
	    "Foundation Model Transparency Index", "edition", "2025", "file",
	    "v2025/scores.csv", "row", 7, "prepared_by", "the FMTI team", "url",
	    "https://crfm.stanford.edu/fmti/", "license", "CC BY 4.0",
	    "attribution", "Bommasani et al., the FMTI authors");

	assert_non_null(s);
	return s;
}

/* One judgement in the shape of label.h; score is copied, source
 * stolen. */
static json_t *
judgement(const char *index, const char *index_name, const char *judge,
          const char *judge_name, const char *at, int log_index, json_t *source,
          const json_t *score)
{
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:i, s:s?, s:o?, s:o}", "index", index,
	    "index_name", index_name, "judge", judge, "judge_name", judge_name,
	    "at", at, "log_index", log_index, "payload_sha256",
	    strcmp(judge, "auto") == 0 ? NULL
	                               : "3333333333333333333333333333333333"
	                                 "333333333333333333333333333333",
	    "source", source, "score", json_deep_copy(score));

	assert_non_null(j);
	return j;
}

static json_t *
auto_judgement(const json_t *auto_score)
{
	return judgement("modelfacts-v1", "modelfacts v1", "auto",
	                 "modelfacts automatic check", "2026-10-14T09:31:02Z",
	                 40, NULL, auto_score);
}

static json_t *
fmti_judgement(size_t n, size_t every, json_t *source)
{
	json_t *s = fmti_score(n, every, "fmti"), *j;

	j = judgement("fmti-2025", "FMTI 2025", "fmti",
	              "Foundation Model Transparency Index",
	              "2025-12-10T00:00:00Z", 12, source, s);
	json_decref(s);
	return j;
}

static json_t *
watch_judgement(const struct fx *f)
{
	json_t *s = assessor_score(f->auto_score, f->assessment,
	                           "transparency-watch"),
	       *j;

	j = judgement("modelfacts-v1", "modelfacts v1", "transparency-watch",
	              "Transparency Watch", "2026-10-20T12:00:00Z", 45, NULL,
	              s);
	json_decref(s);
	return j;
}

/* The default judgements: a transcribed FMTI assessment, an assessor on
 * modelfacts-v1 (who disagrees with the rules on some indicators), and
 * the automatic check, in the order label_data gives them. */
static void
fx_judge(struct fx *f)
{
	json_decref(f->auto_score);
	json_decref(f->judgements);
	f->auto_score = auto_score_of(f->disclosure);
	f->judgements = json_array();
	json_array_append_new(f->judgements,
	                      fmti_judgement(20, 4, fmti_source()));
	json_array_append_new(f->judgements, watch_judgement(f));
	json_array_append_new(f->judgements, auto_judgement(f->auto_score));
	f->in.judgements = f->judgements;
}

/* evals in the shape the server passes: self-reported signed by the
 * model's own org, third-party by an evaluator. */
static json_t *
make_evals(json_t *self, json_t *third, const char *dev)
{
	json_t *e = json_pack(
	    "[{s:s, s:s, s:O, s:s, s:i, s:s}, {s:s, s:s, s:O, s:s, s:i, "
	    "s:s}]",
	    "assurance", "self_reported", "evaluator", dev, "result", self,
	    "accepted_at", "2026-10-21T10:00:00Z", "log_index", 41,
	    "payload_sha256",
	    "1111111111111111111111111111111111111111111111111111111111111111",
	    "assurance", "third_party", "evaluator", "open-eval-collective",
	    "result", third, "accepted_at", "2026-10-21T11:00:00Z", "log_index",
	    42, "payload_sha256",
	    "2222222222222222222222222222222222222222222222222222222222222222");

	assert_non_null(e);
	return e;
}

static void
fx_init(struct fx *f, const char *path)
{
	const char *org;

	memset(f, 0, sizeof(*f));
	f->disclosure = load(path);
	f->assessment = load("examples/assessment.json");
	f->self = load("examples/eval-result-self-reported.json");
	f->third = load("examples/eval-result-third-party.json");
	org = json_string_value(
	    json_object_get(json_object_get(f->disclosure, "subject"), "org"));
	f->evals = make_evals(f->self, f->third, org);
	f->signed_by = json_pack(
	    "[s]",
	    "3b7e1c0f4a9d2e8b6c5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110");
	f->in.origin = "modelfacts.localhost";
	f->in.public_url = "https://registry.example.org/";
	f->in.version = 2;
	f->in.latest_version = 3;
	f->in.payload_sha256 =
	    "8c2f5e1a9b3d47c6e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7";
	f->in.accepted_at = "2026-10-14T09:31:02Z";
	f->in.log_index = 40;
	f->in.signed_by = f->signed_by;
	f->in.disclosure = f->disclosure;
	f->in.evals = f->evals;
	fx_judge(f);
}

static void
fx_dispose(struct fx *f)
{
	json_decref(f->disclosure);
	json_decref(f->assessment);
	json_decref(f->self);
	json_decref(f->third);
	json_decref(f->evals);
	json_decref(f->auto_score);
	json_decref(f->judgements);
	json_decref(f->signed_by);
}

static char *
render(const struct mf_label_input *in, enum form form)
{
	struct mf_buf b;
	int rc;

	mf_buf_init(&b, 0);
	switch (form) {
	case MD:
		rc = mf_label_markdown(&b, in);
		break;
	case HTML:
		rc = mf_label_html(&b, in);
		break;
	case FRAG:
		rc = mf_label_html_fragment(&b, in);
		break;
	default:
		rc = mf_label_json_text(&b, in);
		break;
	}
	if (rc != 0)
		fail_msg("render form %d: %d", (int)form, rc);
	return mf_buf_detach(&b, NULL);
}

/* label.json text parsed back strictly, and equal to the tree. */
static json_t *
json_back(const struct mf_label_input *in, const char *text)
{
	struct mf_error err;
	json_t *tree = NULL, *parsed;

	mf_error_init(&err);
	parsed = mf_json_parse(text, strlen(text), "label.json", "", &err);
	if (parsed == NULL)
		fail_msg("label.json does not parse: %s", err.message);
	assert_int_equal(mf_label_json(&tree, in), 0);
	if (!json_equal(parsed, tree))
		fail_msg("label.json text does not round-trip to the tree");
	json_decref(tree);
	mf_error_dispose(&err);
	return parsed;
}

/* ---- HTML structure checks ---- */

static const char *const our_tags[] = {
    "!DOCTYPE", "html",    "head",    "meta",    "title", "style",
    "body",     "article", "section", "h1",      "h2",    "h3",
    "p",        "ul",      "li",      "table",   "thead", "tbody",
    "tr",       "th",      "td",      "strong",  "em",    "code",
    "a",        "span",    "details", "summary", NULL};
static const char *const our_attrs[] = {
    "lang",  "charset", "name", "content", "http-equiv", "class",
    "scope", "href",    "rel",  "role",    "aria-label", NULL};
static const char *const cmark_tags[] = {
    "p", "h1", "h2", "h3", "ul", "li", "strong", "em", "code", "a", NULL};
static const char *const cmark_attrs[] = {"href", NULL};

static bool
in_list(const char *const *list, const char *s, size_t n)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncasecmp(*list, s, n) == 0)
			return true;
	return false;
}

/*
 * Every '<' must open or close an allowed tag whose attributes are all
 * allowed, quoted, and whose href is http(s). So no tag, attribute or
 * URL scheme from the input can survive, whatever the input was.
 */
static void
check_tags(const char *html, const char *const *tags, const char *const *attrs,
           const char *what)
{
	const char *p = html, *n, *v;
	size_t len;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (*p == '/')
			p++;
		for (n = p; *p && (isalnum((unsigned char)*p) || *p == '!');
		     p++)
			;
		if (!in_list(tags, n, (size_t)(p - n)))
			fail_msg("%s: tag <%.*s> not allowed", what,
			         (int)(p - n > 20 ? 20 : p - n), n);
		for (;;) {
			while (*p == ' ' || *p == '\n')
				p++;
			if (*p == '>' || *p == '\0')
				break;
			for (n = p;
			     *p && (isalnum((unsigned char)*p) || *p == '-');
			     p++)
				;
			len = (size_t)(p - n);
			if (len == 0)
				fail_msg("%s: junk in a tag: %.20s", what, p);
			if (strncasecmp(n, "DOCTYPE", 7) != 0 &&
			    strncasecmp(n, "html", 4) != 0 &&
			    !in_list(attrs, n, len))
				fail_msg("%s: attribute %.*s not allowed", what,
				         (int)len, n);
			if (*p != '=')
				continue;
			if (p[1] != '"')
				fail_msg("%s: unquoted attribute %.*s", what,
				         (int)len, n);
			v = p + 2;
			if (len == 4 && strncasecmp(n, "href", 4) == 0 &&
			    strncasecmp(v, "http://", 7) != 0 &&
			    strncasecmp(v, "https://", 8) != 0)
				fail_msg("%s: href to %.30s", what, v);
			if ((p = strchr(v, '"')) == NULL)
				fail_msg("%s: unterminated attribute", what);
			if (memchr(v, '<', (size_t)(p - v)) != NULL ||
			    memchr(v, '>', (size_t)(p - v)) != NULL)
				fail_msg("%s: angle bracket in attribute",
				         what);
			p++;
		}
	}
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void
check_inert(const char *html, const char *what)
{
	char *l = strdup(html);

	assert_non_null(l);
	lower(l);
	expect_not(l, "<script", what);
	expect_not(l, "<img", what);
	expect_not(l, "<iframe", what);
	expect_not(l, "<svg", what);
	expect_not(l, "<!--", what);
	expect_not(l, "href=\"javascript:", what);
	expect_not(l, "href=\"data:", what);
	free(l);
}

/* Element counts that no content may change. */
struct profile {
	size_t n[24];
};

static const char *const profile_tags[] = {
    "<h1",         "<h2",      "<h3",    "<ul",      "<li",      "<strong",
    "<em",         "<section", "<table", "<tr",      "<th",      "<td",
    "<blockquote", "<pre",     "<hr",    "<details", "<summary", NULL};

static struct profile
profile_of(const char *html)
{
	struct profile pr;
	size_t i;

	memset(&pr, 0, sizeof(pr));
	for (i = 0; profile_tags[i] != NULL; i++)
		pr.n[i] = count(html, profile_tags[i]);
	return pr;
}

/* Emphasis around a blank string has nothing to emphasise and may go;
 * no text may ever add an element. */
static void
same_profile(const struct profile *a, const struct profile *b, const char *what,
             bool blank)
{
	size_t i;

	for (i = 0; profile_tags[i] != NULL; i++)
		if (a->n[i] != b->n[i] &&
		    !(blank && b->n[i] < a->n[i] &&
		      (strcmp(profile_tags[i], "<strong") == 0 ||
		       strcmp(profile_tags[i], "<em") == 0)))
			fail_msg("%s: %zu %s elements, %zu without the "
			         "injected text",
			         what, b->n[i], profile_tags[i], a->n[i]);
}

/*
 * GFM tables in label.md: each run of lines starting with '|' has the
 * separator as its second line and the same number of unescaped '|' on
 * every line, so no text can add, drop or split a cell or a row.
 */
static void
check_md_tables(const char *md, const char *what)
{
	const char *line = md, *p;
	size_t row = 0, want = 0, pipes;

	while (*line) {
		const char *end = strchr(line, '\n');

		if (end == NULL)
			end = line + strlen(line);
		if (*line != '|') {
			row = 0;
		} else {
			for (pipes = 0, p = line; p < end; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				else if (*p == '|')
					pipes++;
			}
			if (row == 0)
				want = pipes;
			else if (pipes != want)
				fail_msg("%s: table row with %zu pipes, header "
				         "%zu: %.60s",
				         what, pipes, want, line);
			if (row == 1 && strncmp(line, "|---|", 5) != 0)
				fail_msg("%s: table without separator: %.60s",
				         what, line);
			row++;
		}
		line = *end ? end + 1 : end;
	}
}

/* ---- the examples ---- */

static const char *const fact_sections[] = {
    "identity", "key_facts",      "uses", "risks",
    "changes",  "accountability", "evals"};

static void
check_statuses(const json_t *label, const char *html, const char *md_html,
               size_t *n_status, size_t *n_absent)
{
	static const char *const statuses[][2] = {
	    {"withheld", "Withheld"},
	    {"unknown", "Unknown"},
	    {"not_applicable", "Not applicable"}};
	const char *key, *st, *why;
	const json_t *sec, *fact;
	char want[4096];
	size_t i, k;

	for (i = 0; i < sizeof(fact_sections) / sizeof(fact_sections[0]); i++) {
		sec = json_object_get(label, fact_sections[i]);
		json_object_foreach((json_t *)sec, key, fact)
		{
			st = json_string_value(json_object_get(fact, "status"));
			if (st == NULL)
				continue;
			if (strcmp(st, "not_disclosed") == 0)
				(*n_absent)++;
			for (k = 0; k < 3; k++) {
				char *e1, *e2;

				if (strcmp(st, statuses[k][0]) != 0)
					continue;
				(*n_status)++;
				why = json_string_value(
				    json_object_get(fact, "explanation"));
				e1 = esc(why != NULL ? why : "", true);
				e2 = esc(why != NULL ? why : "", false);
				snprintf(want, sizeof(want),
				         "<strong>%s</strong>%s%s",
				         statuses[k][1], why ? ": " : "", e1);
				expect(html, want, key);
				snprintf(want, sizeof(want),
				         "<strong>%s</strong>%s%s",
				         statuses[k][1], why ? ": " : "", e2);
				expect(md_html, want, key);
				free(e1);
				free(e2);
			}
		}
	}
	if (*n_absent > 0) {
		expect(html, "<em>Not disclosed</em>", "absent fields");
		expect(md_html, "<em>Not disclosed</em>", "absent fields");
	}
}

/* The row (<tr>...</tr>) of html that contains needle. */
static char *
row_with(const char *html, const char *needle)
{
	const char *p = strstr(html, needle), *a, *z;
	char *out;

	if (p == NULL)
		fail_msg("no row with %s", needle);
	for (a = p; a > html && strncmp(a, "<tr>", 4) != 0; a--)
		;
	if ((z = strstr(p, "</tr>")) == NULL)
		fail_msg("row with %s not closed", needle);
	out = strndup(a, (size_t)(z - a));
	assert_non_null(out);
	return out;
}

/* The result of indicator id in a score, or NULL. */
static const char *
result_of(const json_t *score, const char *id)
{
	const json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(score, "indicators"), i, ind)
	{
		if (strcmp(json_string_value(json_object_get(ind, "id")), id) ==
		    0)
			return json_string_value(
			    json_object_get(ind, "result"));
	}
	return NULL;
}

/*
 * The headline names every judgement (index, met/max, who); the detail
 * shows every domain; label.json lists exactly the indicators some judge
 * did not find met, nobody assessed, or the automatic check and an
 * assessor judged differently, with disagreements flagged; each has a
 * row saying what every judge found.
 */
static void
check_judgements(const json_t *judgements, const json_t *label,
                 const char *html, const char *md_html)
{
	const json_t *j = NULL, *g, *ind, *x, *d;
	char buf[512];
	size_t i, k, m;

	json_array_foreach(judgements, i, j)
	{
		const json_t *s = json_object_get(j, "score");
		char *e;

		snprintf(
		    buf, sizeof(buf),
		    "%s (%s): %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
		    json_string_value(json_object_get(j, "index_name")),
		    json_string_value(json_object_get(j, "index")),
		    json_integer_value(json_object_get(s, "score")),
		    json_integer_value(json_object_get(s, "max")) -
		        json_integer_value(json_object_get(s, "unassessed")));
		expect(html, buf, "headline");
		expect(md_html, buf, "headline");
		if (strcmp(json_string_value(json_object_get(j, "judge")),
		           "auto") == 0) {
			expect(html, "automatic registry check", "auto judge");
		} else {
			e = esc(
			    json_string_value(json_object_get(j, "judge_name")),
			    true);
			expect(html, e, "assessor");
			free(e);
		}
		json_array_foreach(json_object_get(s, "domains"), k, d)
		{
			e = esc(json_string_value(json_object_get(d, "name")),
			        true);
			expect(html, e, "domain");
			free(e);
		}
	}
	json_array_foreach(json_object_get(label, "judgements"), i, g)
	{
		const json_t *judges = json_object_get(g, "judges");
		size_t listed = 0, want = 0;

		/* one column per judge of this index */
		json_array_foreach(judgements, k, j)
		{
			if (json_equal(json_object_get(j, "index"),
			               json_object_get(g, "index")))
				listed++;
		}
		assert_int_equal(json_array_size(judges), listed);
		/* what should be listed, worked out from the input */
		for (k = 0; k < json_array_size(judgements); k++) {
			j = json_array_get(judgements, k);
			if (json_equal(json_object_get(j, "index"),
			               json_object_get(g, "index")))
				break;
		}
		json_array_foreach(
		    json_object_get(json_object_get(j, "score"), "indicators"),
		    k, ind)
		{
			const char *id =
			    json_string_value(json_object_get(ind, "id"));
			const char *auto_r = NULL, *r;
			bool not_met = false, assessed = false, dis = false;
			const json_t *j2;

			json_array_foreach(judgements, m, j2)
			{
				if (!json_equal(json_object_get(j2, "index"),
				                json_object_get(g, "index")) ||
				    strcmp(json_string_value(
				               json_object_get(j2, "judge")),
				           "auto") != 0)
					continue;
				auto_r =
				    result_of(json_object_get(j2, "score"), id);
			}
			json_array_foreach(judgements, m, j2)
			{
				if (!json_equal(json_object_get(j2, "index"),
				                json_object_get(g, "index")))
					continue;
				r = result_of(json_object_get(j2, "score"), id);
				if (r == NULL || strcmp(r, "unassessed") == 0)
					continue;
				assessed = true;
				not_met = not_met || strcmp(r, "not_met") == 0;
				dis =
				    dis || (auto_r != NULL &&
				            strcmp(auto_r, "unassessed") != 0 &&
				            strcmp(r, auto_r) != 0);
			}
			if (!not_met && assessed && !dis)
				continue;
			want++;
			x = NULL;
			json_array_foreach(json_object_get(g, "indicators"), m,
			                   x)
			{
				if (strcmp(json_string_value(
				               json_object_get(x, "id")),
				           id) == 0)
					break;
			}
			if (m ==
			    json_array_size(json_object_get(g, "indicators")))
				fail_msg("%s not listed in label.json", id);
			assert_true(json_is_true(json_object_get(
			                x, "disagreement")) == dis);
			snprintf(buf, sizeof(buf), "<code>%s</code>", id);
			{
				char *row = row_with(html, buf);

				if (dis)
					expect(row, "Disagreement:", id);
				if (json_array_size(judges) > 1 && assessed)
					expect(row, "</strong>: ", id);
				free(row);
			}
		}
		assert_int_equal(
		    json_array_size(json_object_get(g, "indicators")), want);
	}
}

static void
check_evals(const struct fx *f, const json_t *label, const char *html,
            const char *md_html)
{
	const char *forms[2] = {html, md_html};
	const json_t *ev = json_object_get(label, "evals");
	char *self, *third;
	size_t i;

	for (i = 0; i < 2; i++) {
		self = between(forms[i], "<h3>Self-reported: 1</h3>",
		               "<h3>Third-party");
		third = between(forms[i], "<h3>Third-party: 1</h3>",
		                "<h3>Headline");
		expect(self, "GPQA", "self-reported table");
		expect(self, "meridian-evals 2026.08.3", "self-reported table");
		expect(self, "72.2%", "self-reported value");
		expect_not(self, "HumanEval", "self-reported table");
		expect(third, "HumanEval", "third-party table");
		expect(third, "open-eval-harness 0.14.2", "third-party table");
		expect(third, "0.341", "third-party value");
		expect(third, "\xc2\xb1 0.037", "third-party uncertainty");
		expect(third, "open-eval-collective", "third-party evaluator");
		expect_not(third, "GPQA", "third-party table");
		free(self);
		free(third);
	}
	assert_int_equal(json_array_size(json_object_get(ev, "self_reported")),
	                 1);
	assert_int_equal(json_array_size(json_object_get(ev, "third_party")),
	                 1);
	assert_true(json_equal(
	    json_object_get(
	        json_array_get(json_object_get(ev, "self_reported"), 0),
	        "benchmark"),
	    json_object_get(f->self, "benchmark")));
	assert_true(json_equal(
	    json_object_get(
	        json_array_get(json_object_get(ev, "third_party"), 0),
	        "uncertainty"),
	    json_object_get(f->third, "uncertainty")));
}

static void
check_page(const char *html, const char *frag)
{
	assert_true(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
	expect(html, "<style>", "page");
	expect(html, "</html>\n", "page");
	assert_true(strncmp(frag, "<article class=\"mf-label\">", 26) == 0);
	expect_not(frag, "<html", "fragment");
	expect_not(frag, "<style", "fragment");
	/* Self-contained: nothing is fetched. */
	expect_not(html, "src=", "page");
	expect_not(html, "<link", "page");
	expect_not(html, "@import", "page");
	expect_not(html, "url(", "page");
	check_tags(html, our_tags, our_attrs, "page");
	check_tags(frag, our_tags, our_attrs, "fragment");
	/* The fragment is the page's article, byte for byte. */
	expect(html, frag, "page contains the fragment");
}

static void
test_examples(void **state)
{
	size_t x, n_status = 0, n_absent = 0;

	(void)state;
	for (x = 0; x < N_EXAMPLES; x++) {
		struct fx f;
		char *out[N_FORMS], *md_html, *e;
		const char *name;
		json_t *label;
		size_t i, s = 0, a = 0;

		fx_init(&f, examples[x]);
		for (i = 0; i < N_FORMS; i++)
			out[i] = render(&f.in, (enum form)i);
		md_html = cmark_html(out[MD], CMARK_OPT_DEFAULT);
		label = json_back(&f.in, out[JSON]);
		name = json_string_value(json_object_get(
		    json_object_get(f.disclosure, "identity"), "name"));
		e = esc(name, true);
		expect(out[HTML], e, "name");
		expect(md_html, e, "name");
		free(e);
		assert_string_equal(
		    json_string_value(json_object_get(label, "name")), name);
		check_judgements(f.judgements, label, out[HTML], md_html);
		check_evals(&f, label, out[HTML], md_html);
		check_statuses(label, out[HTML], md_html, &s, &a);
		n_status += s;
		n_absent += a;
		check_page(out[HTML], out[FRAG]);
		check_md_tables(out[MD], examples[x]);
		expect(out[HTML], "2 of 3, superseded", "registry version");
		expect(out[HTML], f.in.payload_sha256, "provenance");
		expect(out[HTML],
		       "https://registry.example.org/v1/log/entries/40",
		       "log link");
		assert_true(out[JSON][strlen(out[JSON]) - 1] == '\n');
		if (x == N_EXAMPLES - 1) {
			/* sparse: statuses shown, and a withheld section
			 * passes its status and reason to its fields */
			const json_t *tr =
			    json_object_get(f.disclosure, "training");
			const json_t *ts =
			    json_object_get(json_object_get(label, "key_facts"),
			                    "training_start");

			assert_true(s >= 5);
			assert_string_equal(
			    json_string_value(json_object_get(ts, "status")),
			    "withheld");
			assert_string_equal(json_string_value(json_object_get(
			                        ts, "explanation")),
			                    json_string_value(json_object_get(
			                        tr, "explanation")));
			expect(out[HTML], "<strong>Withheld</strong>",
			       "sparse");
		}
		json_decref(label);
		free(md_html);
		for (i = 0; i < N_FORMS; i++)
			free(out[i]);
		fx_dispose(&f);
	}
	assert_true(n_status > 0);
	assert_true(n_absent > 0);
}

/* Readable numbers in the sheet and exact ones in label.json. */
static void
test_example_numbers(void **state)
{
	static const char *const want[] = {
	    "13.2B parameters",
	    "2.0T tokens",
	    "1.6e23 FLOP, estimated",
	    "540 MWh, measured",
	    "12 tCO2e, estimated",
	    "16,384 tokens",
	    "512 \xc3\x97 NVIDIA H100 80GB",
	    "2026-03-02 to 2026-06-20",
	};
	struct fx f;
	char *md, *html, *md_html, *js;
	json_t *label;
	size_t i;

	(void)state;
	fx_init(&f, examples[0]);
	md = render(&f.in, MD);
	html = render(&f.in, HTML);
	js = render(&f.in, JSON);
	md_html = cmark_html(md, CMARK_OPT_DEFAULT);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		expect(html, want[i], "HTML");
		expect(md_html, want[i], "Markdown");
	}
	label = json_back(&f.in, js);
	assert_true(json_equal(
	    json_object_get(json_object_get(json_object_get(label, "key_facts"),
	                                    "parameters"),
	                    "value"),
	    json_object_get(json_object_get(f.disclosure, "model"),
	                    "parameters")));
	expect(js, "\"amount\": 13200000000.0", "exact amount");
	expect(js, "\"amount\": 1.6e+23", "exact amount");
	expect(js, "\"value\": 0.341", "exact eval value");
	json_decref(label);
	free(md);
	free(html);
	free(js);
	free(md_html);
	fx_dispose(&f);
}

/* ---- determinism ---- */

/* A deep copy with every object's keys inserted in reverse order. */
static json_t *
permuted(const json_t *v)
{
	const char *keys[512], *key;
	json_t *out, *m;
	size_t n = 0, i;

	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, m)
		    json_array_append_new(out, permuted(m));
		return out;
	}
	if (!json_is_object(v))
		return json_deep_copy(v);
	json_object_foreach((json_t *)v, key, m)
	{
		assert_true(n < 512);
		keys[n++] = key;
	}
	out = json_object();
	while (n-- > 0)
		json_object_set_new(out, keys[n],
		                    permuted(json_object_get(v, keys[n])));
	return out;
}

static json_t *
reversed(const json_t *a)
{
	json_t *out = json_array();
	size_t i = json_array_size(a);

	while (i-- > 0)
		json_array_append_new(out, permuted(json_array_get(a, i)));
	return out;
}

static void
test_deterministic(void **state)
{
	size_t x, i;

	(void)state;
	for (x = 0; x < N_EXAMPLES; x++) {
		struct fx f;
		struct mf_label_input in2;
		json_t *d2, *s2, *e2;
		char *a, *b, *c, *u, *v;

		fx_init(&f, examples[x]);
		d2 = permuted(f.disclosure);
		s2 = permuted(f.judgements);
		e2 = reversed(f.evals);
		/* The copies really are in another order. */
		u = json_dumps(f.disclosure, JSON_COMPACT);
		v = json_dumps(d2, JSON_COMPACT);
		assert_true(strcmp(u, v) != 0);
		free(u);
		free(v);
		in2 = f.in;
		in2.disclosure = d2;
		in2.judgements = s2;
		in2.evals = e2;
		for (i = 0; i < N_FORMS; i++) {
			a = render(&f.in, (enum form)i);
			b = render(&f.in, (enum form)i);
			c = render(&in2, (enum form)i);
			if (strcmp(a, b) != 0)
				fail_msg("%s form %zu differs between renders",
				         examples[x], i);
			if (strcmp(a, c) != 0)
				fail_msg("%s form %zu depends on key order",
				         examples[x], i);
			free(a);
			free(b);
			free(c);
		}
		json_decref(d2);
		json_decref(s2);
		json_decref(e2);
		fx_dispose(&f);
	}
}

/* Several results per table come out in one order, whatever order they
 * arrive in: by benchmark, then metric, then log index. */
static void
test_eval_order(void **state)
{
	struct fx f;
	json_t *evals, *rev;
	char *a, *b, *table;

	(void)state;
	fx_init(&f, examples[0]);
	evals = json_pack(
	    "[{s:s, s:s, s:O, s:i}, {s:s, s:s, s:O, s:i}, "
	    "{s:s, s:s, s:O, s:i}, {s:s, s:s, s:O}]",
	    "assurance", "third_party", "evaluator", "lab-b", "result", f.third,
	    "log_index", 9, "assurance", "third_party", "evaluator", "lab-a",
	    "result", f.self, "log_index", 8, "assurance", "third_party",
	    "evaluator", "lab-c", "result", f.third, "log_index", 3,
	    "assurance", "third_party", "evaluator", "lab-d", "result", f.self);
	rev = reversed(evals);
	f.in.evals = evals;
	a = render(&f.in, HTML);
	f.in.evals = rev;
	b = render(&f.in, HTML);
	assert_string_equal(a, b);
	table = between(a, "<h3>Third-party: 4</h3>", "<h3>Headline");
	/* gpqa < humaneval; among equals the log decides, unlogged last */
	assert_true(strstr(table, "lab-a") < strstr(table, "lab-d"));
	assert_true(strstr(table, "lab-d") < strstr(table, "lab-c"));
	assert_true(strstr(table, "lab-c") < strstr(table, "lab-b"));
	free(a);
	free(b);
	free(table);
	f.in.evals = f.evals;
	json_decref(evals);
	json_decref(rev);
	fx_dispose(&f);
}

/* Repeated runs of one measurement fold into the newest that counts,
 * which says how many it stands for; another metric, another evaluator,
 * a withdrawn run and a run by a compromised key each keep their row
 * (issue 15's finding 3: a label grew with every re-run). */
static void
test_repeated_runs_fold(void **state)
{
	struct fx f;
	json_t *evals, *other, *label, *rows, *row, *rev;
	const json_t *r;
	char *md, *a, *b;
	size_t i, newest = 0, folded = 0, withdrawn = 0, flagged = 0;

	(void)state;
	fx_init(&f, examples[0]);
	other = json_deep_copy(f.third);
	json_object_set_new(json_object_get(other, "metric"), "name",
	                    json_string("pass@10"));
	evals = json_array();
	for (i = 0; i < 6; i++)
		json_array_append_new(
		    evals,
		    json_pack("{s:s, s:s, s:O, s:i}", "assurance",
		              "third_party", "evaluator", "lab-a", "result",
		              f.third, "log_index", (int)(10 + i)));
	/* the newest run of all is withdrawn: the one before it stands */
	json_array_append_new(
	    evals,
	    json_pack("{s:s, s:s, s:O, s:i, s:{s:s, s:s, s:s}}", "assurance",
	              "third_party", "evaluator", "lab-a", "result", f.third,
	              "log_index", 30, "withdrawn", "by", "lab-a", "on",
	              "2026-11-01", "reason", "wrong split"));
	json_array_append_new(
	    evals, json_pack("{s:s, s:s, s:O, s:i, s:{s:s}}", "assurance",
	                     "third_party", "evaluator", "lab-a", "result",
	                     f.third, "log_index", 31, "compromised", "since",
	                     "2026-11-02T00:00:00Z"));
	/* a row the database folded already: it stands for three runs */
	json_array_append_new(
	    evals, json_pack("{s:s, s:s, s:O, s:i, s:i}", "assurance",
	                     "third_party", "evaluator", "lab-b", "result",
	                     f.third, "log_index", 12, "runs", 3));
	json_array_append_new(evals,
	                      json_pack("{s:s, s:s, s:O, s:i}", "assurance",
	                                "third_party", "evaluator", "lab-a",
	                                "result", other, "log_index", 13));
	f.in.evals = evals;
	assert_int_equal(mf_label_json(&label, &f.in), 0);
	rows = json_object_get(json_object_get(label, "evals"), "third_party");
	assert_int_equal(json_array_size(rows), 5);
	json_array_foreach(rows, i, row)
	{
		r = json_object_get(row, "earlier_runs");
		if (json_object_get(row, "withdrawn") != NULL)
			withdrawn++;
		else if (json_object_get(row, "compromised") != NULL)
			flagged++;
		else if (r != NULL && json_integer_value(json_object_get(
		                          row, "log_index")) == 15) {
			/* lab-a's six counting runs: the newest, #15, stands */
			assert_int_equal(json_integer_value(r), 5);
			newest++;
		} else if (r != NULL) {
			/* lab-b's row the database folded from three runs */
			assert_int_equal(json_integer_value(r), 2);
			assert_string_equal(json_string_value(json_object_get(
			                        row, "evaluator")),
			                    "lab-b");
			newest++;
		} else
			folded++; /* lab-a's other metric */
	}
	assert_int_equal(newest, 2);
	assert_int_equal(withdrawn, 1);
	assert_int_equal(flagged, 1);
	assert_int_equal(folded, 1);
	md = render(&f.in, MD);
	assert_non_null(strstr(md, "the newest of 6 runs"));
	/* the order rows arrive in changes nothing */
	rev = reversed(evals);
	a = render(&f.in, HTML);
	f.in.evals = rev;
	b = render(&f.in, HTML);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(md);
	json_decref(label);
	json_decref(rev);
	json_decref(evals);
	json_decref(other);
	f.in.evals = f.evals;
	fx_dispose(&f);
}

/* ---- injection ---- */

/* Fields whose values are enums, ids, dates or digests: the schema pins
 * them down, so they are not free text to attack with. */
static bool
pinned(const char *key, const char *parent)
{
	static const char *const keys[] = {"type",
	                                   "status",
	                                   "relation",
	                                   "kind",
	                                   "category",
	                                   "risk",
	                                   "stage",
	                                   "classification",
	                                   "release_stage",
	                                   "used_for_training",
	                                   "scale",
	                                   "assurance",
	                                   "unit",
	                                   "basis",
	                                   "digest",
	                                   "eval_result",
	                                   "registry",
	                                   "issued_at",
	                                   "supersedes",
	                                   "spdx",
	                                   "release_date",
	                                   "start_date",
	                                   "end_date",
	                                   "cutoff",
	                                   "as_of",
	                                   "end_of_support",
	                                   "evaluated_on",
	                                   "method",
	                                   "subject",
	                                   "id",
	                                   "index",
	                                   "languages",
	                                   "assessed_on",
	                                   "judged_by",
	                                   "result",
	                                   "domain",
	                                   "subdomain",
	                                   "index_version",
	                                   "judge",
	                                   "log_index",
	                                   NULL};
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	if (strcmp(key, "access") == 0 && parent != NULL &&
	    strcmp(parent, "distribution") == 0)
		return true;
	return parent != NULL && strcmp(parent, "modalities") == 0;
}

/* Replaces every free-text string under v with s; returns how many. */
static size_t
inject(json_t *v, const char *key, const char *parent, const char *s)
{
	const char *k;
	json_t *m;
	size_t i, n = 0;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m)
		{
			if (!pinned(k, key))
				n += inject(m, k, key, s);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) n += inject(m, key, parent, s);
	} else if (json_is_string(v)) {
		assert_int_equal(json_string_set(v, s), 0);
		n = 1;
	}
	return n;
}

struct injected {
	struct fx f;
	json_t *signed_by;
	char *out[N_FORMS];
	char *cm_safe, *cm_unsafe;
};

static void
injected_render(struct injected *r, const char *example, const char *s)
{
	json_t *ev;
	size_t i;

	/* The judgements are computed before the text is replaced, and
	 * then get the text in their names, reasons, justifications, judge
	 * names and sources: what they count must not depend on the text,
	 * or the structure checks below would compare apples with
	 * pears. */
	fx_init(&r->f, example);
	assert_true(inject(r->f.disclosure, NULL, NULL, s) > 10);
	assert_true(inject(r->f.self, NULL, NULL, s) > 3);
	assert_true(inject(r->f.third, NULL, NULL, s) > 3);
	assert_true(inject(r->f.assessment, NULL, NULL, s) > 3);
	assert_true(inject(r->f.judgements, NULL, NULL, s) > 100);
	json_array_foreach(r->f.evals, i, ev)
	    json_object_set_new(ev, "evaluator", json_string(s));
	r->signed_by = json_pack("[s, s]", s, s);
	r->f.in.signed_by = r->signed_by;
	r->f.in.origin = s;
	r->f.in.org = s;
	r->f.in.model = s;
	r->f.in.accepted_at = s;
	r->f.in.payload_sha256 = s;
	r->f.in.public_url = s;
	for (i = 0; i < N_FORMS; i++)
		r->out[i] = render(&r->f.in, (enum form)i);
	r->cm_safe = cmark_html(r->out[MD], CMARK_OPT_DEFAULT);
	r->cm_unsafe = cmark_html(r->out[MD], CMARK_OPT_UNSAFE);
}

static void
injected_dispose(struct injected *r)
{
	size_t i;

	for (i = 0; i < N_FORMS; i++)
		free(r->out[i]);
	free(r->cm_safe);
	free(r->cm_unsafe);
	json_decref(r->signed_by);
	fx_dispose(&r->f);
}

static void
check_json_text_inert(const char *js, const char *what)
{
	const unsigned char *p;

	expect_not(js, "<", what);
	expect_not(js, ">", what);
	expect_not(js, "&", what);
	expect_not(js, "\xe2\x80\xae", what); /* U+202E */
	expect_not(js, "\xe2\x80\xa8", what); /* U+2028 */
	for (p = (const unsigned char *)js; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("%s: raw control byte 0x%02x", what, *p);
}

static void
check_injected(struct injected *r, const struct injected *base, const char *s,
               const char *what)
{
	struct profile p0, p1;
	json_t *label;
	const json_t *dev, *g, *j;
	bool blank = strspn(s, " \t\r\n") == strlen(s);

	check_tags(r->out[HTML], our_tags, our_attrs, what);
	check_tags(r->out[FRAG], our_tags, our_attrs, what);
	check_tags(r->cm_safe, cmark_tags, cmark_attrs, what);
	check_tags(r->cm_unsafe, cmark_tags, cmark_attrs, what);
	check_inert(r->out[HTML], what);
	check_inert(r->out[FRAG], what);
	check_inert(r->cm_safe, what);
	check_inert(r->cm_unsafe, what);
	check_md_tables(r->out[MD], what);
	p0 = profile_of(base->out[HTML]);
	p1 = profile_of(r->out[HTML]);
	same_profile(&p0, &p1, what, blank);
	p0 = profile_of(base->cm_unsafe);
	p1 = profile_of(r->cm_unsafe);
	same_profile(&p0, &p1, what, blank);
	p0 = profile_of(base->cm_safe);
	p1 = profile_of(r->cm_safe);
	same_profile(&p0, &p1, what, blank);
	/* label.json keeps every string exactly, and stays inert as text. */
	label = json_back(&r->f.in, r->out[JSON]);
	assert_string_equal(json_string_value(json_object_get(label, "name")),
	                    s);
	dev = json_object_get(
	    json_object_get(json_object_get(label, "identity"), "developer"),
	    "value");
	assert_string_equal(json_string_value(dev), s);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(label, "provenance"), "accepted_at")),
	    s);
	/* ...the judges' names, sources and justifications included */
	g = json_array_get(json_object_get(label, "judgements"), 0);
	j = json_array_get(json_object_get(g, "judges"), 0);
	assert_string_equal(json_string_value(json_object_get(j, "judge_name")),
	                    s);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(j, "source"), "attribution")),
	                    s);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(
	                json_array_get(json_object_get(g, "indicators"), 0),
	                "judgements"),
	            0),
	        "justification")),
	    s);
	check_json_text_inert(r->out[JSON], what);
	json_decref(label);
}

static void
test_injection(void **state)
{
	json_t *corpus = load("tests/fixtures/labels/injection.json"), *v;
	struct mf_buf longs[2];
	size_t i, x, n;

	(void)state;
	/* Long strings are built here rather than stored. */
	mf_buf_init(&longs[0], 0);
	mf_buf_init(&longs[1], 0);
	for (i = 0; i < 16384; i++)
		mf_buf_putc(&longs[0], 'A');
	for (i = 0; i < 600; i++)
		mf_buf_puts(&longs[1], "<script>[x](javascript:1)|\n");
	json_array_append_new(corpus, json_string(longs[0].data));
	json_array_append_new(corpus, json_string(longs[1].data));
	mf_buf_dispose(&longs[0]);
	mf_buf_dispose(&longs[1]);
	n = json_array_size(corpus);
	assert_true(n > 60);
	for (x = 0; x < N_EXAMPLES; x++) {
		struct injected base;

		injected_render(&base, examples[x], "x");
		json_array_foreach(corpus, i, v)
		{
			struct injected r;
			char what[160];

			snprintf(what, sizeof(what), "%s, corpus[%zu] %.40s",
			         examples[x], i, json_string_value(v));
			injected_render(&r, examples[x], json_string_value(v));
			check_injected(&r, &base, json_string_value(v), what);
			injected_dispose(&r);
		}
		injected_dispose(&base);
	}
	printf("# injection: %zu strings x %zu examples, in every free-text "
	       "field\n",
	       n, N_EXAMPLES);
	json_decref(corpus);
}

/* ---- golden labels: judgements, byte for byte ---- */

enum golden_case {
	G_AUTO_ONLY,   /* only the automatic check */
	G_AUTO_FMTI,   /* + an FMTI assessor on another index */
	G_DISAGREE,    /* + an assessor of modelfacts-v1 who disagrees */
	G_TRANSCRIBED, /* an FMTI assessment transcribed by a curator */
	G_ASSESSED,    /* no disclosure: assessment-only */
	G_FOLDED,      /* long "not met" lists, folded by subdomain */
	G_HOSTILE,     /* assessor names, justifications, sources attack */
	G__MAX
};

static const char *const golden_names[G__MAX] = {
    "auto-only",       "auto-fmti", "disagreement", "transcribed",
    "assessment-only", "folded",    "hostile",
};

static const char *const golden_ext[N_FORMS] = {"md", "html", NULL, "json"};

/* Hostile text the browser test (tests/integration/test_label_browser.py)
 * loads from the hostile fixture: nothing of it may run. */
#define HOSTILE                                                                \
	"<img src=x onerror=\"document.title='pwned-img'\">"                   \
	"<script>document.title=\"pwned-script\"</script>"                     \
	"<a href=\"javascript:document.title='pwned-link'\" id=evil>x</a>"     \
	"[click](javascript:alert(1)) <details open><summary>s</summary>"

static void
golden_input(struct fx *f, enum golden_case c)
{
	json_t *j = f->judgements, *x, *ind;
	size_t i;

	json_array_clear(j);
	switch (c) {
	case G_AUTO_ONLY:
		break;
	case G_AUTO_FMTI:
		json_array_append_new(j, fmti_judgement(20, 4, NULL));
		break;
	case G_DISAGREE:
		json_array_append_new(j, watch_judgement(f));
		break;
	case G_TRANSCRIBED:
	case G_ASSESSED:
		json_array_append_new(j, fmti_judgement(20, 5, fmti_source()));
		break;
	case G_FOLDED:
		json_array_append_new(j, fmti_judgement(100, 3, NULL));
		break;
	default:
		x = fmti_judgement(20, 4, fmti_source());
		json_object_set_new(x, "judge_name", json_string(HOSTILE));
		json_object_set_new(json_object_get(x, "source"), "attribution",
		                    json_string(HOSTILE));
		json_array_foreach(
		    json_object_get(json_object_get(x, "score"), "indicators"),
		    i, ind)
		{
			json_object_set_new(ind, "justification",
			                    json_string(HOSTILE));
			json_object_set_new(
			    ind, "references",
			    json_pack("[s, s]", "javascript:alert(1)",
			              "https://a.example/x?y=1&z=2"));
		}
		json_array_append_new(j, x);
		json_array_append_new(j, watch_judgement(f));
		break;
	}
	if (c != G_ASSESSED)
		json_array_append_new(j, auto_judgement(f->auto_score));
}

static char *
read_text(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct mf_buf b;
	char chunk[8192];
	size_t n;

	if (fp == NULL)
		return NULL;
	mf_buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(mf_buf_append(&b, chunk, n), 0);
	fclose(fp);
	return mf_buf_detach(&b, NULL);
}

/*
 * Each case in label.json, label.md and HTML, compared byte for byte
 * with tests/fixtures/labels/golden/. After a deliberate change, run
 * with MF_LABELS_UPDATE=1 to rewrite them, and review the diff.
 */
static void
test_golden(void **state)
{
	const char *update = getenv("MF_LABELS_UPDATE");
	char path[256];
	size_t c, k;

	(void)state;
	for (c = 0; c < G__MAX; c++) {
		struct fx f;

		fx_init(&f, c == G_FOLDED ? examples[2] : examples[0]);
		if (c == G_ASSESSED) {
			f.in.disclosure = NULL;
			f.in.assessment_only = 1;
			f.in.org = "openai";
			f.in.model = "gpt-4";
			f.in.version = 0;
			f.in.latest_version = 0;
			f.in.payload_sha256 = NULL;
			f.in.accepted_at = NULL;
			f.in.log_index = -1;
			f.in.signed_by = NULL;
			f.in.evals = NULL;
		}
		golden_input(&f, (enum golden_case)c);
		for (k = 0; k < N_FORMS; k++) {
			char *got, *want;
			FILE *fp;

			if (golden_ext[k] == NULL)
				continue;
			got = render(&f.in, (enum form)k);
			snprintf(path, sizeof(path),
			         "tests/fixtures/labels/golden/%s.label.%s",
			         golden_names[c], golden_ext[k]);
			if (update != NULL && strcmp(update, "1") == 0) {
				fp = fopen(path, "wb");
				if (fp == NULL)
					fail_msg("cannot write %s", path);
				fputs(got, fp);
				fclose(fp);
			}
			want = read_text(path);
			if (want == NULL)
				fail_msg(
				    "%s missing (MF_LABELS_UPDATE=1 writes "
				    "it)",
				    path);
			if (strcmp(got, want) != 0)
				fail_msg("%s differs from the rendering "
				         "(MF_LABELS_UPDATE=1 rewrites it)",
				         path);
			if (k == HTML) {
				check_tags(got, our_tags, our_attrs, path);
				check_inert(got, path);
			}
			if (k == MD)
				check_md_tables(got, path);
			free(got);
			free(want);
		}
		fx_dispose(&f);
	}
}

/* ---- odd inputs ---- */

static void
test_minimal_and_missing(void **state)
{
	struct mf_label_input in;
	json_t *d = json_pack("{s:s, s:{s:s}}", "type", "disclosure",
	                      "identity", "name", "Bare");
	json_t *label;
	char *md, *html, *js;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.disclosure = d;
	in.log_index = -1;
	md = render(&in, MD);
	html = render(&in, HTML);
	js = render(&in, JSON);
	expect(md, "# Model Facts: Bare", "title");
	expect(md, "*Not judged yet.*", "no judgement");
	assert_int_equal(count(md, "*None submitted.*"), 2);
	expect(md, "*Not yet in the log*", "log index");
	expect(md, "| **Parameters** | *Not disclosed* |", "absent fact");
	expect(md, "?/?", "no subject");
	expect(html, "<em>Not judged yet.</em>", "no judgement");
	expect_not(md, "Transparency by indicator", "no judgement");
	check_md_tables(md, "minimal");
	label = json_back(&in, js);
	assert_int_equal(json_array_size(json_object_get(label, "judgements")),
	                 0);
	assert_true(json_is_false(json_object_get(label, "assessment_only")));
	assert_true(json_is_null(
	    json_object_get(json_object_get(label, "registry"), "version")));
	assert_int_equal(json_object_size(json_object_get(
	                     json_object_get(label, "registry"), "links")),
	                 0);
	json_decref(label);
	free(md);
	free(html);
	free(js);
	json_decref(d);
}

/* A curator's transcription says whose words it carries and who signed. */
static void
test_transcribed_disclosure(void **state)
{
	struct mf_label_input in;
	json_t *d = json_pack(
	    "{s:s, s:{s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "type",
	    "disclosure", "identity", "name", "Granite 3.0", "transcribed_from",
	    "dataset", "Foundation Model Transparency Index", "edition", "2025",
	    "file", "v2025/reports/IBM.csv", "rows", "1-100", "prepared_by",
	    "IBM", "license", "CC-BY-4.0", "attribution",
	    "Bommasani et al. <script>, CC BY 4.0.");
	json_t *signers = json_pack("[s]", "abc123");
	json_t *label;
	char *md, *html, *js;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.disclosure = d;
	in.signed_by = signers;
	in.log_index = -1;
	md = render(&in, MD);
	html = render(&in, HTML);
	js = render(&in, JSON);
	expect(md,
	       "Transcribed from Foundation Model Transparency Index 2025, "
	       "v2025/reports/IBM.csv, rows 1-100, prepared by IBM; "
	       "CC-BY-4.0: Bommasani et al.",
	       "source line");
	expect(md, "Signed by this registry", "signer");
	expect(html, "curator (key abc123), not by the organisation", "signer");
	expect_not(md, "4.0..", "one full stop after the credit line");
	expect(html, "Bommasani et al. &lt;script&gt;", "escaped");
	expect_not(html, "<script>", "no markup from the source");
	label = json_back(&in, js);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(label, "provenance"),
	                        "transcribed_from"),
	        "prepared_by")),
	    "IBM");
	json_decref(label);
	/* an ordinary disclosure says nothing of the kind */
	json_object_del(d, "transcribed_from");
	free(md);
	md = render(&in, MD);
	expect_not(md, "Transcribed from", "not transcribed");
	free(md);
	free(html);
	free(js);
	json_decref(signers);
	json_decref(d);
}

/*
 * A version its developer withdrew, or signed only by a key reported
 * compromised (migrations/0010): the flags reach label.json's top level
 * as given, the sheet states them first, the reason escaped; a label
 * without them has neither key nor words.
 */
static void
test_trust_flags(void **state)
{
	struct mf_label_input in;
	json_t *d = load("examples/disclosure-open.json");
	json_t *signers = json_pack("[s]", "abc123");
	json_t *w =
	    json_pack("{s:s, s:s, s:s, s:i}", "by", "acme", "on", "2026-12-01",
	              "reason", "Wrong <b>numbers</b> & more", "log_index", 7);
	json_t *c = json_pack("{s:s, s:s, s:s, s:i}", "keyid", "abc123",
	                      "since", "2026-11-30T00:00:00Z", "revoked_at",
	                      "2026-12-01T10:00:00Z", "log_index", 8);
	json_t *label;
	char *md, *html, *js;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.disclosure = d;
	in.signed_by = signers;
	in.log_index = 3;
	md = render(&in, MD);
	js = render(&in, JSON);
	expect_not(md, "withdrawn by", "no flag");
	expect_not(md, "compromised", "no flag");
	label = json_back(&in, js);
	assert_null(json_object_get(label, "withdrawn"));
	assert_null(json_object_get(label, "compromised"));
	json_decref(label);
	free(md);
	free(js);

	in.withdrawn = w;
	in.compromised = c;
	md = render(&in, MD);
	html = render(&in, HTML);
	js = render(&in, JSON);
	expect(html,
	       "This version was withdrawn by acme on 2026-12-01 because "
	       "Wrong &lt;b&gt;numbers&lt;/b&gt; &amp; more. It counts",
	       "withdrawn, escaped");
	expect_not(html, "<b>numbers", "no markup from the reason");
	expect(md, "withdrawn by acme on 2026-12-01 because Wrong", "md");
	expect(html,
	       "signed by a key reported compromised since "
	       "2026-11-30T00:00:00Z (revoked at 2026-12-01T10:00:00Z)",
	       "compromised");
	expect(md, "signed by a key reported compromised since", "md");
	/* first: before the headline score */
	assert_true(strstr(md, "withdrawn by") < strstr(md, "Transparency"));
	label = json_back(&in, js);
	assert_true(json_equal(json_object_get(label, "withdrawn"), w));
	assert_true(json_equal(json_object_get(label, "compromised"), c));
	json_decref(label);
	free(md);
	free(html);
	free(js);
	json_decref(w);
	json_decref(c);
	json_decref(signers);
	json_decref(d);
}

static void
test_empty_sections_and_zero_max(void **state)
{
	struct fx f;
	json_t *zero;
	char *md, *html;

	(void)state;
	fx_init(&f, examples[2]);
	json_object_set_new(f.disclosure, "model", json_object());
	json_object_set_new(f.disclosure, "uses", json_object());
	json_object_set_new(f.disclosure, "risks", json_object());
	json_object_set_new(f.disclosure, "downstream", json_object());
	fx_judge(&f);
	zero = json_pack("{s:s, s:i, s:i, s:i, s:i, s:[], s:[{s:s, s:s, "
	                 "s:i, s:i, s:[]}], s:[]}",
	                 "index", "modelfacts-v1", "score", 0, "max", 0,
	                 "not_applicable", 3, "unassessed", 0, "judged_by",
	                 "domains", "id", "d", "name", "Everything", "score", 0,
	                 "max", 0, "subdomains", "indicators");
	json_array_clear(f.judgements);
	json_array_append_new(f.judgements,
	                      judgement("modelfacts-v1", "modelfacts v1",
	                                "auto", "auto", "2026-10-14T09:31:02Z",
	                                40, NULL, zero));
	md = render(&f.in, MD);
	html = render(&f.in, HTML);
	expect(md, "0/0", "zero max");
	expect(md, "No indicator applies", "zero max");
	expect(md,
	       "\xe2\x96\x91\xe2\x96\x91\xe2\x96\x91\xe2\x96\x91"
	       "\xe2\x96\x91\xe2\x96\x91\xe2\x96\x91\xe2\x96\x91"
	       "\xe2\x96\x91\xe2\x96\x91",
	       "empty bar");
	expect(html, "class=\"mf-fill mf-w-0\"", "empty bar");
	expect_not(html, "style=\"", "no style attribute");
	expect(md, "None: every judge found every applicable indicator met.",
	       "no unmet");
	expect(md, "| **Parameters** | *Not disclosed* |", "empty model");
	check_md_tables(md, "empty sections");
	free(md);
	free(html);
	json_decref(zero);
	fx_dispose(&f);
}

static void
test_garbage_shapes(void **state)
{
	struct fx f;
	json_t *evals, *judgements, *bad_keys, *label;
	char *md, *html, *js;

	(void)state;
	fx_init(&f, examples[0]);
	evals = json_pack("[i, s, {}, {s:s, s:{}}, {s:s}, {s:s, s:{s:s, s:i, "
	                  "s:s, s:{s:[]}}}]",
	                  1, "x", "assurance", "bogus", "result", "result",
	                  "no", "assurance", "third_party", "result",
	                  "benchmark", "notobj", "metric", 5, "value", "NaN",
	                  "uncertainty", "ci");
	judgements = json_loads(
	    "[null, \"x\", {\"judge\": \"auto\"},"
	    " {\"judge\": \"auto\", \"index\": \"modelfacts-v1\","
	    "  \"score\": \"not a score\"},"
	    " {\"judge\": 5, \"index\": \"x\", \"score\": {}},"
	    " {\"index\": \"fmti-2025\", \"judge\": \"fmti\","
	    "  \"log_index\": -7, \"source\": \"not a url\","
	    "  \"at\": \"yesterday\", \"score\": {\"score\": 3,"
	    "  \"max\": 10, \"domains\": \"nope\","
	    "  \"indicators\": \"nope\"}},"
	    " {\"index\": \"fmti-2025\", \"judge\": \"auto\","
	    "  \"score\": {\"domains\": [1, {\"id\": 2}],"
	    "  \"indicators\": [3, {\"id\": \"fmti-9\", \"result\": 4},"
	    "  {\"id\": \"fmti-10\", \"result\": \"not_met\","
	    "   \"domain\": \"nowhere\"}]}}]",
	    0, NULL);
	assert_non_null(judgements);
	bad_keys = json_pack("{s:s}", "not", "an array");
	json_object_set_new(f.disclosure, "identity", json_string("nope"));
	json_object_set_new(f.disclosure, "model", json_pack("[i, i]", 1, 2));
	json_object_set_new(
	    f.disclosure, "distribution",
	    json_pack("{s:s, s:i}", "status", "withheld", "explanation", 5));
	json_object_set_new(
	    json_object_get(f.disclosure, "compute"), "energy",
	    json_pack("{s:s, s:f}", "unit", "furlongs", "amount", 1e300));
	f.in.evals = evals;
	f.in.judgements = judgements;
	f.in.signed_by = bad_keys;
	md = render(&f.in, MD);
	html = render(&f.in, HTML);
	js = render(&f.in, JSON);
	expect(md, "### Self-reported: 0", "garbage evals");
	expect(md, "### Third-party: 1", "one usable eval");
	expect(md, "fmti-2025: 3/10", "usable judgement");
	expect(md, "not a url", "a source that is not a link");
	expect(md, "yesterday", "a time that is not a time");
	expect(md, "fmti-10", "an indicator in no known subdomain");
	expect_not(md, "modelfacts-v1", "a judgement without a score");
	expect(md, "Unnamed model", "no name");
	expect(md, "| **Release stage** | **Withheld** |", "withheld section");
	expect(md, "1e300 furlongs", "unknown unit shown exactly");
	check_md_tables(md, "garbage");
	check_tags(html, our_tags, our_attrs, "garbage");
	label = json_back(&f.in, js);
	json_decref(label);
	free(md);
	free(html);
	free(js);
	f.in.judgements = f.judgements;
	f.in.evals = f.evals;
	json_decref(evals);
	json_decref(judgements);
	json_decref(bad_keys);
	fx_dispose(&f);
}

static void
test_invalid_utf8(void **state)
{
	struct fx f;
	json_t *name = json_stringn_nocheck("A\xff\xc0\xaf"
	                                    "B\xe2\x80",
	                                    7);
	char *md, *html, *js;

	(void)state;
	fx_init(&f, examples[0]);
	json_object_set_new(json_object_get(f.disclosure, "identity"), "name",
	                    name);
	md = render(&f.in, MD);
	html = render(&f.in, HTML);
	js = render(&f.in, JSON);
	expect(md,
	       "Model Facts: A\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	       "B\xef\xbf\xbd\xef\xbf\xbd",
	       "replacement characters");
	expect(html, "A\xef\xbf\xbd", "replacement characters");
	expect(js, "\"name\": \"A\\ufffd\\ufffd\\ufffdB\\ufffd\\ufffd\"",
	       "JSON");
	expect_not(md, "\xff", "raw byte");
	expect_not(html, "\xff", "raw byte");
	expect_not(js, "\xff", "raw byte");
	free(md);
	free(html);
	free(js);
	fx_dispose(&f);
}

static void
test_errors_leave_buffer(void **state)
{
	struct fx f;
	struct mf_buf b;
	struct mf_label_input none;
	json_t *label = NULL;
	int (*fns[])(struct mf_buf *, const struct mf_label_input *) = {
	    mf_label_markdown, mf_label_html, mf_label_html_fragment,
	    mf_label_json_text};
	size_t i;

	(void)state;
	fx_init(&f, examples[0]);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		mf_buf_init(&b, 200);
		assert_int_equal(mf_buf_puts(&b, "keep"), 0);
		assert_int_equal(fns[i](&b, &f.in), MF_E_TOO_LARGE);
		assert_int_equal(b.len, 4);
		assert_string_equal(b.data, "keep");
		assert_int_equal(fns[i](&b, NULL), MF_E_BAD_PARAM);
		mf_buf_dispose(&b);
	}
	memset(&none, 0, sizeof(none));
	assert_int_equal(mf_label_json(&label, &none), MF_E_BAD_PARAM);
	assert_null(label);
	none.disclosure = json_array_get(f.evals, 0); /* not a disclosure,
	                                                 but an object */
	mf_buf_init(&b, 0);
	assert_int_equal(mf_label_render(&b, NULL, MF_LABEL_MARKDOWN),
	                 MF_E_BAD_PARAM);
	assert_int_equal(mf_label_render(&b, f.disclosure, MF_LABEL_FORM__MAX),
	                 MF_E_BAD_PARAM);
	assert_int_equal(mf_label_markdown(&b, &none), 0);
	mf_buf_dispose(&b);
	fx_dispose(&f);
}

/* One label tree renders the same as rendering from the input. */
static void
test_render_from_tree(void **state)
{
	struct fx f;
	struct mf_buf b;
	json_t *label = NULL;
	char *md;

	(void)state;
	fx_init(&f, examples[1]);
	md = render(&f.in, MD);
	assert_int_equal(mf_label_json(&label, &f.in), 0);
	mf_buf_init(&b, 0);
	assert_int_equal(mf_label_render(&b, label, MF_LABEL_MARKDOWN), 0);
	assert_string_equal(b.data, md);
	mf_buf_dispose(&b);
	json_decref(label);
	free(md);
	fx_dispose(&f);
}

/* ---- units: numbers, URLs, JSON text, Markdown escapes ---- */

static void
check_num(void (*fn)(char *, double), double x, const char *want)
{
	char got[MF_LABEL_NUM_MAX];

	fn(got, x);
	if (strcmp(got, want) != 0)
		fail_msg("%.17g: got \"%s\", want \"%s\"", x, got, want);
}

static void
number_table(void)
{
	check_num(mf_label_num_scaled, 7.1e9, "7.1B");
	check_num(mf_label_num_scaled, 2.0e12, "2.0T");
	check_num(mf_label_num_scaled, 13.2e9, "13.2B");
	check_num(mf_label_num_scaled, 1.15e6, "1.15M");
	check_num(mf_label_num_scaled, 7e10, "70B");
	check_num(mf_label_num_scaled, 4.05e11, "405B");
	check_num(mf_label_num_scaled, 999.6e9, "1.0T");
	check_num(mf_label_num_scaled, 16384, "16,384");
	check_num(mf_label_num_scaled, 512, "512");
	check_num(mf_label_num_scaled, 2.5e15, "2.5e15");
	check_num(mf_label_num_sci, 1.6e23, "1.6e23");
	check_num(mf_label_num_sci, 3.14e23, "3.1e23");
	check_num(mf_label_num_sci, 2.5e-4, "2.5e-4");
	check_num(mf_label_num_plain, 1234.567, "1,235");
	check_num(mf_label_num_plain, 12.34, "12.3");
	check_num(mf_label_num_plain, 0.5432, "0.543");
	check_num(mf_label_num_plain, 0.012345, "0.0123");
	check_num(mf_label_num_plain, 540, "540");
	check_num(mf_label_num_plain, 0.54, "0.54");
	check_num(mf_label_num_plain, 0, "0");
	check_num(mf_label_num_plain, -1500, "-1,500");
	check_num(mf_label_num_plain, 1234567, "1,234,567");
	check_num(mf_label_num_exact, 0.341, "0.341");
	check_num(mf_label_num_exact, 72.2, "72.2");
	check_num(mf_label_num_exact, 1e-5, "1e-5");
	check_num(mf_label_num_exact, 16384, "16384");
	check_num(mf_label_num_exact, 0.1 + 0.2, "0.30000000000000004");
	check_num(mf_label_num_json, 16384.0, "16384.0");
	check_num(mf_label_num_json, 0.341, "0.341");
	check_num(mf_label_num_json, 1.6e23, "1.6e+23");
	check_num(mf_label_num_json, 13.2e9, "13200000000.0");
	check_num(mf_label_num_json, -0.0, "-0.0");
	check_num(mf_label_num_bytes, 4.5e12, "4.5 TB");
	check_num(mf_label_num_bytes, 512, "512 B");
	check_num(mf_label_num_bytes, 1.2e15, "1.2 PB");
}

static void
test_number_formats(void **state)
{
	static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8",
	                                      "fr_FR.UTF-8", "ps_AF.UTF-8"};
	size_t i;

	(void)state;
	number_table();
	/* The formats ignore the locale's decimal point. */
	for (i = 0; i < sizeof(locales) / sizeof(locales[0]); i++) {
		if (setlocale(LC_NUMERIC, locales[i]) == NULL)
			continue;
		number_table();
		setlocale(LC_NUMERIC, "C");
		printf("# number formats also checked under %s\n", locales[i]);
		break;
	}
}

static void
test_url_policy(void **state)
{
	static const char *const ok[] = {
	    "https://a.example/x?y=1&z=2#f",
	    "HTTP://EXAMPLE.COM",
	    "http://127.0.0.1:8080/v1/log/entries/4",
	    "https://a.example/%7Euser/file_name-1.2~x",
	    "https://a.example/a,b;c=d+e*f!g$h@i",
	};
	static const char *const bad[] = {
	    "javascript:alert(1)",
	    "JAVASCRIPT:alert(1)",
	    "data:text/html,<script>alert(1)</script>",
	    "vbscript:x",
	    "//evil.example/x",
	    " http://a.example",
	    "http:///path",
	    "http://?q",
	    "https://",
	    "http://a.example/)(",
	    "http://a.example/[x]",
	    "http://a.example/a b",
	    "http://a.example/\"onmouseover=x",
	    "http://a.example/'x",
	    "http://a.example/<x>",
	    "http://a.example/\\x",
	    "http://a.example/`x`",
	    "http://a.example/%zz",
	    "http://a.example/%4",
	    "http://a.example/\xc3\xa9",
	    "http://a.example/x\n",
	    "ftp://a.example/",
	    "",
	};
	char longurl[2200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!mf_label_url_linkable(ok[i]))
			fail_msg("should link: %s", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mf_label_url_linkable(bad[i]))
			fail_msg("should not link: %s", bad[i]);
	assert_false(mf_label_url_linkable(NULL));
	memcpy(longurl, "https://a.example/", 18);
	memset(longurl + 18, 'a', sizeof(longurl) - 19);
	longurl[sizeof(longurl) - 1] = '\0';
	assert_false(mf_label_url_linkable(longurl));
	longurl[2048] = '\0';
	assert_true(mf_label_url_linkable(longurl));
}

static void
test_json_writer(void **state)
{
	static const char want[] =
	    "{\n"
	    "  \"a\": [\n"
	    "    0.1,\n"
	    "    16384.0,\n"
	    "    1.6e+23,\n"
	    "    7,\n"
	    "    true,\n"
	    "    null\n"
	    "  ],\n"
	    "  \"b\": {},\n"
	    "  \"c\": \"\\u003cb\\u003e \\u0026 \\u2028\\u202e\\\"\\\\\\n"
	    "\\t\\u0001\\u007f\\u0085 \xc3\xa9 \xf0\x9f\xa7\xaa\",\n"
	    "  \"d\": []\n"
	    "}\n";
	json_t *v = json_pack("{s:o, s:{}, s:[f, f, f, i, b, n], s:[]}", "c",
	                      json_string("<b> & \xe2\x80\xa8\xe2\x80\xae\"\\\n"
	                                  "\t\x01\x7f\xc2\x85 \xc3\xa9 "
	                                  "\xf0\x9f\xa7\xaa"),
	                      "b", "a", 0.1, 16384.0, 1.6e23, 7, 1, "d");
	struct mf_buf b;
	json_t *back;
	json_t *deep = json_array(), *cur = deep;
	int i;

	(void)state;
	mf_buf_init(&b, 0);
	assert_int_equal(mf_label_json_write(&b, v), 0);
	assert_string_equal(b.data, want);
	back = json_loads(b.data, 0, NULL);
	assert_true(json_equal(back, v));
	json_decref(back);
	mf_buf_dispose(&b);
	for (i = 0; i < MF_LABEL_JSON_MAX_DEPTH + 5; i++) {
		json_t *next = json_array();

		json_array_append_new(cur, next);
		cur = next;
	}
	mf_buf_init(&b, 0);
	assert_int_equal(mf_buf_puts(&b, "keep"), 0);
	assert_int_equal(mf_label_json_write(&b, deep), MF_E_TOO_LARGE);
	assert_string_equal(b.data, "keep");
	mf_buf_dispose(&b);
	json_decref(deep);
	json_decref(v);
}

/* Markdown of one element with one string, via the emitter. */
static char *
md_of(enum mf_label_el el, const char *text, bool link)
{
	struct mf_label_emitter e;
	struct mf_buf b;

	mf_buf_init(&b, 0);
	mf_label_emitter_init(&e, &mf_label_markdown_ops, &b);
	if (el == MF_LABEL_EL_TD) {
		mf_label_open(&e, MF_LABEL_EL_TABLE, NULL);
		mf_label_open(&e, MF_LABEL_EL_HEADROW, NULL);
		mf_label_wrap(&e, MF_LABEL_EL_TH, NULL, "h");
		mf_label_close(&e, MF_LABEL_EL_HEADROW);
		mf_label_open(&e, MF_LABEL_EL_ROW, NULL);
	}
	if (el == MF_LABEL_EL_ITEM)
		mf_label_open(&e, MF_LABEL_EL_LIST, NULL);
	mf_label_open(&e, el, NULL);
	if (link)
		mf_label_link(&e, text, NULL);
	else
		mf_label_text(&e, text);
	mf_label_close(&e, el);
	if (el == MF_LABEL_EL_TD) {
		mf_label_close(&e, MF_LABEL_EL_ROW);
		mf_label_close(&e, MF_LABEL_EL_TABLE);
	}
	if (el == MF_LABEL_EL_ITEM)
		mf_label_close(&e, MF_LABEL_EL_LIST);
	assert_int_equal(e.rc, 0);
	return mf_buf_detach(&b, NULL);
}

static void
check_md(enum mf_label_el el, const char *text, bool link, const char *want)
{
	char *got = md_of(el, text, link);

	if (strcmp(got, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", text, got, want);
	free(got);
}

static void
test_markdown_escapes(void **state)
{
	(void)state;
	check_md(MF_LABEL_EL_PARA, "1. x", false, "1\\. x\n");
	check_md(MF_LABEL_EL_PARA, "- x", false, "\\- x\n");
	check_md(MF_LABEL_EL_PARA, "+ x = y - z", false, "\\+ x = y - z\n");
	check_md(MF_LABEL_EL_PARA, "===", false, "\\===\n");
	check_md(MF_LABEL_EL_PARA, "  \n  # h", false, "\\# h\n");
	check_md(MF_LABEL_EL_PARA, "a \n\t b", false, "a b\n");
	check_md(MF_LABEL_EL_PARA, "<b>&amp;\"'", false,
	         "&lt;b&gt;&amp;amp;&quot;&#39;\n");
	check_md(MF_LABEL_EL_PARA, "*_[]()`\\|!~$#", false,
	         "\\*\\_\\[\\]\\(\\)\\`\\\\\\|\\!\\~\\$\\#\n");
	check_md(MF_LABEL_EL_PARA,
	         "\xe2\x80\xae"
	         "evil",
	         false,
	         "\xef\xbf\xbd"
	         "evil\n");
	/* the same characters inside a word, where runs are copied whole */
	check_md(MF_LABEL_EL_PARA, "a<b>c&d\"e'f", false,
	         "a&lt;b&gt;c&amp;d&quot;e&#39;f\n");
	check_md(MF_LABEL_EL_PARA, "a*b_c`d[e]f(g)h#i|j!k~l$m\\n", false,
	         "a\\*b\\_c\\`d\\[e\\]f\\(g\\)h\\#i\\|j\\!k\\~l\\$m\\\\n\n");
	check_md(MF_LABEL_EL_PARA, "x 1. - + = y", false, "x 1. - + = y\n");
	check_md(MF_LABEL_EL_ITEM, "- nested", false, "- \\- nested\n");
	check_md(MF_LABEL_EL_ITEM, "2) x", false, "- 2\\) x\n");
	check_md(MF_LABEL_EL_TD, "13.2B a|b", false,
	         "| h |\n|---|\n| 13.2B a\\|b |\n");
	check_md(MF_LABEL_EL_TD, "x\ny", false, "| h |\n|---|\n| x y |\n");
	check_md(MF_LABEL_EL_PARA, "https://a.example/?x=1&y=2", true,
	         "<https://a.example/?x=1&amp;y=2>\n");
	check_md(MF_LABEL_EL_PARA, "javascript:alert(1)", true,
	         "javascript:alert\\(1\\)\n");
	check_md(MF_LABEL_EL_PARA, "http://a.example/)", true,
	         "http://a.example/\\)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_example_numbers),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_eval_order),
	    cmocka_unit_test(test_repeated_runs_fold),
	    cmocka_unit_test(test_injection),
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_minimal_and_missing),
	    cmocka_unit_test(test_transcribed_disclosure),
	    cmocka_unit_test(test_empty_sections_and_zero_max),
	    cmocka_unit_test(test_garbage_shapes),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_errors_leave_buffer),
	    cmocka_unit_test(test_render_from_tree),
	    cmocka_unit_test(test_number_formats),
	    cmocka_unit_test(test_url_policy),
	    cmocka_unit_test(test_json_writer),
	    cmocka_unit_test(test_markdown_escapes),
	    cmocka_unit_test(test_trust_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
