/*
 * The EU AI Act view (eu_ai_act.h): one loop over the items of the GPAI
 * Model Documentation Form, which live as data in
 * schema/eu/gpai-documentation-form.json. Each item's fields are read
 * through the label's own resolver (mf_label_fact), so a value, a
 * withheld section and a normalised quantity read here exactly as on the
 * label.
 */
#include "formats/eu_ai_act.h"

#include "common/embedded.h"
#include "common/error.h"
#include "common/json.h"
#include "labels/facts.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#define FORM_PATH "schema/eu/gpai-documentation-form.json"

/* The statuses an item can have, in the order counts are listed. */
enum item_status {
	ST_DISCLOSED,
	ST_WITHHELD,
	ST_MISSING,
	ST_NA, /* only for items that allow "not applicable" */
	ST__MAX
};

static const char *const status_names[ST__MAX] = {"disclosed", "withheld",
                                                  "missing", "not_applicable"};

static pthread_once_t form_once = PTHREAD_ONCE_INIT;
static json_t *form; /* the checked data file, or NULL when broken */

/* ---- the data file ---- */

static bool
strings(const json_t *a, bool pointers)
{
	const json_t *s;
	size_t i;

	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, s)
	{
		if (!json_is_string(s) || json_string_length(s) == 0 ||
		    (pointers && (json_string_value(s)[0] != '/' ||
		                  json_string_length(s) >= 128)))
			return false;
	}
	return true;
}

static bool
known_audience(const json_t *doc, const char *id)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "audiences"), i, a)
	{
		const char *x = mf_json_str(a, "id");

		if (x != NULL && strcmp(x, id) == 0)
			return true;
	}
	return false;
}

/* What the writer relies on: every section and item has its members, of
 * their types; audiences are declared; item ids are unique. */
static bool
form_ok(const json_t *doc)
{
	const json_t *sec, *it, *other, *a;
	size_t i, j, k, n = 0;

	if (mf_json_str(doc, "id") == NULL ||
	    mf_json_str(doc, "name") == NULL ||
	    json_array_size(json_object_get(doc, "audiences")) == 0 ||
	    json_array_size(json_object_get(doc, "sections")) == 0)
		return false;
	json_array_foreach(json_object_get(doc, "audiences"), i, a)
	{
		if (mf_json_str(a, "id") == NULL ||
		    mf_json_str(a, "name") == NULL)
			return false;
	}
	json_array_foreach(json_object_get(doc, "sections"), i, sec)
	{
		if (mf_json_str(sec, "id") == NULL ||
		    mf_json_str(sec, "title") == NULL ||
		    !json_is_array(json_object_get(sec, "items")))
			return false;
		json_array_foreach(json_object_get(sec, "items"), j, it)
		{
			if (mf_json_str(it, "id") == NULL ||
			    mf_json_str(it, "title") == NULL ||
			    !strings(json_object_get(it, "annex"), false) ||
			    !strings(json_object_get(it, "audiences"), false) ||
			    json_array_size(json_object_get(it, "audiences")) ==
			        0 ||
			    !strings(json_object_get(it, "pointers"), true))
				return false;
			json_array_foreach(json_object_get(it, "audiences"), k,
			                   a)
			{
				if (!known_audience(doc, json_string_value(a)))
					return false;
			}
			n++;
		}
	}
	/* unique ids: the form is small, a double loop is plenty */
	json_array_foreach(json_object_get(doc, "sections"), i, sec)
	{
		json_array_foreach(json_object_get(sec, "items"), j, it)
		{
			const json_t *s2;
			size_t i2, j2, same = 0;

			json_array_foreach(json_object_get(doc, "sections"), i2,
			                   s2)
			{
				json_array_foreach(json_object_get(s2, "items"),
				                   j2, other)
				{
					same +=
					    strcmp(mf_json_str(other, "id"),
					           mf_json_str(it, "id")) == 0;
				}
			}
			if (same != 1)
				return false;
		}
	}
	return n > 0;
}

static void
load_form(void)
{
	const struct mf_embedded *e = mf_embedded_get(FORM_PATH);
	struct mf_error err;
	json_t *doc;

	if (e == NULL)
		return;
	mf_error_init(&err);
	doc =
	    mf_json_parse((const char *)e->data, e->len, FORM_PATH, NULL, &err);
	mf_error_dispose(&err);
	if (doc != NULL && form_ok(doc))
		form = doc;
	else
		json_decref(doc);
}

const json_t *
mf_eu_ai_act_form(void)
{
	pthread_once(&form_once, load_form);
	return form;
}

/* ---- one item ---- */

static bool
empty(const json_t *v)
{
	return v == NULL || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0);
}

/*
 * The item's status from its fields' facts: disclosed when any field is
 * (and not empty); else withheld when any is withheld; else not
 * applicable when the item allows it and a field says so; else missing
 * (absent, unknown, or not applicable where the form wants an answer).
 */
static enum item_status
item_status(const json_t *facts, bool allow_na)
{
	bool withheld = false, na = false;
	const json_t *f;
	size_t i;

	json_array_foreach(facts, i, f)
	{
		const char *s = mf_json_str(f, "status");

		if (s == NULL)
			continue;
		if (strcmp(s, "disclosed") == 0 &&
		    !empty(json_object_get(f, "value")))
			return ST_DISCLOSED;
		withheld = withheld || strcmp(s, "withheld") == 0;
		na = na || strcmp(s, "not_applicable") == 0;
	}
	if (withheld)
		return ST_WITHHELD;
	return allow_na && na ? ST_NA : ST_MISSING;
}

struct counts {
	long long n[ST__MAX];
};

static int
counts_json(json_t *dst, const char *key, const struct counts *c)
{
	json_t *o = json_object();
	long long total =
	    c->n[ST_DISCLOSED] + c->n[ST_WITHHELD] + c->n[ST_MISSING];
	int i;

	if (o == NULL || json_object_set_new(dst, key, o) != 0)
		return -1;
	for (i = 0; i < ST__MAX; i++)
		if (json_object_set_new(o, status_names[i],
		                        json_integer(c->n[i])) != 0)
			return -1;
	/* whole percent, rounded down, so 100 means every item */
	if (json_object_set_new(o, "total", json_integer(total)) != 0 ||
	    json_object_set_new(
	        o, "percent",
	        total > 0 ? json_integer(c->n[ST_DISCLOSED] * 100 / total)
	                  : json_null()) != 0)
		return -1;
	return 0;
}

/* A deep copy of member key of src, or an empty array. */
static json_t *
copy_array(const json_t *src, const char *key)
{
	const json_t *v = json_object_get(src, key);

	return json_is_array(v) ? json_deep_copy(v) : json_array();
}

/*
 * One item of the output, counted into overall and per audience
 * (aud[k] for the form's k-th audience) when it applies.
 */
static json_t *
item_json(const json_t *def, const json_t *disclosure, bool systemic,
          const json_t *audiences, struct counts *overall, struct counts *aud)
{
	const json_t *ptrs = json_object_get(def, "pointers"), *p, *a, *x;
	bool allow_na =
	    json_is_true(json_object_get(def, "allow_not_applicable"));
	bool applies =
	    systemic ||
	    !json_is_true(json_object_get(def, "systemic_risk_only"));
	json_t *o = json_object(), *facts, *f;
	enum item_status st;
	size_t i, k;

	if (o == NULL || (facts = json_array()) == NULL ||
	    json_object_set_new(o, "facts", facts) != 0)
		goto fail;
	json_array_foreach(ptrs, i, p)
	{
		f = mf_label_fact(disclosure, json_string_value(p));
		if (f == NULL || json_array_append_new(facts, f) != 0)
			goto fail;
	}
	st = item_status(facts, allow_na);
	if (json_object_set_new(o, "id", json_string(mf_json_str(def, "id"))) !=
	        0 ||
	    json_object_set_new(o, "title",
	                        json_string(mf_json_str(def, "title"))) != 0 ||
	    json_object_set_new(o, "annex", copy_array(def, "annex")) != 0 ||
	    json_object_set_new(o, "audiences", copy_array(def, "audiences")) !=
	        0 ||
	    json_object_set_new(o, "pointers", copy_array(def, "pointers")) !=
	        0 ||
	    json_object_set_new(o, "status", json_string(status_names[st])) !=
	        0 ||
	    json_object_set_new(o, "applies", json_boolean(applies)) != 0)
		goto fail;
	if ((x = json_object_get(def, "help")) != NULL &&
	    json_object_set_new(o, "help", json_deep_copy(x)) != 0)
		goto fail;
	if ((x = json_object_get(def, "note")) != NULL &&
	    json_object_set_new(o, "note", json_deep_copy(x)) != 0)
		goto fail;
	if (!applies)
		return o;
	overall->n[st]++;
	json_array_foreach(audiences, k, a)
	{
		json_array_foreach(json_object_get(def, "audiences"), i, x)
		{
			if (strcmp(json_string_value(x),
			           mf_json_str(a, "id")) == 0)
				aud[k].n[st]++;
		}
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* ---- the whole view ---- */

/* The disclosure's own classification: "yes", "no", "undetermined", or
 * NULL when it says nothing (or withholds it). */
static const char *
systemic_risk(const json_t *disclosure)
{
	json_t *f = mf_label_fact(disclosure, "/risks/systemic_risk");
	const char *c = NULL, *s = mf_json_str(f, "status");

	/* static strings: the fact is freed before we return */
	if (s != NULL && strcmp(s, "disclosed") == 0 &&
	    (c = mf_json_str(json_object_get(f, "value"), "classification")) !=
	        NULL)
		c = strcmp(c, "yes") == 0  ? "yes"
		    : strcmp(c, "no") == 0 ? "no"
		                           : "undetermined";
	json_decref(f);
	return c;
}

static int
header(json_t *o, const struct mf_label_input *in, const json_t *doc)
{
	const json_t *d = in->disclosure;
	const json_t *subj = json_object_get(d, "subject");
	const json_t *name =
	    json_object_get(json_object_get(d, "identity"), "name");
	const char *org = in->org ? in->org : mf_json_str(subj, "org");
	const char *model = in->model ? in->model : mf_json_str(subj, "model");
	const char *const keys[] = {"id", "name", "version", "published",
	                            "source"};
	json_t *f, *s;
	size_t i;

	/* json_object_set_new takes the reference even when it fails */
	if ((f = json_object()) == NULL ||
	    json_object_set_new(o, "form", f) != 0 ||
	    (s = json_object()) == NULL ||
	    json_object_set_new(o, "subject", s) != 0)
		return -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(doc, keys[i]) != NULL &&
		    json_object_set_new(
		        f, keys[i],
		        json_deep_copy(json_object_get(doc, keys[i]))) != 0)
			return -1;
	if (json_object_set_new(f, "audiences", copy_array(doc, "audiences")) !=
	        0 ||
	    json_object_set_new(s, "org",
	                        org ? json_string(org) : json_null()) != 0 ||
	    json_object_set_new(
	        s, "model", model ? json_string(model) : json_null()) != 0 ||
	    json_object_set_new(o, "format",
	                        json_string(MF_EU_AI_ACT_FORMAT)) != 0 ||
	    json_object_set_new(o, "name",
	                        json_is_string(name) ? json_deep_copy(name)
	                        : in->name != NULL   ? json_string(in->name)
	                                             : json_null()) != 0 ||
	    json_object_set_new(o, "version", json_integer(in->version)) != 0 ||
	    json_object_set_new(o, "latest_version",
	                        in->latest_version > 0
	                            ? json_integer(in->latest_version)
	                            : json_null()) != 0 ||
	    json_object_set_new(o, "payload_sha256",
	                        in->payload_sha256
	                            ? json_string(in->payload_sha256)
	                            : json_null()) != 0 ||
	    json_object_set_new(o, "accepted_at",
	                        in->accepted_at ? json_string(in->accepted_at)
	                                        : json_null()) != 0 ||
	    json_object_set_new(o, "log_index",
	                        in->log_index >= 0 ? json_integer(in->log_index)
	                                           : json_null()) != 0 ||
	    json_object_set_new(o, "assessment_only",
	                        json_boolean(d == NULL)) != 0)
		return -1;
	return 0;
}

int
mf_eu_ai_act_json(json_t **out, const struct mf_label_input *in)
{
	const json_t *doc = mf_eu_ai_act_form(), *sec, *def;
	const json_t *audiences = json_object_get(doc, "audiences");
	struct counts overall = {{0}}, aud[8];
	const char *sr;
	json_t *o = NULL, *sections, *s, *items, *it, *comp, *by;
	size_t i, j, k;
	int rc = MF_E_NOMEM;

	/* 1. What we are asked for, and the form. */
	*out = NULL;
	if (in == NULL || (in->disclosure == NULL && !in->assessment_only) ||
	    (in->disclosure != NULL && !json_is_object(in->disclosure)))
		return MF_E_BAD_PARAM;
	if (doc == NULL || json_array_size(audiences) > 8)
		return MF_E_INTERNAL;
	memset(aud, 0, sizeof(aud));
	sr = systemic_risk(in->disclosure);
	/* 2. The header. */
	if ((o = json_object()) == NULL || header(o, in, doc) != 0 ||
	    json_object_set_new(o, "systemic_risk",
	                        sr ? json_string(sr) : json_null()) != 0 ||
	    (sections = json_array()) == NULL ||
	    json_object_set_new(o, "sections", sections) != 0)
		goto done;
	/* 3. One loop over the items, section by section. */
	json_array_foreach(json_object_get(doc, "sections"), i, sec)
	{
		if ((s = json_object()) == NULL ||
		    json_array_append_new(sections, s) != 0 ||
		    json_object_set_new(
		        s, "id", json_string(mf_json_str(sec, "id"))) != 0 ||
		    json_object_set_new(
		        s, "title", json_string(mf_json_str(sec, "title"))) !=
		        0 ||
		    (items = json_array()) == NULL ||
		    json_object_set_new(s, "items", items) != 0)
			goto done;
		json_array_foreach(json_object_get(sec, "items"), j, def)
		{
			it = item_json(def, in->disclosure,
			               sr != NULL && strcmp(sr, "yes") == 0,
			               audiences, &overall, aud);
			if (it == NULL || json_array_append_new(items, it) != 0)
				goto done;
		}
	}
	/* 4. Completeness, overall and per audience. */
	if (counts_json(o, "completeness", &overall) != 0 ||
	    (comp = json_object_get(o, "completeness")) == NULL ||
	    (by = json_object()) == NULL ||
	    json_object_set_new(comp, "by_audience", by) != 0)
		goto done;
	json_array_foreach(audiences, k, def)
	{
		if (counts_json(by, mf_json_str(def, "id"), &aud[k]) != 0)
			goto done;
	}
	rc = 0;
done:
	if (rc != 0)
		json_decref(o);
	else
		*out = o;
	return rc;
}

int
mf_eu_ai_act_write(struct mf_buf *out, const struct mf_label_input *in)
{
	json_t *tree = NULL;
	int rc;

	if ((rc = mf_eu_ai_act_json(&tree, in)) == 0)
		rc = mf_label_json_write(out, tree);
	json_decref(tree);
	return rc;
}
