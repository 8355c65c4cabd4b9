/*
 * What a spec sheet says and in which order (see layout.h). Everything
 * comes from the label.json tree; every string from it goes through the
 * emitter's text/link/code calls, which escape it for their format.
 */
#include "labels/layout.h"

#include "labels/number.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DASH  "\xe2\x80\x94"  /* U+2014, for empty cells */
#define SUB   "\xe2\x86\xb3 " /* U+21B3, marks a subdomain row */
#define TIMES " \xc3\x97 "    /* U+00D7 */
#define NDASH "\xe2\x80\x93"  /* U+2013 */

typedef void (*value_fn)(struct mf_label_emitter *e, const json_t *fact,
                         const json_t *v);

/* ---- access to the tree ---- */

/* Member at "/a/b/c" through objects only; NULL when any is missing. */
static const json_t *
at(const json_t *o, const char *path)
{
	char seg[64];
	const char *end;
	size_t n;

	while (o != NULL && *path == '/') {
		path++;
		end = strchr(path, '/');
		n = end != NULL ? (size_t)(end - path) : strlen(path);
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		o = json_object_get(o, seg);
		path += n;
	}
	return o;
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool
eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static const char *
status(const json_t *fact)
{
	const char *s = str(fact, "status");

	return s != NULL ? s : "not_disclosed";
}

static const json_t *
disclosed_value(const json_t *fact)
{
	if (!eq(status(fact), "disclosed"))
		return NULL;
	return json_object_get(fact, "value");
}

static bool
assessment_only(const json_t *label)
{
	return json_is_true(json_object_get(label, "assessment_only"));
}

const char *
mf_label_layout_name(const json_t *label)
{
	const char *s = str(label, "name");

	if (s != NULL && *s != '\0')
		return s;
	/* no disclosure, so no name: the registry's model id */
	s = str(json_object_get(label, "subject"), "model");
	if (assessment_only(label) && s != NULL && *s != '\0')
		return s;
	return "Unnamed model";
}

/* ---- small writers ---- */

static void
num_exact(struct mf_label_emitter *e, double x)
{
	char num[MF_LABEL_NUM_MAX];

	mf_label_num_exact(num, x);
	mf_label_text(e, num);
}

/* Known enum values with a better reading than their words. */
static const struct {
	const char *value, *text;
} enum_words[] = {
    {"api", "API"},
    {"cbrn", "CBRN"},
    {"rlhf", "RLHF"},
    {"rlaif", "RLAIF"},
    {"opt_in", "opt-in"},
    {"opt_out", "opt-out"},
    {"decoder_only_transformer", "decoder-only transformer"},
    {"encoder_decoder_transformer", "encoder-decoder transformer"},
    {"encoder_only_transformer", "encoder-only transformer"},
    {"mixture_of_experts_transformer", "mixture-of-experts transformer"},
    {"state_space", "state-space model"},
    {"fine_tuned_from", "fine-tuned from"},
    {"self_reported", "self-reported"},
    {"third_party", "third-party"},
    {"supervised_fine_tuning", "supervised fine-tuning"},
    {"structured_data", "structured data"},
};

/* An enum value in words: the table above, else '_' read as a space. */
static void
enum_text(struct mf_label_emitter *e, const char *v, bool cap)
{
	char buf[128];
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < sizeof(enum_words) / sizeof(enum_words[0]); i++)
		if (strcmp(v, enum_words[i].value) == 0)
			break;
	if (i < sizeof(enum_words) / sizeof(enum_words[0]))
		snprintf(buf, sizeof(buf), "%s", enum_words[i].text);
	else if (strlen(v) < sizeof(buf))
		snprintf(buf, sizeof(buf), "%s", v);
	else {
		mf_label_text(e, v); /* not an enum of ours: as given */
		return;
	}
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
	if (cap && buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	mf_label_text(e, buf);
}

/* Strings of an array, joined. */
static void
joined(struct mf_label_emitter *e, const json_t *a, const char *sep,
       bool as_enum)
{
	const json_t *v;
	size_t i, n = 0;

	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			continue;
		if (n++ > 0)
			mf_label_text(e, sep);
		if (as_enum)
			enum_text(e, json_string_value(v), false);
		else
			mf_label_text(e, json_string_value(v));
	}
}

/* " (see url, url)" for a fact's references. */
static void
references(struct mf_label_emitter *e, const json_t *refs)
{
	const json_t *v;
	size_t i, n = 0;

	json_array_foreach(refs, i, v)
	{
		if (!json_is_string(v))
			continue;
		mf_label_text(e, n++ == 0 ? " " DASH " see " : ", ");
		mf_label_link(e, json_string_value(v), NULL);
	}
}

/* True when the line break at p is followed by a blank line; *next is
 * then the first character after the run of blank lines. */
static bool
blank_line_follows(const char *p, const char **next)
{
	const char *r = p + 1;

	while (*r == ' ' || *r == '\t' || *r == '\r')
		r++;
	if (*r != '\n')
		return false;
	while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
		r++;
	*next = r;
	return true;
}

/* Text split into paragraphs at blank lines; blank paragraphs vanish. */
static void
paragraphs(struct mf_label_emitter *e, const char *s, const char *cls)
{
	const char *start = s, *p = s, *next = NULL;

	for (;;) {
		if (*p != '\0' &&
		    !(*p == '\n' && blank_line_follows(p, &next))) {
			p++;
			continue;
		}
		if (strspn(start, " \t\r\n") < (size_t)(p - start)) {
			mf_label_open(e, MF_LABEL_EL_PARA, cls);
			mf_label_textn(e, start, (size_t)(p - start));
			mf_label_close(e, MF_LABEL_EL_PARA);
		}
		if (*p == '\0')
			return;
		start = p = next;
	}
}

/* ---- facts ---- */

/* "Withheld: why (see refs)" and the other non-disclosed statuses. */
static void
status_inline(struct mf_label_emitter *e, const json_t *fact)
{
	const char *s = status(fact), *why = str(fact, "explanation");
	const char *word = eq(s, "withheld")         ? "Withheld"
	                   : eq(s, "unknown")        ? "Unknown"
	                   : eq(s, "not_applicable") ? "Not applicable"
	                                             : NULL;

	if (word == NULL) {
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not disclosed");
		return;
	}
	mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL, word);
	if (why != NULL) {
		mf_label_text(e, ": ");
		mf_label_text(e, why);
	}
	references(e, json_object_get(fact, "references"));
}

static void
fact_inline(struct mf_label_emitter *e, const json_t *fact, value_fn fn)
{
	const json_t *v = disclosed_value(fact);

	if (v == NULL) {
		status_inline(e, fact);
		return;
	}
	fn(e, fact, v);
	references(e, json_object_get(fact, "references"));
}

static void
v_text(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *x;
	size_t i;

	(void)fact;
	if (json_is_string(v))
		mf_label_text(e, json_string_value(v));
	else if (json_is_number(v))
		num_exact(e, json_number_value(v));
	else if (json_is_boolean(v))
		mf_label_text(e, json_is_true(v) ? "Yes" : "No");
	else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (i > 0)
				mf_label_text(e, "; ");
			v_text(e, NULL, x);
		}
	} else
		mf_label_text(e, "Disclosed");
}

static void
v_enum(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	if (json_is_string(v))
		enum_text(e, json_string_value(v), true);
	else
		v_text(e, fact, v);
}

static void
v_qty(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *amount = json_object_get(v, "amount");
	const char *note = str(v, "note");

	if (str(fact, "display") != NULL) {
		mf_label_text(e, str(fact, "display"));
	} else if (json_is_number(amount)) {
		num_exact(e, json_number_value(amount));
		mf_label_text(e, " ");
		mf_label_text(e, str(v, "unit"));
	} else {
		v_text(e, fact, v);
	}
	if (note != NULL) {
		mf_label_text(e, " " DASH " ");
		mf_label_text(e, note);
	}
}

static void
v_list(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	(void)fact;
	if (json_is_array(v))
		joined(e, v, "; ", false);
	else
		v_text(e, fact, v);
}

static void
v_langs(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	(void)fact;
	if (json_is_array(v))
		joined(e, v, ", ", false);
	else
		v_text(e, fact, v);
}

static void
v_urls(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *x;
	size_t i, n = 0;

	if (json_is_string(v)) {
		mf_label_link(e, json_string_value(v), NULL);
		return;
	}
	if (!json_is_array(v)) {
		v_text(e, fact, v);
		return;
	}
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			continue;
		if (n++ > 0)
			mf_label_text(e, ", ");
		mf_label_link(e, json_string_value(x), NULL);
	}
}

static void
v_channel(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const char *url = str(v, "url"), *mail = str(v, "email");
	const char *desc = str(v, "description");

	if (!json_is_object(v)) {
		v_text(e, fact, v);
		return;
	}
	if (url != NULL)
		mf_label_link(e, url, NULL);
	if (mail != NULL) {
		mf_label_text(e, url != NULL ? " \xc2\xb7 " : "");
		mf_label_text(e, mail);
	}
	if (desc != NULL) {
		mf_label_text(e,
		              url != NULL || mail != NULL ? " " DASH " " : "");
		mf_label_text(e, desc);
	}
}

static void
v_license(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const char *spdx = str(v, "spdx"), *name = str(v, "name");
	const char *url = str(v, "url");

	if (!json_is_object(v)) {
		v_text(e, fact, v);
		return;
	}
	mf_label_text(e, name != NULL ? name : spdx);
	if (name != NULL && spdx != NULL) {
		mf_label_text(e, " (");
		mf_label_text(e, spdx);
		mf_label_text(e, ")");
	}
	if (url != NULL) {
		mf_label_text(e,
		              name != NULL || spdx != NULL ? " " DASH " " : "");
		mf_label_link(e, url, NULL);
	}
}

static void
v_base_models(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *b;
	size_t i;

	if (!json_is_array(v)) {
		v_text(e, fact, v);
		return;
	}
	json_array_foreach(v, i, b)
	{
		if (i > 0)
			mf_label_text(e, "; ");
		mf_label_text(e, str(b, "name"));
		if (str(b, "version") != NULL) {
			mf_label_text(e, " ");
			mf_label_text(e, str(b, "version"));
		}
		if (str(b, "relation") != NULL) {
			mf_label_text(e, " (");
			enum_text(e, str(b, "relation"), false);
			mf_label_text(e, ")");
		}
		if (str(b, "org") != NULL && str(b, "model") != NULL) {
			mf_label_text(e, " [");
			mf_label_text(e, str(b, "org"));
			mf_label_text(e, "/");
			mf_label_text(e, str(b, "model"));
			mf_label_text(e, "]");
		}
		if (str(b, "url") != NULL) {
			mf_label_text(e, " ");
			mf_label_link(e, str(b, "url"), NULL);
		}
	}
}

static void
v_arch(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	if (str(v, "type") != NULL)
		enum_text(e, str(v, "type"), true);
	else
		v_text(e, fact, v);
}

static void
modality(struct mf_label_emitter *e, const json_t *fact, const json_t *v,
         const char *which)
{
	const json_t *a = json_object_get(v, which);

	if (json_is_array(a))
		joined(e, a, ", ", true);
	else
		v_text(e, fact, v);
}

static void
v_mod_in(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	modality(e, fact, v, "input");
}

static void
v_mod_out(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	modality(e, fact, v, "output");
}

static void
v_hardware(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *count = json_object_get(v, "count");
	char buf[32];

	if (!json_is_object(v)) {
		v_text(e, fact, v);
		return;
	}
	if (json_is_integer(count)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(count));
		mf_label_text(e, buf);
		mf_label_text(e, TIMES);
	}
	mf_label_text(e, str(v, "type"));
	if (str(v, "description") != NULL) {
		mf_label_text(e, " " DASH " ");
		mf_label_text(e, str(v, "description"));
	}
}

static void
v_policy(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	if (!json_is_object(v)) {
		v_text(e, fact, v);
		return;
	}
	mf_label_link(e, str(v, "url"), NULL);
	if (str(v, "summary") != NULL) {
		mf_label_text(e, " " DASH " ");
		mf_label_text(e, str(v, "summary"));
	}
}

static void
v_deprecation(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *days = json_object_get(v, "notice_days");
	const char *sep = "";
	char buf[64];

	if (!json_is_object(v)) {
		v_text(e, fact, v);
		return;
	}
	if (str(v, "policy") != NULL) {
		mf_label_text(e, str(v, "policy"));
		sep = " \xc2\xb7 ";
	}
	if (json_is_integer(days)) {
		snprintf(buf, sizeof(buf),
		         "%snotice period: %" JSON_INTEGER_FORMAT " days", sep,
		         json_integer_value(days));
		mf_label_text(e, buf);
		sep = " \xc2\xb7 ";
	}
	if (str(v, "end_of_support") != NULL) {
		mf_label_text(e, sep);
		mf_label_text(e, "support ends ");
		mf_label_text(e, str(v, "end_of_support"));
	}
}

static void
v_red_team(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	if (!json_is_object(v)) {
		v_text(e, fact, v);
		return;
	}
	mf_label_text(e, json_is_true(json_object_get(v, "performed"))
	                     ? "Performed"
	                     : "Not performed");
	if (json_is_true(json_object_get(v, "external")))
		mf_label_text(e, ", with external testers");
	if (str(v, "description") != NULL) {
		mf_label_text(e, ": ");
		mf_label_text(e, str(v, "description"));
	}
	if (str(v, "url") != NULL) {
		mf_label_text(e, " ");
		mf_label_link(e, str(v, "url"), NULL);
	}
}

static void
v_systemic(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const char *c = str(v, "classification");

	if (c == NULL) {
		v_text(e, fact, v);
		return;
	}
	mf_label_text(e, eq(c, "yes")  ? "Classified as having systemic risk"
	                 : eq(c, "no") ? "Not classified as having systemic "
	                                 "risk"
	                               : "Classification undetermined");
	if (str(v, "rationale") != NULL) {
		mf_label_text(e, ": ");
		mf_label_text(e, str(v, "rationale"));
	}
}

/* ---- blocks ---- */

static void
heading(struct mf_label_emitter *e, enum mf_label_el level, const char *s)
{
	mf_label_wrap(e, level, NULL, s);
}

static void
empty_note(struct mf_label_emitter *e, const char *s)
{
	mf_label_open(e, MF_LABEL_EL_PARA, NULL);
	mf_label_wrap(e, MF_LABEL_EL_EM, NULL, s);
	mf_label_close(e, MF_LABEL_EL_PARA);
}

/* Opens a table with class cls and a header row of the titles head[]. */
static void
table_begin(struct mf_label_emitter *e, const char *cls,
            const char *const *head)
{
	mf_label_open(e, MF_LABEL_EL_TABLE, cls);
	mf_label_open(e, MF_LABEL_EL_HEADROW, NULL);
	for (; *head != NULL; head++)
		mf_label_wrap(e, MF_LABEL_EL_TH, NULL, *head);
	mf_label_close(e, MF_LABEL_EL_HEADROW);
}

static void
kv_begin(struct mf_label_emitter *e, const char *what)
{
	const char *const head[] = {what, "", NULL};

	table_begin(e, "kv", head);
}

static void
kv_end(struct mf_label_emitter *e)
{
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

static void
row_begin(struct mf_label_emitter *e, const char *label)
{
	mf_label_open(e, MF_LABEL_EL_ROW, NULL);
	mf_label_wrap(e, MF_LABEL_EL_TH, NULL, label);
	mf_label_open(e, MF_LABEL_EL_TD, NULL);
}

static void
row_end(struct mf_label_emitter *e)
{
	mf_label_close(e, MF_LABEL_EL_TD);
	mf_label_close(e, MF_LABEL_EL_ROW);
}

static void
kv_fact(struct mf_label_emitter *e, const char *label, const json_t *fact,
        value_fn fn)
{
	row_begin(e, label);
	fact_inline(e, fact, fn);
	row_end(e);
}

static void
kv_text(struct mf_label_emitter *e, const char *label, const char *s)
{
	row_begin(e, label);
	if (s != NULL)
		mf_label_text(e, s);
	else
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not recorded");
	row_end(e);
}

static void
kv_code(struct mf_label_emitter *e, const char *label, const char *s)
{
	row_begin(e, label);
	if (s != NULL)
		mf_label_code(e, s);
	else
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not recorded");
	row_end(e);
}

static void
kv_link(struct mf_label_emitter *e, const char *label, const char *url)
{
	if (url == NULL)
		return;
	row_begin(e, label);
	mf_label_link(e, url, NULL);
	row_end(e);
}

enum shape { AS_INLINE, AS_LIST, AS_PARAGRAPHS };

/* A titled fact in a section: a list, paragraphs or one line. */
static void
fact_block(struct mf_label_emitter *e, const char *title, const json_t *fact,
           value_fn fn, enum shape shape)
{
	const json_t *v = disclosed_value(fact), *x;
	size_t i;

	heading(e, MF_LABEL_EL_H3, title);
	if (v != NULL && shape == AS_LIST && json_is_array(v) &&
	    json_array_size(v) > 0) {
		mf_label_open(e, MF_LABEL_EL_LIST, NULL);
		json_array_foreach(v, i, x)
		{
			mf_label_open(e, MF_LABEL_EL_ITEM, NULL);
			v_text(e, NULL, x);
			mf_label_close(e, MF_LABEL_EL_ITEM);
		}
		mf_label_close(e, MF_LABEL_EL_LIST);
		if (json_array_size(json_object_get(fact, "references")) > 0) {
			mf_label_open(e, MF_LABEL_EL_PARA, NULL);
			mf_label_text(e, "References:");
			references(e, json_object_get(fact, "references"));
			mf_label_close(e, MF_LABEL_EL_PARA);
		}
		return;
	}
	if (v != NULL && shape == AS_PARAGRAPHS && json_is_string(v) &&
	    json_array_size(json_object_get(fact, "references")) == 0 &&
	    strspn(json_string_value(v), " \t\r\n") < json_string_length(v)) {
		paragraphs(e, json_string_value(v), NULL);
		return;
	}
	mf_label_open(e, MF_LABEL_EL_PARA, NULL);
	fact_inline(e, fact, fn);
	mf_label_close(e, MF_LABEL_EL_PARA);
}

static void
section_begin(struct mf_label_emitter *e, const char *cls, const char *title)
{
	mf_label_open(e, MF_LABEL_EL_SECTION, cls);
	heading(e, MF_LABEL_EL_H2, title);
}

static void
section_end(struct mf_label_emitter *e)
{
	mf_label_close(e, MF_LABEL_EL_SECTION);
}

/* ---- sections ---- */

static void
registry_version(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *n = at(label, "/registry/version");
	const json_t *m = at(label, "/registry/latest_version");
	char buf[128];

	if (!json_is_integer(n)) {
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not recorded");
		return;
	}
	if (!json_is_integer(m))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(n));
	else if (json_integer_value(n) == json_integer_value(m))
		snprintf(buf, sizeof(buf),
		         "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
		         ", the latest",
		         json_integer_value(n), json_integer_value(m));
	else
		snprintf(buf, sizeof(buf),
		         "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
		         ", superseded",
		         json_integer_value(n), json_integer_value(m));
	mf_label_text(e, buf);
}

static void
title(struct mf_label_emitter *e, const json_t *label)
{
	const char *org = str(at(label, "/subject"), "org");
	const char *model = str(at(label, "/subject"), "model");

	mf_label_open(e, MF_LABEL_EL_TITLE, NULL);
	mf_label_text(e, "Model Facts: ");
	mf_label_text(e, mf_label_layout_name(label));
	mf_label_close(e, MF_LABEL_EL_TITLE);
	mf_label_open(e, MF_LABEL_EL_PARA, "subtitle");
	mf_label_open(e, MF_LABEL_EL_STRONG, NULL);
	mf_label_text(e, org != NULL ? org : "?");
	mf_label_text(e, "/");
	mf_label_text(e, model != NULL ? model : "?");
	mf_label_close(e, MF_LABEL_EL_STRONG);
	if (assessment_only(label)) {
		mf_label_text(e, " \xc2\xb7 no disclosure");
	} else {
		mf_label_text(e, " \xc2\xb7 registry version ");
		registry_version(e, label);
	}
	if (str(at(label, "/registry"), "origin") != NULL) {
		mf_label_text(e, " \xc2\xb7 ");
		mf_label_text(e, str(at(label, "/registry"), "origin"));
	}
	mf_label_close(e, MF_LABEL_EL_PARA);
}

static void
identity(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *id = at(label, "/identity");
	const char *org = str(at(label, "/subject"), "org");
	const char *model = str(at(label, "/subject"), "model");

	section_begin(e, "identity", "Identity");
	kv_begin(e, "Identity");
	kv_text(e, "Model", mf_label_layout_name(label));
	kv_fact(e, "Developer", at(id, "/developer"), v_text);
	row_begin(e, "Registry id");
	mf_label_text(e, org != NULL ? org : "?");
	mf_label_text(e, "/");
	mf_label_text(e, model != NULL ? model : "?");
	row_end(e);
	kv_fact(e, "Model version", at(id, "/model_version"), v_text);
	row_begin(e, "Registry version");
	registry_version(e, label);
	row_end(e);
	kv_fact(e, "Release date", at(id, "/release_date"), v_text);
	kv_fact(e, "Release stage", at(id, "/release_stage"), v_enum);
	kv_fact(e, "Base models", at(id, "/base_models"), v_base_models);
	kv_fact(e, "License", at(id, "/license"), v_license);
	kv_fact(e, "Access", at(id, "/access"), v_enum);
	kv_fact(e, "Documentation", at(id, "/documentation"), v_urls);
	kv_end(e);
	fact_block(e, "Description", at(id, "/description"), v_text,
	           AS_PARAGRAPHS);
	section_end(e);
}

static bool
same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
training_period(struct mf_label_emitter *e, const json_t *kf)
{
	const json_t *s = at(kf, "/training_start"),
	             *t = at(kf, "/training_end");

	row_begin(e, "Training period");
	if (json_is_string(disclosed_value(s)) &&
	    json_is_string(disclosed_value(t))) {
		mf_label_text(e, json_string_value(disclosed_value(s)));
		mf_label_text(e, " to ");
		mf_label_text(e, json_string_value(disclosed_value(t)));
	} else if (eq(status(s), status(t)) && !eq(status(s), "disclosed") &&
	           same_text(str(s, "explanation"), str(t, "explanation"))) {
		status_inline(e, s);
	} else {
		mf_label_text(e, "Start: ");
		fact_inline(e, s, v_text);
		mf_label_text(e, "; end: ");
		fact_inline(e, t, v_text);
	}
	row_end(e);
}

static void
key_facts(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *kf = at(label, "/key_facts");
	const json_t *arch = disclosed_value(at(kf, "/architecture"));

	section_begin(e, "facts", "Key facts");
	kv_begin(e, "Fact");
	kv_fact(e, "Parameters", at(kf, "/parameters"), v_qty);
	kv_fact(e, "Active parameters", at(kf, "/active_parameters"), v_qty);
	kv_fact(e, "Architecture", at(kf, "/architecture"), v_arch);
	kv_fact(e, "Context window", at(kf, "/context_window"), v_qty);
	kv_fact(e, "Maximum output", at(kf, "/max_output"), v_qty);
	kv_fact(e, "Input modalities", at(kf, "/modalities"), v_mod_in);
	kv_fact(e, "Output modalities", at(kf, "/modalities"), v_mod_out);
	kv_fact(e, "Training data size", at(kf, "/training_data_size"), v_qty);
	kv_fact(e, "Training compute", at(kf, "/training_compute"), v_qty);
	kv_fact(e, "Hardware", at(kf, "/hardware"), v_hardware);
	kv_fact(e, "Accelerator hours", at(kf, "/accelerator_hours"), v_qty);
	kv_fact(e, "Training duration", at(kf, "/training_duration"), v_qty);
	kv_fact(e, "Energy", at(kf, "/energy"), v_qty);
	kv_fact(e, "Emissions", at(kf, "/emissions"), v_qty);
	training_period(e, kf);
	kv_fact(e, "Data cutoff", at(kf, "/data_cutoff"), v_text);
	kv_fact(e, "Languages", at(kf, "/languages"), v_langs);
	kv_end(e);
	if (str(arch, "description") != NULL) {
		mf_label_open(e, MF_LABEL_EL_PARA, NULL);
		mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL, "Architecture:");
		mf_label_text(e, " ");
		mf_label_text(e, str(arch, "description"));
		mf_label_close(e, MF_LABEL_EL_PARA);
	}
	section_end(e);
}

/* ---- judgements ---- */

static const json_t *
find_by_id(const json_t *list, const char *id)
{
	const json_t *x;
	size_t i;

	json_array_foreach(list, i, x)
	{
		if (id != NULL && eq(str(x, "id"), id))
			return x;
	}
	return NULL;
}

/*
 * A judge's met/assessed: indicators a judge did not assess (an
 * assessor grading a few indicators of an index) are left out of the
 * denominator rather than counted as failures; the label says how many
 * there were. *total is set to the denominator.
 */
static void
ratio_judged(struct mf_label_emitter *e, const json_t *t, json_int_t *total)
{
	json_int_t met = json_integer_value(json_object_get(t, "score"));
	json_int_t max = json_integer_value(json_object_get(t, "max"));
	json_int_t un = json_integer_value(json_object_get(t, "unassessed"));
	char buf[64];

	*total = max - un > 0 ? max - un : 0;
	if (max > 0 && *total == 0) {
		mf_label_text(e, "not assessed");
		return;
	}
	snprintf(buf, sizeof(buf),
	         "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT, met, *total);
	mf_label_text(e, buf);
}

/* Rows a list of indicators shows before it folds by subdomain. */
#define FOLD_AFTER 10

static bool
is_auto(const json_t *j)
{
	return json_is_true(json_object_get(j, "automatic"));
}

/* The index as readers know it, with its id when the name differs. */
static void
index_title(struct mf_label_emitter *e, const json_t *g)
{
	const char *id = str(g, "index"), *name = str(g, "index_name");

	if (name != NULL && *name != '\0' && !eq(name, id)) {
		mf_label_text(e, name);
		mf_label_text(e, " (");
		mf_label_text(e, id != NULL ? id : "?");
		mf_label_text(e, ")");
	} else {
		mf_label_text(e, id != NULL ? id : "Unnamed index");
	}
}

/* A judge in a few words: column heads and per-indicator lines. */
static const char *
judge_short(const json_t *j)
{
	const char *name = str(j, "judge_name");

	if (is_auto(j))
		return "Automatic check";
	if (name != NULL && *name != '\0')
		return name;
	return str(j, "judge") != NULL ? str(j, "judge") : "Assessor";
}

static const json_t *
judge_of(const json_t *g, const char *judge)
{
	const json_t *j;
	size_t i;

	json_array_foreach(json_object_get(g, "judges"), i, j)
	{
		if (eq(str(j, "judge"), judge))
			return j;
	}
	return NULL;
}

/* The day of an RFC 3339 time, which is what a reader needs here (the
 * full time is in label.json); anything else as given. */
static void
day(struct mf_label_emitter *e, const char *at)
{
	size_t i;

	if (at == NULL) {
		mf_label_text(e, "date not recorded");
		return;
	}
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? at[i] != '-'
		                     : !(at[i] >= '0' && at[i] <= '9'))
			break;
	if (i == 10)
		mf_label_textn(e, at, 10);
	else
		mf_label_text(e, at);
}

static const char *
first_str(const json_t *o, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		if (str(o, *keys) != NULL && *str(o, *keys) != '\0')
			return str(o, *keys);
	return NULL;
}

/*
 * "Transcribed from <data set> <edition>, <file>, row <n>, prepared by
 * <who>; <license>: <attribution>" for a transcribed document's source
 * object (label.h); a source that is only a URL is a link.
 */
static void
source_text(struct mf_label_emitter *e, const json_t *src)
{
	static const char *const what[] = {"title", "name", "dataset",
	                                   "data_set", NULL};
	static const char *const who[] = {"prepared_by", "author", "authors",
	                                  "written_by", NULL};
	const json_t *row = json_object_get(src, "row") != NULL
	                        ? json_object_get(src, "row")
	                        : json_object_get(src, "rows");
	const char *w;
	char buf[32];

	if (json_is_string(src)) {
		mf_label_text(e, "Source: ");
		mf_label_link(e, json_string_value(src), NULL);
		mf_label_text(e, ".");
		return;
	}
	if (!json_is_object(src))
		return;
	mf_label_text(e, "Transcribed from ");
	w = first_str(src, what);
	mf_label_text(e, w != NULL ? w : "another publication");
	if (str(src, "edition") != NULL) {
		mf_label_text(e, " ");
		mf_label_text(e, str(src, "edition"));
	}
	if (str(src, "file") != NULL) {
		mf_label_text(e, ", ");
		mf_label_text(e, str(src, "file"));
	}
	if (json_is_integer(row)) {
		snprintf(buf, sizeof(buf), ", row %" JSON_INTEGER_FORMAT,
		         json_integer_value(row));
		mf_label_text(e, buf);
	} else if (json_is_string(row)) {
		mf_label_text(e, strpbrk(json_string_value(row), "-,") != NULL
		                     ? ", rows "
		                     : ", row ");
		mf_label_text(e, json_string_value(row));
	}
	if ((w = first_str(src, who)) != NULL) {
		mf_label_text(e, ", prepared by ");
		mf_label_text(e, w);
	}
	if (str(src, "url") != NULL) {
		mf_label_text(e, " ");
		mf_label_link(e, str(src, "url"), NULL);
	}
	if (str(src, "license") != NULL) {
		mf_label_text(e, "; ");
		mf_label_text(e, str(src, "license"));
	}
	if ((w = str(src, "attribution")) != NULL) {
		mf_label_text(e, str(src, "license") != NULL ? ": " : "; ");
		mf_label_text(e, w);
		if (*w != '\0' && w[strlen(w) - 1] == '.')
			return; /* the credit line ends the sentence itself */
	}
	mf_label_text(e, ".");
}

/*
 * Under the title of a transcribed disclosure: whose words these are, who
 * signed them, and the credit the source's license asks for.
 */
static void
transcription_notice(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *tf = at(label, "/provenance/transcribed_from");
	const json_t *signers = at(label, "/provenance/signed_by");

	if (!json_is_object(tf))
		return;
	mf_label_open(e, MF_LABEL_EL_PARA, "transcribed");
	source_text(e, tf);
	mf_label_text(e, " Signed by this registry\xe2\x80\x99s curator");
	if (json_is_array(signers) && json_array_size(signers) > 0 &&
	    json_is_string(json_array_get(signers, 0))) {
		mf_label_text(e, " (key ");
		mf_label_text(e, json_string_value(json_array_get(signers, 0)));
		mf_label_text(e, ")");
	}
	mf_label_text(e, ", not by the organisation whose words these are.");
	mf_label_close(e, MF_LABEL_EL_PARA);
}

/* Two lines per judgement: the score, then who judged, when, and from
 * what. */
static void
headline_judge(struct mf_label_emitter *e, const json_t *g, const json_t *j)
{
	const json_t *li = json_object_get(j, "log_index");
	json_int_t max = json_integer_value(json_object_get(j, "max"));
	json_int_t un = json_integer_value(json_object_get(j, "unassessed"));
	json_int_t na =
	    json_integer_value(json_object_get(j, "not_applicable"));
	json_int_t total;
	char buf[160];

	mf_label_open(e, MF_LABEL_EL_PARA, "total");
	mf_label_open(e, MF_LABEL_EL_STRONG, NULL);
	index_title(e, g);
	mf_label_text(e, ": ");
	ratio_judged(e, j, &total);
	mf_label_close(e, MF_LABEL_EL_STRONG);
	mf_label_text(e, " met ");
	mf_label_bar(e, json_integer_value(json_object_get(j, "score")), total);
	mf_label_close(e, MF_LABEL_EL_PARA);
	mf_label_open(e, MF_LABEL_EL_PARA, "who");
	if (is_auto(j)) {
		mf_label_text(e, "By the ");
		mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL,
		              "automatic registry check");
		mf_label_text(e, ", rules applied to the signed disclosure, ");
	} else {
		mf_label_text(e, "By ");
		mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL, judge_short(j));
		if (str(j, "judge") != NULL &&
		    !eq(str(j, "judge"), judge_short(j))) {
			mf_label_text(e, " (");
			mf_label_text(e, str(j, "judge"));
			mf_label_text(e, ")");
		}
		mf_label_text(e, ", assessor, in a signed assessment, ");
	}
	day(e, str(j, "at"));
	if (json_is_integer(li)) {
		snprintf(buf, sizeof(buf), ", log entry %" JSON_INTEGER_FORMAT,
		         json_integer_value(li));
		mf_label_text(e, buf);
	}
	mf_label_text(e, ".");
	if (max == 0)
		mf_label_text(e,
		              " No indicator applies, so there is no score.");
	if (un > 0) {
		snprintf(buf, sizeof(buf),
		         " Assessed %" JSON_INTEGER_FORMAT
		         " of the %" JSON_INTEGER_FORMAT
		         " indicators; the other %" JSON_INTEGER_FORMAT
		         " are not counted.",
		         max - un, max, un);
		mf_label_text(e, buf);
	}
	if (na > 0) {
		snprintf(buf, sizeof(buf),
		         " %" JSON_INTEGER_FORMAT " not applicable.", na);
		mf_label_text(e, buf);
	}
	if (!json_is_null(json_object_get(j, "source")) &&
	    json_object_get(j, "source") != NULL) {
		mf_label_text(e, " ");
		source_text(e, json_object_get(j, "source"));
	}
	mf_label_close(e, MF_LABEL_EL_PARA);
}

/* Which rows a table or fold takes. */
enum pick {
	PICK_DISAGREE, /* the disagreements */
	PICK_REST,     /* everything else */
};

static bool
picked(const json_t *ind, enum pick p)
{
	return json_is_true(json_object_get(ind, "disagreement")) ==
	       (p == PICK_DISAGREE);
}

static size_t
count_picked(const json_t *inds, enum pick p)
{
	const json_t *ind;
	size_t i, n = 0;

	json_array_foreach(inds, i, ind) n += picked(ind, p);
	return n;
}

/* Said on the first screen: the judges of an index do not agree. */
static void
disagreement_note(struct mf_label_emitter *e, const json_t *g)
{
	size_t n =
	    count_picked(json_object_get(g, "indicators"), PICK_DISAGREE);
	char buf[160];

	if (n == 0)
		return;
	mf_label_open(e, MF_LABEL_EL_PARA, "who");
	snprintf(buf, sizeof(buf),
	         "The automatic check and an assessor disagree on %zu "
	         "indicator%s of ",
	         n, n == 1 ? "" : "s");
	mf_label_open(e, MF_LABEL_EL_STRONG, NULL);
	mf_label_text(e, buf);
	index_title(e, g);
	mf_label_close(e, MF_LABEL_EL_STRONG);
	mf_label_text(e, ": see Transparency by indicator.");
	mf_label_close(e, MF_LABEL_EL_PARA);
}

/* The first screen: every index that judged this version, its score by
 * each judge, assessors first. */
static void
headline(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *groups = at(label, "/judgements"), *g, *j;
	const char *live = str(at(label, "/registry/links"), "judgements");
	size_t i, k;

	section_begin(e, "headline", "Transparency, according to whom");
	if (json_array_size(groups) == 0)
		empty_note(e, "Not judged yet.");
	json_array_foreach(groups, i, g)
	{
		json_array_foreach(json_object_get(g, "judges"), k, j)
		    headline_judge(e, g, j);
		disagreement_note(e, g);
	}
	if (live != NULL) {
		mf_label_open(e, MF_LABEL_EL_PARA, "small");
		mf_label_text(e, "Every judgement of this version, including "
		                 "any made after this label: ");
		mf_label_link(e, live, NULL);
		mf_label_close(e, MF_LABEL_EL_PARA);
	}
	section_end(e);
}

/* A domain's or subdomain's met/max for one judge, with a bar for a
 * domain. */
static void
domain_cell(struct mf_label_emitter *e, const json_t *j, const char *dom,
            const char *sub)
{
	const json_t *t = find_by_id(json_object_get(j, "domains"), dom);
	json_int_t total;

	if (sub != NULL)
		t = find_by_id(json_object_get(t, "subdomains"), sub);
	mf_label_open(e, MF_LABEL_EL_TD, "num");
	if (t == NULL) {
		mf_label_text(e, DASH);
	} else {
		ratio_judged(e, t, &total);
		if (sub == NULL && total > 0) {
			mf_label_text(e, " ");
			mf_label_bar(
			    e, json_integer_value(json_object_get(t, "score")),
			    total);
		}
	}
	mf_label_close(e, MF_LABEL_EL_TD);
}

static void
domain_name(struct mf_label_emitter *e, const json_t *t, bool sub)
{
	mf_label_open(e, MF_LABEL_EL_TH, sub ? "sub" : NULL);
	if (sub)
		mf_label_text(e, SUB);
	mf_label_text(e,
	              str(t, "name") != NULL ? str(t, "name") : str(t, "id"));
	mf_label_close(e, MF_LABEL_EL_TH);
}

/* Domains and subdomains down, the index's judges across. */
static void
domains_table(struct mf_label_emitter *e, const json_t *g)
{
	const json_t *judges = json_object_get(g, "judges"), *j, *d, *sub;
	const json_t *first = json_array_get(judges, 0);
	size_t i, k, m;

	if (json_array_size(json_object_get(first, "domains")) == 0)
		return;
	mf_label_open(e, MF_LABEL_EL_TABLE, "score");
	mf_label_open(e, MF_LABEL_EL_HEADROW, NULL);
	mf_label_wrap(e, MF_LABEL_EL_TH, NULL, "Domain");
	json_array_foreach(judges, k, j)
	    mf_label_wrap(e, MF_LABEL_EL_TH, NULL, judge_short(j));
	mf_label_close(e, MF_LABEL_EL_HEADROW);
	json_array_foreach(json_object_get(first, "domains"), i, d)
	{
		mf_label_open(e, MF_LABEL_EL_ROW, NULL);
		domain_name(e, d, false);
		json_array_foreach(judges, k, j)
		    domain_cell(e, j, str(d, "id"), NULL);
		mf_label_close(e, MF_LABEL_EL_ROW);
		json_array_foreach(json_object_get(d, "subdomains"), m, sub)
		{
			mf_label_open(e, MF_LABEL_EL_ROW, NULL);
			domain_name(e, sub, true);
			json_array_foreach(judges, k, j)
			    domain_cell(e, j, str(d, "id"), str(sub, "id"));
			mf_label_close(e, MF_LABEL_EL_ROW);
		}
	}
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

/* The domain and subdomain of an indicator, from the index's first
 * judge; NULL when it names one the index does not have. */
static const json_t *
subdomain_of(const json_t *g, const json_t *ind, const json_t **dom)
{
	const json_t *first = json_array_get(json_object_get(g, "judges"), 0);

	*dom =
	    find_by_id(json_object_get(first, "domains"), str(ind, "domain"));
	return find_by_id(json_object_get(*dom, "subdomains"),
	                  str(ind, "subdomain"));
}

static void
area(struct mf_label_emitter *e, const json_t *g, const json_t *ind)
{
	const json_t *d, *sd = subdomain_of(g, ind, &d);

	mf_label_text(e, d != NULL && str(d, "name") != NULL
	                     ? str(d, "name")
	                     : str(ind, "domain"));
	mf_label_text(e, " \xe2\x80\xba ");
	mf_label_text(e, sd != NULL && str(sd, "name") != NULL
	                     ? str(sd, "name")
	                     : str(ind, "subdomain"));
}

/* Each judge's result on one indicator, with its justification or the
 * rule's reason, and the evidence links. */
static void
judgements_cell(struct mf_label_emitter *e, const json_t *g, const json_t *ind)
{
	const json_t *list = json_object_get(ind, "judgements"), *x;
	bool many = json_array_size(json_object_get(g, "judges")) > 1;
	bool assessed = false;
	const char *why;
	size_t i, n = 0;

	json_array_foreach(list, i, x)
	{
		if (!eq(str(x, "result"), "unassessed"))
			assessed = true;
	}
	mf_label_open(e, MF_LABEL_EL_TD, NULL);
	if (json_is_true(json_object_get(ind, "disagreement")))
		mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL, "Disagreement:");
	json_array_foreach(list, i, x)
	{
		if (assessed && eq(str(x, "result"), "unassessed"))
			continue;
		mf_label_text(e, n++ > 0 ? " \xc2\xb7 " : " ");
		if (many) {
			mf_label_wrap(
			    e, MF_LABEL_EL_STRONG, NULL,
			    judge_short(judge_of(g, str(x, "judge"))));
			mf_label_text(e, ": ");
		}
		enum_text(e, str(x, "result"), !many);
		why = str(x, "justification") != NULL ? str(x, "justification")
		                                      : str(x, "reason");
		if (why != NULL) {
			mf_label_text(e, " " DASH " ");
			mf_label_text(e, why);
		}
		references(e, json_object_get(x, "references"));
	}
	if (n == 0)
		mf_label_text(e, DASH);
	mf_label_close(e, MF_LABEL_EL_TD);
}

static void
indicator_row(struct mf_label_emitter *e, const json_t *g, const json_t *ind,
              bool with_area)
{
	mf_label_open(e, MF_LABEL_EL_ROW,
	              json_is_true(json_object_get(ind, "disagreement"))
	                  ? "disagree"
	                  : NULL);
	mf_label_open(e, MF_LABEL_EL_TD, NULL);
	mf_label_text(e, str(ind, "name") != NULL ? str(ind, "name")
	                                          : str(ind, "id"));
	mf_label_text(e, " \xc2\xb7 ");
	mf_label_code(e, str(ind, "id"));
	mf_label_close(e, MF_LABEL_EL_TD);
	if (with_area) {
		mf_label_open(e, MF_LABEL_EL_TD, NULL);
		area(e, g, ind);
		mf_label_close(e, MF_LABEL_EL_TD);
	}
	judgements_cell(e, g, ind);
	mf_label_close(e, MF_LABEL_EL_ROW);
}

static void
indicator_table(struct mf_label_emitter *e, const json_t *g, enum pick p)
{
	static const char *const head[] = {"Indicator", "Area", "Judgements",
	                                   NULL};
	const json_t *ind;
	size_t i;

	table_begin(e, "unmet", head);
	json_array_foreach(json_object_get(g, "indicators"), i, ind)
	{
		if (picked(ind, p))
			indicator_row(e, g, ind, true);
	}
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

/* True when ind belongs in the fold of (d, sd); a NULL sd takes the
 * indicators no subdomain of the index claims. */
static bool
in_fold(const json_t *g, const json_t *ind, const json_t *sd)
{
	const char *sid = str(sd, "id");
	const json_t *d, *own;

	/* the subdomain's id first (a subdomain without one is never an
	 * indicator's): resolving every indicator's place for every fold
	 * made this the label's hot spot */
	if (sid == NULL || !eq(str(ind, "subdomain"), sid))
		return false;
	own = subdomain_of(g, ind, &d);
	return picked(ind, PICK_REST) && own == sd;
}

/* One subdomain's rows behind a line that names them. */
static void
fold(struct mf_label_emitter *e, const json_t *g, const json_t *d,
     const json_t *sd)
{
	static const char *const head[] = {"Indicator", "Judgements", NULL};
	const json_t *inds = json_object_get(g, "indicators"), *ind;
	char buf[32];
	size_t i, n = 0;

	json_array_foreach(inds, i, ind) n += in_fold(g, ind, sd);
	if (n == 0)
		return;
	mf_label_open(e, MF_LABEL_EL_ITEM, NULL);
	mf_label_open(e, MF_LABEL_EL_FOLD, "fold");
	mf_label_open(e, MF_LABEL_EL_FOLD_SUMMARY, NULL);
	mf_label_open(e, MF_LABEL_EL_STRONG, NULL);
	if (sd != NULL) {
		mf_label_text(e, str(d, "name") != NULL ? str(d, "name")
		                                        : str(d, "id"));
		mf_label_text(e, " \xe2\x80\xba ");
		mf_label_text(e, str(sd, "name") != NULL ? str(sd, "name")
		                                         : str(sd, "id"));
	} else {
		mf_label_text(e, "Other indicators");
	}
	mf_label_close(e, MF_LABEL_EL_STRONG);
	snprintf(buf, sizeof(buf), " (%zu): ", n);
	mf_label_text(e, buf);
	n = 0;
	json_array_foreach(inds, i, ind)
	{
		if (!in_fold(g, ind, sd))
			continue;
		if (n++ > 0)
			mf_label_text(e, "; ");
		mf_label_text(e, str(ind, "name") != NULL ? str(ind, "name")
		                                          : str(ind, "id"));
	}
	mf_label_close(e, MF_LABEL_EL_FOLD_SUMMARY);
	table_begin(e, "unmet", head);
	json_array_foreach(inds, i, ind)
	{
		if (in_fold(g, ind, sd))
			indicator_row(e, g, ind, false);
	}
	mf_label_close(e, MF_LABEL_EL_TABLE);
	mf_label_close(e, MF_LABEL_EL_FOLD);
	mf_label_close(e, MF_LABEL_EL_ITEM);
}

/* A long list, folded by subdomain in index order. */
static void
folds(struct mf_label_emitter *e, const json_t *g)
{
	const json_t *first = json_array_get(json_object_get(g, "judges"), 0);
	const json_t *d, *sd;
	size_t i, k;

	mf_label_open(e, MF_LABEL_EL_PARA, "small");
	mf_label_text(e, "Folded by subdomain: each line names its "
	                 "indicators; the judgements behind them are in the "
	                 "HTML label (open a line) and in label.json.");
	mf_label_close(e, MF_LABEL_EL_PARA);
	mf_label_open(e, MF_LABEL_EL_LIST, "folds");
	json_array_foreach(json_object_get(first, "domains"), i, d)
	{
		json_array_foreach(json_object_get(d, "subdomains"), k, sd)
		    fold(e, g, d, sd);
	}
	fold(e, g, NULL, NULL);
	mf_label_close(e, MF_LABEL_EL_LIST);
}

/* The indicators of one index that a judge did not find met, or that
 * the automatic check and an assessor judged differently. */
static void
index_indicators(struct mf_label_emitter *e, const json_t *g)
{
	const json_t *inds = json_object_get(g, "indicators");
	size_t n_dis = count_picked(inds, PICK_DISAGREE);
	size_t n_rest = count_picked(inds, PICK_REST);
	const json_t *ind, *x;
	bool unassessed = false;
	char buf[128];
	size_t i, k;

	if (n_dis > 0) {
		mf_label_open(e, MF_LABEL_EL_PARA, NULL);
		snprintf(buf, sizeof(buf),
		         "The automatic check and an assessor disagree: %zu",
		         n_dis);
		mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL, buf);
		mf_label_close(e, MF_LABEL_EL_PARA);
		indicator_table(e, g, PICK_DISAGREE);
	}
	json_array_foreach(inds, i, ind)
	{
		json_array_foreach(json_object_get(ind, "judgements"), k, x)
		{
			if (!eq(str(x, "result"), "unassessed"))
				break;
		}
		if (k == json_array_size(json_object_get(ind, "judgements")))
			unassessed = true;
	}
	mf_label_open(e, MF_LABEL_EL_PARA, NULL);
	snprintf(buf, sizeof(buf), "%s: %zu",
	         unassessed ? "Not met or not assessed" : "Not met", n_rest);
	mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL, buf);
	mf_label_close(e, MF_LABEL_EL_PARA);
	if (n_rest == 0)
		empty_note(e, n_dis == 0 ? "None: every judge found every "
		                           "applicable indicator met."
		                         : "None besides the disagreements.");
	else if (n_rest <= FOLD_AFTER)
		indicator_table(e, g, PICK_REST);
	else
		folds(e, g);
}

/* Per index: its domains side by side for each judge, then the
 * indicators not met. */
static void
judgement_details(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *groups = at(label, "/judgements"), *g, *first;
	size_t i;

	if (json_array_size(groups) == 0)
		return;
	section_begin(e, "score", "Transparency by indicator");
	json_array_foreach(groups, i, g)
	{
		first = json_array_get(json_object_get(g, "judges"), 0);
		mf_label_open(e, MF_LABEL_EL_H3, NULL);
		index_title(e, g);
		if (str(first, "index_version") != NULL) {
			mf_label_text(e, ", version ");
			mf_label_text(e, str(first, "index_version"));
		}
		mf_label_close(e, MF_LABEL_EL_H3);
		domains_table(e, g);
		index_indicators(e, g);
	}
	section_end(e);
}

/* The assessors of an assessment-only model, each once, in the order
 * the label shows them. */
static void
assessed_by(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *groups = at(label, "/judgements"), *g, *j, *g2, *j2;
	size_t i, k, i2, k2, n = 0;
	bool dup;

	json_array_foreach(groups, i, g)
	{
		json_array_foreach(json_object_get(g, "judges"), k, j)
		{
			if (is_auto(j))
				continue;
			dup = false;
			json_array_foreach(groups, i2, g2)
			{
				json_array_foreach(
				    json_object_get(g2, "judges"), k2, j2)
				{
					if ((i2 < i || (i2 == i && k2 < k)) &&
					    !is_auto(j2) &&
					    eq(str(j2, "judge"),
					       str(j, "judge")))
						dup = true;
				}
			}
			if (dup)
				continue;
			if (n++ > 0)
				mf_label_text(e, ", ");
			mf_label_wrap(e, MF_LABEL_EL_STRONG, NULL,
			              judge_short(j));
		}
	}
	if (n == 0)
		mf_label_text(e, "nobody yet");
}

static void
assessment_only_notice(struct mf_label_emitter *e, const json_t *label)
{
	mf_label_open(e, MF_LABEL_EL_PARA, "notice");
	mf_label_text(e, "No disclosure from the developer; assessed by ");
	assessed_by(e, label);
	mf_label_text(e, ".");
	mf_label_close(e, MF_LABEL_EL_PARA);
}

/*
 * Assessments signed only by a key reported compromised (migrations/0010):
 * they judge no more, and the label says whose and since when.
 */
static void
compromised_assessments(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *arr = json_object_get(label, "compromised_assessments");
	const json_t *a, *c;
	size_t i;

	json_array_foreach(arr, i, a)
	{
		c = json_object_get(a, "compromised");
		mf_label_open(e, MF_LABEL_EL_PARA, "notice");
		mf_label_text(e, "An assessment by ");
		mf_label_text(e, str(a, "assessor") != NULL ? str(a, "assessor")
		                                            : DASH);
		mf_label_text(e, " (");
		mf_label_text(e,
		              str(a, "index") != NULL ? str(a, "index") : DASH);
		mf_label_text(e, ") is signed by a key reported compromised "
		                 "since ");
		mf_label_text(e,
		              str(c, "since") != NULL ? str(c, "since") : DASH);
		mf_label_text(e, "; it judges no more unless its assessor "
		                 "signs it again.");
		mf_label_close(e, MF_LABEL_EL_PARA);
	}
}

/*
 * The version's trust flags (migrations/0010), first on the label: its
 * developer withdrew it, or it is signed only by a key reported
 * compromised. Either way it counts in no score or list any more.
 */
static void
trust_notice(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *w = json_object_get(label, "withdrawn");
	const json_t *c = json_object_get(label, "compromised");
	const char *reason;
	size_t n;

	if (json_is_object(w)) {
		mf_label_open(e, MF_LABEL_EL_PARA, "notice");
		mf_label_text(e, "This version was withdrawn by ");
		mf_label_text(e, str(w, "by") != NULL ? str(w, "by") : DASH);
		mf_label_text(e, " on ");
		mf_label_text(e, str(w, "on") != NULL ? str(w, "on") : DASH);
		mf_label_text(e, " because ");
		reason = str(w, "reason") != NULL ? str(w, "reason") : DASH;
		mf_label_text(e, reason);
		n = strlen(reason);
		mf_label_text(e, n > 0 && reason[n - 1] == '.' ? "" : ".");
		mf_label_text(e, " It counts in no score or list.");
		mf_label_close(e, MF_LABEL_EL_PARA);
	}
	if (json_is_object(c)) {
		mf_label_open(e, MF_LABEL_EL_PARA, "notice");
		mf_label_text(e, "This version is signed by a key reported "
		                 "compromised since ");
		mf_label_text(e,
		              str(c, "since") != NULL ? str(c, "since") : DASH);
		mf_label_text(e, " (revoked at ");
		mf_label_text(e, str(c, "revoked_at") != NULL
		                     ? str(c, "revoked_at")
		                     : DASH);
		mf_label_text(e, "). It counts in no score or list unless its "
		                 "developer signs it again.");
		mf_label_close(e, MF_LABEL_EL_PARA);
	}
	compromised_assessments(e, label);
}

/* ---- evals ---- */

/*
 * A document its signer withdrew (migrations/0009): it stays on the label,
 * saying by whom, when and why, so the record is never silently rewritten.
 */
static void
withdrawn_note(struct mf_label_emitter *e, const json_t *w)
{
	if (!json_is_object(w))
		return;
	mf_label_text(e, " (withdrawn by ");
	mf_label_text(e, str(w, "by") != NULL ? str(w, "by") : DASH);
	mf_label_text(e, " on ");
	mf_label_text(e, str(w, "on") != NULL ? str(w, "on") : DASH);
	mf_label_text(e, " because ");
	mf_label_text(e, str(w, "reason") != NULL ? str(w, "reason") : DASH);
	mf_label_text(e, ")");
}

/* A result signed only by a key reported compromised (migrations/0010). */
static void
compromised_note(struct mf_label_emitter *e, const json_t *c)
{
	if (!json_is_object(c))
		return;
	mf_label_text(e, " (signed by a key reported compromised since ");
	mf_label_text(e, str(c, "since") != NULL ? str(c, "since") : DASH);
	mf_label_text(e, ")");
}

static void
cell_begin(struct mf_label_emitter *e)
{
	mf_label_open(e, MF_LABEL_EL_TD, NULL);
}

static void
cell_end(struct mf_label_emitter *e)
{
	mf_label_close(e, MF_LABEL_EL_TD);
}

static void
cell_text(struct mf_label_emitter *e, const char *s)
{
	cell_begin(e);
	mf_label_text(e, s != NULL ? s : DASH);
	cell_end(e);
}

/* A cell with an enumerated value as words, or a dash. */
static void
cell_enum(struct mf_label_emitter *e, const char *s)
{
	cell_begin(e);
	if (s != NULL)
		enum_text(e, s, true);
	else
		mf_label_text(e, DASH);
	cell_end(e);
}

/* A cell with r's description and, after it, its link. */
static void
cell_described(struct mf_label_emitter *e, const json_t *r)
{
	cell_begin(e);
	mf_label_text(e, str(r, "description"));
	if (str(r, "url") != NULL) {
		mf_label_text(e, " ");
		mf_label_link(e, str(r, "url"), NULL);
	}
	cell_end(e);
}

/*
 * The disclosed array of a fact, when it has rows; otherwise the fact
 * is written inline as a paragraph (undisclosed, or a reason) and NULL
 * returned.
 */
static const json_t *
rows_or_inline(struct mf_label_emitter *e, const json_t *fact)
{
	const json_t *v = disclosed_value(fact);

	if (json_is_array(v) && json_array_size(v) > 0)
		return v;
	mf_label_open(e, MF_LABEL_EL_PARA, NULL);
	fact_inline(e, fact, v_text);
	mf_label_close(e, MF_LABEL_EL_PARA);
	return NULL;
}

static void
uncertainty(struct mf_label_emitter *e, const json_t *u)
{
	const json_t *se = json_object_get(u, "stderr");
	const json_t *ci = json_object_get(u, "ci");
	char num[MF_LABEL_NUM_MAX];
	bool any = false;

	if (json_is_number(se)) {
		mf_label_text(e, "\xc2\xb1 ");
		num_exact(e, json_number_value(se));
		any = true;
	}
	if (json_is_number(json_object_get(ci, "level")) &&
	    json_is_number(json_object_get(ci, "lower")) &&
	    json_is_number(json_object_get(ci, "upper"))) {
		mf_label_text(e, any ? "; " : "");
		mf_label_num_plain(
		    num, 100 * json_number_value(json_object_get(ci, "level")));
		mf_label_text(e, num);
		mf_label_text(e, "% CI ");
		num_exact(e, json_number_value(json_object_get(ci, "lower")));
		mf_label_text(e, NDASH);
		num_exact(e, json_number_value(json_object_get(ci, "upper")));
		any = true;
	}
	if (!any)
		mf_label_text(e, DASH);
}

static void
eval_row(struct mf_label_emitter *e, const json_t *r)
{
	const json_t *b = json_object_get(r, "benchmark");
	const json_t *m = json_object_get(r, "metric");
	const json_t *h = json_object_get(r, "harness");
	const json_t *p = json_object_get(r, "prompting");
	const json_t *shots = json_object_get(p, "shots");
	const json_t *li = json_object_get(r, "log_index");
	char buf[64];

	mf_label_open(e, MF_LABEL_EL_ROW, NULL);
	cell_begin(e);
	mf_label_text(e,
	              str(b, "name") != NULL ? str(b, "name") : str(b, "id"));
	if (str(b, "revision") != NULL) {
		mf_label_text(e, " (");
		mf_label_text(e, str(b, "revision"));
		mf_label_text(e, ")");
	}
	if (str(r, "split") != NULL) {
		mf_label_text(e, ", ");
		mf_label_text(e, str(r, "split"));
	}
	withdrawn_note(e, json_object_get(r, "withdrawn"));
	compromised_note(e, json_object_get(r, "compromised"));
	if (json_integer_value(json_object_get(r, "earlier_runs")) > 0) {
		/* repeated runs of this measurement, folded (facts.c) */
		snprintf(
		    buf, sizeof(buf),
		    " (the newest of %" JSON_INTEGER_FORMAT " runs)",
		    json_integer_value(json_object_get(r, "earlier_runs")) + 1);
		mf_label_text(e, buf);
	}
	cell_end(e);
	cell_begin(e);
	mf_label_text(e, str(m, "name"));
	if (json_is_true(json_object_get(m, "lower_is_better")))
		mf_label_text(e, " (lower is better)");
	cell_end(e);
	mf_label_open(e, MF_LABEL_EL_TD, "num");
	mf_label_text(e, str(r, "value_display") != NULL
	                     ? str(r, "value_display")
	                     : DASH);
	if (eq(str(m, "scale"), "percent"))
		mf_label_text(e, "%");
	cell_end(e);
	cell_begin(e);
	uncertainty(e, json_object_get(r, "uncertainty"));
	cell_end(e);
	cell_begin(e);
	if (json_is_integer(shots)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(shots));
		mf_label_text(e, buf);
	} else {
		mf_label_text(e, DASH);
	}
	if (json_is_true(json_object_get(p, "chain_of_thought")))
		mf_label_text(e, ", chain of thought");
	cell_end(e);
	cell_begin(e);
	if (str(h, "name") != NULL) {
		mf_label_text(e, str(h, "name"));
		if (str(h, "version") != NULL) {
			mf_label_text(e, " ");
			mf_label_text(e, str(h, "version"));
		}
	} else {
		mf_label_text(e, DASH);
	}
	cell_end(e);
	cell_begin(e);
	mf_label_text(e,
	              str(r, "evaluator") != NULL ? str(r, "evaluator") : DASH);
	if (str(r, "run_by") != NULL) {
		mf_label_text(e, ", run by ");
		mf_label_text(e, str(r, "run_by"));
	}
	cell_end(e);
	cell_text(e, str(r, "evaluated_on"));
	cell_begin(e);
	if (json_is_integer(li)) {
		snprintf(buf, sizeof(buf), "#%" JSON_INTEGER_FORMAT,
		         json_integer_value(li));
		mf_label_text(e, buf);
	} else {
		mf_label_text(e, DASH);
	}
	cell_end(e);
	mf_label_close(e, MF_LABEL_EL_ROW);
}

static void
eval_table(struct mf_label_emitter *e, const char *title, const json_t *rows)
{
	static const char *const head[] = {
	    "Benchmark", "Metric",    "Value", "Uncertainty", "Shots",
	    "Harness",   "Evaluator", "Date",  "Log",         NULL};
	char buf[96];
	const json_t *r;
	size_t i;

	snprintf(buf, sizeof(buf), "%s: %zu", title, json_array_size(rows));
	heading(e, MF_LABEL_EL_H3, buf);
	if (json_array_size(rows) == 0) {
		empty_note(e, "None submitted.");
		return;
	}
	table_begin(e, "evals", head);
	json_array_foreach(rows, i, r) eval_row(e, r);
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

static void
disclosure_summary(struct mf_label_emitter *e, const json_t *fact)
{
	static const char *const head[] = {"Benchmark", "Metric", "Value",
	                                   "Stated assurance", NULL};
	const json_t *v, *r;
	size_t i;

	heading(e, MF_LABEL_EL_H3, "Headline results stated in the disclosure");
	if ((v = rows_or_inline(e, fact)) == NULL)
		return;
	mf_label_open(e, MF_LABEL_EL_PARA, "small");
	mf_label_text(e, "As the developer states them in the disclosure; "
	                 "only the signed results above are verified "
	                 "submissions.");
	mf_label_close(e, MF_LABEL_EL_PARA);
	table_begin(e, "evals", head);
	json_array_foreach(v, i, r)
	{
		mf_label_open(e, MF_LABEL_EL_ROW, NULL);
		cell_text(e, str(r, "benchmark"));
		cell_text(e, str(r, "metric"));
		mf_label_open(e, MF_LABEL_EL_TD, "num");
		if (json_is_number(json_object_get(r, "value")))
			num_exact(
			    e, json_number_value(json_object_get(r, "value")));
		else
			mf_label_text(e, DASH);
		if (eq(str(r, "scale"), "percent"))
			mf_label_text(e, "%");
		cell_end(e);
		cell_enum(e, str(r, "assurance"));
		mf_label_close(e, MF_LABEL_EL_ROW);
	}
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

static void
v_evaluators(struct mf_label_emitter *e, const json_t *fact, const json_t *v)
{
	const json_t *x;
	size_t i;

	if (!json_is_array(v)) {
		v_text(e, fact, v);
		return;
	}
	json_array_foreach(v, i, x)
	{
		if (i > 0)
			mf_label_text(e, "; ");
		mf_label_text(e, str(x, "evaluator"));
		if (str(x, "scope") != NULL) {
			mf_label_text(e, " (");
			mf_label_text(e, str(x, "scope"));
			mf_label_text(e, ")");
		}
		if (str(x, "access") != NULL) {
			mf_label_text(e, ", access: ");
			mf_label_text(e, str(x, "access"));
		}
		if (str(x, "url") != NULL) {
			mf_label_text(e, " ");
			mf_label_link(e, str(x, "url"), NULL);
		}
	}
}

static void
evals(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *ev = at(label, "/evals");
	bool only = assessment_only(label);

	if (only &&
	    json_array_size(json_object_get(ev, "self_reported")) +
	            json_array_size(json_object_get(ev, "third_party")) ==
	        0)
		return;
	section_begin(e, "evals", "Evaluation results");
	mf_label_open(e, MF_LABEL_EL_PARA, "small");
	mf_label_text(e, "Self-reported results are signed by the developer "
	                 "of the model, third-party results by an "
	                 "independent evaluator. The two are never merged.");
	mf_label_close(e, MF_LABEL_EL_PARA);
	eval_table(e, "Self-reported", json_object_get(ev, "self_reported"));
	eval_table(e, "Third-party", json_object_get(ev, "third_party"));
	if (only) {
		section_end(e);
		return;
	}
	disclosure_summary(e, json_object_get(ev, "disclosure_summary"));
	fact_block(e, "External evaluators named in the disclosure",
	           json_object_get(ev, "external_evaluators"), v_evaluators,
	           AS_INLINE);
	section_end(e);
}

/* ---- uses, risks, changes, accountability ---- */

static void
uses(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *u = at(label, "/uses");

	section_begin(e, "uses", "Intended and prohibited uses");
	fact_block(e, "Intended uses", at(u, "/intended"), v_list, AS_LIST);
	fact_block(e, "Intended users", at(u, "/intended_users"), v_text,
	           AS_PARAGRAPHS);
	fact_block(e, "Integration contexts", at(u, "/integration_contexts"),
	           v_text, AS_PARAGRAPHS);
	fact_block(e, "Out of scope", at(u, "/out_of_scope"), v_list, AS_LIST);
	fact_block(e, "Prohibited uses", at(u, "/prohibited"), v_list, AS_LIST);
	fact_block(e, "Acceptable use policy", at(u, "/acceptable_use_policy"),
	           v_policy, AS_INLINE);
	section_end(e);
}

static void
yes_no_cell(struct mf_label_emitter *e, const json_t *v)
{
	cell_text(e, json_is_true(v) ? "Yes" : json_is_false(v) ? "No" : DASH);
}

static void
risk_assessments(struct mf_label_emitter *e, const json_t *fact)
{
	static const char *const head[] = {"Risk",   "Assessment", "Method",
	                                   "Result", "External",   NULL};
	const json_t *v, *r;
	size_t i;

	heading(e, MF_LABEL_EL_H3, "Risk assessments");
	if ((v = rows_or_inline(e, fact)) == NULL)
		return;
	table_begin(e, "risks", head);
	json_array_foreach(v, i, r)
	{
		mf_label_open(e, MF_LABEL_EL_ROW, NULL);
		cell_begin(e);
		enum_text(e, str(r, "category"), true);
		cell_end(e);
		cell_described(e, r);
		cell_text(e, str(r, "method"));
		cell_text(e, str(r, "result"));
		yes_no_cell(e, json_object_get(r, "external"));
		mf_label_close(e, MF_LABEL_EL_ROW);
	}
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

static void
mitigations(struct mf_label_emitter *e, const json_t *fact)
{
	static const char *const head[] = {"Mitigation", "Risk", "Stage",
	                                   "Effectiveness", NULL};
	const json_t *v, *r;
	size_t i;

	heading(e, MF_LABEL_EL_H3, "Mitigations");
	if ((v = rows_or_inline(e, fact)) == NULL)
		return;
	table_begin(e, "risks", head);
	json_array_foreach(v, i, r)
	{
		mf_label_open(e, MF_LABEL_EL_ROW, NULL);
		cell_described(e, r);
		cell_enum(e, str(r, "risk"));
		cell_enum(e, str(r, "stage"));
		cell_text(e, str(r, "effectiveness"));
		mf_label_close(e, MF_LABEL_EL_ROW);
	}
	mf_label_close(e, MF_LABEL_EL_TABLE);
}

static void
risks(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *r = at(label, "/risks");

	section_begin(e, "risks", "Risks and mitigations");
	risk_assessments(e, at(r, "/assessments"));
	fact_block(e, "Red teaming", at(r, "/red_teaming"), v_red_team,
	           AS_INLINE);
	mitigations(e, at(r, "/mitigations"));
	fact_block(e, "Residual risks", at(r, "/residual"), v_text,
	           AS_PARAGRAPHS);
	fact_block(e, "Safety framework", at(r, "/safety_framework"), v_urls,
	           AS_INLINE);
	fact_block(e, "Systemic risk", at(r, "/systemic_risk"), v_systemic,
	           AS_INLINE);
	section_end(e);
}

static void
changes(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *c = at(label, "/changes");

	section_begin(e, "changes", "Changes and versions");
	kv_begin(e, "Changes");
	kv_fact(e, "Changelog", at(c, "/changelog"), v_urls);
	kv_fact(e, "Versioning", at(c, "/versioning"), v_text);
	kv_fact(e, "Deprecation", at(c, "/deprecation"), v_deprecation);
	kv_end(e);
	section_end(e);
}

static void
accountability(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *a = at(label, "/accountability");

	section_begin(e, "accountability", "Accountability");
	kv_begin(e, "Accountability");
	kv_fact(e, "Incident reporting", at(a, "/incident_reporting"),
	        v_channel);
	kv_fact(e, "Feedback", at(a, "/feedback"), v_channel);
	kv_fact(e, "Vulnerability reporting", at(a, "/vulnerability_reporting"),
	        v_channel);
	kv_fact(e, "Responsible entity", at(a, "/responsible_entity"), v_text);
	kv_fact(e, "Contact", at(a, "/contact"), v_channel);
	kv_fact(e, "EU representative", at(a, "/eu_representative"), v_text);
	kv_fact(e, "Redress", at(a, "/redress"), v_text);
	kv_fact(e, "Whistleblowing", at(a, "/whistleblowing"), v_urls);
	kv_end(e);
	section_end(e);
}

static void
provenance(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *p = at(label, "/provenance"), *k;
	const json_t *links = at(label, "/registry/links");
	const json_t *li = json_object_get(p, "log_index");
	const json_t *seq = json_object_get(p, "seq");
	char buf[64];
	size_t i;

	section_begin(e, "provenance", "Provenance");
	kv_begin(e, "Provenance");
	kv_text(e, "Registry", str(at(label, "/registry"), "origin"));
	kv_code(e, "Payload SHA-256", str(p, "payload_sha256"));
	row_begin(e, "Log index");
	if (json_is_integer(li)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(li));
		if (str(links, "log_entry") != NULL)
			mf_label_link(e, str(links, "log_entry"), buf);
		else
			mf_label_text(e, buf);
	} else {
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not yet in the log");
	}
	row_end(e);
	row_begin(e, "Signed by");
	if (json_array_size(json_object_get(p, "signed_by")) == 0)
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not recorded");
	json_array_foreach(json_object_get(p, "signed_by"), i, k)
	{
		if (i > 0)
			mf_label_text(e, ", ");
		mf_label_code(e, json_string_value(k));
	}
	row_end(e);
	kv_text(e, "Accepted at", str(p, "accepted_at"));
	kv_text(e, "Issued at", str(p, "issued_at"));
	row_begin(e, "Sequence");
	if (json_is_integer(seq)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(seq));
		mf_label_text(e, buf);
	} else {
		mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "Not recorded");
	}
	row_end(e);
	row_begin(e, "Supersedes");
	if (str(p, "supersedes") != NULL)
		mf_label_code(e, str(p, "supersedes"));
	else
		mf_label_text(e, "Nothing (first version)");
	row_end(e);
	kv_link(e, "Record", str(links, "record"));
	kv_link(e, "Signed envelope", str(links, "envelope"));
	kv_link(e, "Judgements (live)", str(links, "judgements"));
	kv_end(e);
	mf_label_open(e, MF_LABEL_EL_PARA, "small");
	mf_label_text(e, "Label format ");
	mf_label_text(e, str(label, "format"));
	mf_label_text(e, ". Rendered from the signed disclosure; check it "
	                 "against the payload digest and the log entry "
	                 "above.");
	mf_label_close(e, MF_LABEL_EL_PARA);
	section_end(e);
}

/* Where the judgements of a model without a disclosure come from. */
static void
provenance_assessed(struct mf_label_emitter *e, const json_t *label)
{
	const json_t *links = at(label, "/registry/links");

	section_begin(e, "provenance", "Provenance");
	kv_begin(e, "Provenance");
	kv_text(e, "Registry", str(at(label, "/registry"), "origin"));
	row_begin(e, "Disclosure");
	mf_label_wrap(e, MF_LABEL_EL_EM, NULL, "None from the developer");
	row_end(e);
	kv_link(e, "Judgements (live)", str(links, "judgements"));
	kv_end(e);
	mf_label_open(e, MF_LABEL_EL_PARA, "small");
	mf_label_text(e, "Label format ");
	mf_label_text(e, str(label, "format"));
	mf_label_text(e, ". Rendered from the assessors' signed assessments; "
	                 "each names its log entry above.");
	mf_label_close(e, MF_LABEL_EL_PARA);
	section_end(e);
}

void
mf_label_layout(struct mf_label_emitter *e, const json_t *label)
{
	title(e, label);
	if (assessment_only(label)) {
		assessment_only_notice(e, label);
		compromised_assessments(e, label);
		headline(e, label);
		judgement_details(e, label);
		evals(e, label);
		provenance_assessed(e, label);
		return;
	}
	trust_notice(e, label);
	transcription_notice(e, label);
	headline(e, label);
	identity(e, label);
	key_facts(e, label);
	judgement_details(e, label);
	evals(e, label);
	uses(e, label);
	risks(e, label);
	changes(e, label);
	accountability(e, label);
	provenance(e, label);
}
