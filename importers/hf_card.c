/*
 * Hugging Face model card -> draft disclosure + self-reported eval
 * results. The front matter is read with libyaml (common/yaml.c), the
 * body with libcmark: each block goes to the section its nearest
 * recognised heading names (tables sections[] and front_fields[] below),
 * and every card field is reported as mapped (with its JSON pointer) or
 * not mapped (with the reason), so nothing is dropped silently.
 */
#include "importers/hf_card.h"

#include "formats/hf_card.h"
#include "common/yaml.h"

#include <cmark.h>
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 200
#define TEXT_MAX_LEN 2000
#define LONG_MAX_LEN 20000

/* ---- tables ---- */

enum sect {
	S_NONE,
	S_DESCRIPTION,
	S_DATA,
	S_PROCEDURE,
	S_HYPER,
	S_EVAL,
	S_LIMITS,
	S_INTENDED,
	S_OUT_OF_SCOPE,
	S_ENV,
	S_CONTACT,
	S_UNMAPPED, /* recognised, but the disclosure has no field for it */
};

/* Headings (lower case, without "[optional]"), matched as a prefix. */
static const struct {
	const char *heading;
	enum sect sect;
} sections[] = {
    {"model description", S_DESCRIPTION},
    {"model details", S_DESCRIPTION},
    {"model summary", S_DESCRIPTION},
    {"description", S_DESCRIPTION},
    {"overview", S_DESCRIPTION},
    {"training data", S_DATA},
    {"training hyperparameters", S_HYPER},
    {"hyperparameters", S_HYPER},
    {"training procedure", S_PROCEDURE},
    {"preprocessing", S_PROCEDURE},
    {"pretraining", S_PROCEDURE},
    {"evaluation", S_EVAL},
    {"eval results", S_EVAL},
    {"results", S_EVAL},
    {"bias, risks, and limitations", S_LIMITS},
    {"bias, risks and limitations", S_LIMITS},
    {"limitations", S_LIMITS},
    {"risks", S_LIMITS},
    {"bias", S_LIMITS},
    {"out-of-scope use", S_OUT_OF_SCOPE},
    {"out of scope use", S_OUT_OF_SCOPE},
    {"misuse", S_OUT_OF_SCOPE},
    {"intended use", S_INTENDED},
    {"direct use", S_INTENDED},
    {"downstream use", S_INTENDED},
    {"uses", S_INTENDED},
    {"environmental impact", S_ENV},
    {"model card contact", S_CONTACT},
    {"contact", S_CONTACT},
    {"citation", S_UNMAPPED},
    {"bibtex", S_UNMAPPED},
    {"how to use", S_UNMAPPED},
    {"how to get started", S_UNMAPPED},
    {"model card authors", S_UNMAPPED},
    {"training details", S_UNMAPPED},
};

static const struct {
	enum sect sect;
	const char *name; /* in the report */
	const char *pointer;
	size_t max; /* per text, or per item for lists */
	bool list;  /* a text-list field */
} sect_fields[] = {
    {S_DESCRIPTION, "the title's text and Model description",
     "/identity/description", LONG_MAX_LEN, false},
    {S_DATA, "Training data", "/data/characteristics", LONG_MAX_LEN, false},
    {S_PROCEDURE, "Training procedure", "/training/design_choices",
     LONG_MAX_LEN, false},
    {S_HYPER, "Training hyperparameters", "/training/hyperparameters",
     LONG_MAX_LEN, false},
    {S_EVAL, "Evaluation", "/evaluations/strategy", LONG_MAX_LEN, false},
    {S_LIMITS, "Bias, risks, and limitations", "/model/limitations",
     TEXT_MAX_LEN, true},
    {S_INTENDED, "Uses", "/uses/intended", TEXT_MAX_LEN, true},
    {S_OUT_OF_SCOPE, "Out-of-scope use", "/uses/out_of_scope", TEXT_MAX_LEN,
     true},
};

/* Front-matter members handled below; anything else is reported. */
static const char *const known_front[] = {
    "license",  "license_name", "license_link",
    "datasets", "base_model",   "base_model_relation",
    "language", "pipeline_tag", "library_name",
    "tags",     "model-index",  "metrics",
};

/* ---- text ---- */

/* Drops a multi-byte character that snprintf cut in half at the end. */
static void
cut_utf8(char *s)
{
	size_t n = strlen(s), i = n, need;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
		return;
	need = ((unsigned char)s[i - 1] & 0xe0) == 0xc0   ? 2
	       : ((unsigned char)s[i - 1] & 0xf0) == 0xe0 ? 3
	                                                  : 4;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

/*
 * Whether text is well-formed UTF-8 without NUL; *line gets the line of
 * the first bad byte.
 */
static bool
valid_utf8(const char *text, size_t len, size_t *line)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, k, n;

	*line = 1;
	while (i < len) {
		unsigned c = p[i];
		unsigned cp;

		if (c == '\n')
			(*line)++;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* ---- report and payload helpers ---- */

void
mf_hf_import_init(struct mf_hf_import *imp)
{
	memset(imp, 0, sizeof(*imp));
}

void
mf_hf_import_dispose(struct mf_hf_import *imp)
{
	json_decref(imp->disclosure);
	json_decref(imp->evals);
	json_decref(imp->report);
	memset(imp, 0, sizeof(*imp));
}

static int
mapped(struct mf_hf_import *imp, const char *from, const char *to,
       const json_t *value, const char *note)
{
	json_t *row = json_pack("{s:s, s:s, s:O?}", "from", from, "to", to,
	                        "value", value);

	if (row != NULL && note != NULL)
		json_object_set_new(row, "note", json_string(note));
	if (row == NULL ||
	    json_array_append_new(json_object_get(imp->report, "mapped"),
	                          row) != 0)
		return MF_E_NOMEM;
	return 0;
}

static int
unmapped(struct mf_hf_import *imp, const char *from, const char *reason)
{
	json_t *row = json_pack("{s:s, s:s}", "from", from, "reason", reason);

	if (row == NULL ||
	    json_array_append_new(json_object_get(imp->report, "not_mapped"),
	                          row) != 0)
		return MF_E_NOMEM;
	return 0;
}

/* Sets value (stolen) at a pointer of plain member names, creating the
 * objects on the way. */
static int
set_at(json_t *root, const char *pointer, json_t *value)
{
	char name[64];
	const char *p = pointer + 1, *slash;
	json_t *cur = root, *next;

	if (value == NULL)
		return MF_E_NOMEM;
	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);

		if (n >= sizeof(name))
			goto fail;
		memcpy(name, p, n);
		name[n] = '\0';
		if ((next = json_object_get(cur, name)) == NULL) {
			if ((next = json_object()) == NULL ||
			    json_object_set_new(cur, name, next) != 0)
				goto fail;
		}
		cur = next;
		p = slash + 1;
	}
	if (json_object_set_new(cur, p, value) != 0)
		return MF_E_NOMEM;
	return 0;
fail:
	json_decref(value);
	return MF_E_NOMEM;
}

static json_t *
get_at(json_t *root, const char *pointer)
{
	char name[64];
	const char *p = pointer + 1, *slash;
	json_t *cur = root;

	while (cur != NULL && (slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);

		if (n >= sizeof(name))
			return NULL;
		memcpy(name, p, n);
		name[n] = '\0';
		cur = json_object_get(cur, name);
		p = slash + 1;
	}
	return json_object_get(cur, p);
}

static bool
valid_url(const char *s)
{
	size_t i;

	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0)
		return false;
	if (strlen(s) > 2048 ||
	    s[strncasecmp(s, "https", 5) == 0 ? 8 : 7] == '\0')
		return false;
	for (i = 0; s[i]; i++)
		if (isspace((unsigned char)s[i]))
			return false;
	return true;
}

static bool
valid_language(const char *s)
{
	size_t i = 0, n;

	while (isalpha((unsigned char)s[i]))
		i++;
	if (i < 2 || i > 3)
		return false;
	while (s[i] == '-') {
		n = 0;
		for (i++; isalnum((unsigned char)s[i]); i++)
			n++;
		if (n < 1 || n > 8)
			return false;
	}
	return s[i] == '\0' && i <= 35;
}

/* Slug from free text: lower case, runs of anything else to one '-'. */
static void
slugify(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	bool dash = false;

	for (; *s && n + 1 < cap && n < 63; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c)) {
			if (dash && n > 0)
				out[n++] = '-';
			dash = false;
			if (n + 1 < cap)
				out[n++] = (char)tolower(c);
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
}

static const char *
str(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A scalar's text (numbers too, since YAML reads `language: 1` as one). */
static void
scalar_text(char *out, size_t cap, const json_t *v)
{
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, cap, "%.17g", json_real_value(v));
	else
		out[0] = '\0';
}

/* ---- front matter ---- */

static int
map_license(struct mf_hf_import *imp, const json_t *fm)
{
	const char *id = str(json_object_get(fm, "license"));
	const char *name = str(json_object_get(fm, "license_name"));
	const char *link = str(json_object_get(fm, "license_link"));
	const char *spdx;
	char ref[128];
	int rc = 0;

	if (json_object_get(fm, "license") != NULL && id == NULL)
		rc = unmapped(imp, "front matter: license",
		              "not a single license id");
	if (rc == 0 && id != NULL && strcmp(id, "other") != 0) {
		if ((spdx = mf_hf_license_to_spdx(id)) == NULL) {
			char clean[64];

			slugify(clean, sizeof(clean), id);
			snprintf(ref, sizeof(ref), "%s%s", MF_HF_LICENSE_REF,
			         clean);
			spdx = ref;
		}
		if (spdx[0] == '\0' || strcmp(spdx, MF_HF_LICENSE_REF) == 0)
			rc = unmapped(imp, "front matter: license",
			              "not a license id");
		else if ((rc = set_at(imp->disclosure,
		                      "/distribution/license/spdx",
		                      json_string(spdx))) == 0)
			rc = mapped(imp, "front matter: license",
			            "/distribution/license/spdx",
			            json_object_get(fm, "license"), NULL);
	}
	if (rc == 0 && name != NULL) {
		if (strlen(name) > NAME_MAX_LEN)
			rc = unmapped(imp, "front matter: license_name",
			              "longer than 200 characters");
		else if ((rc = set_at(imp->disclosure,
		                      "/distribution/license/name",
		                      json_string(name))) == 0)
			rc = mapped(imp, "front matter: license_name",
			            "/distribution/license/name",
			            json_object_get(fm, "license_name"), NULL);
	}
	if (rc == 0 && link != NULL) {
		if (!valid_url(link))
			rc = unmapped(imp, "front matter: license_link",
			              "not an absolute http(s) URL (the "
			              "disclosure records license URLs only)");
		else if ((rc = set_at(imp->disclosure,
		                      "/distribution/license/url",
		                      json_string(link))) == 0)
			rc = mapped(imp, "front matter: license_link",
			            "/distribution/license/url",
			            json_object_get(fm, "license_link"), NULL);
	}
	if (rc == 0 && id != NULL && strcmp(id, "other") == 0 && name == NULL &&
	    link == NULL)
		rc = unmapped(imp, "front matter: license",
		              "\"other\" without license_name or "
		              "license_link says nothing the disclosure can "
		              "hold");
	return rc;
}

/* A string or a list of strings as an array (new reference). */
static json_t *
as_list(const json_t *v)
{
	json_t *a;

	if (json_is_array(v))
		return json_incref((json_t *)v);
	if ((a = json_array()) != NULL && v != NULL)
		json_array_append(a, (json_t *)v);
	return a;
}

static int
map_datasets(struct mf_hf_import *imp, const json_t *fm)
{
	json_t *list = as_list(json_object_get(fm, "datasets"));
	json_t *sources = NULL, *v;
	char from[300], url[512];
	size_t i;
	int rc = 0;

	if (list == NULL)
		return MF_E_NOMEM;
	json_array_foreach(list, i, v)
	{
		const char *id = str(v);

		snprintf(from, sizeof(from), "front matter: datasets[%zu]", i);
		if (id == NULL || id[0] == '\0' || strlen(id) > NAME_MAX_LEN ||
		    strchr(id, ' ') != NULL) {
			rc = unmapped(imp, from,
			              "not a Hub dataset id (a source needs a "
			              "name without spaces here)");
			if (rc != 0)
				break;
			continue;
		}
		snprintf(url, sizeof(url), "https://huggingface.co/datasets/%s",
		         id);
		if (sources == NULL && (sources = json_array()) == NULL) {
			rc = MF_E_NOMEM;
			break;
		}
		json_array_append_new(
		    sources, json_pack("{s:s, s:s, s:s}", "name", id, "kind",
		                       "public_dataset", "url", url));
		snprintf(url, sizeof(url), "/data/sources/%zu",
		         json_array_size(sources) - 1);
		if ((rc = mapped(imp, from, url, v, NULL)) != 0)
			break;
	}
	if (rc == 0 && sources != NULL) {
		rc = set_at(imp->disclosure, "/data/sources", sources);
		sources = NULL;
	}
	json_decref(sources);
	json_decref(list);
	return rc;
}

static const struct {
	const char *hub, *relation;
} relations[] = {
    {"finetune", "fine_tuned_from"},
    {"adapter", "adapter_of"},
    {"merge", "merged_from"},
    {"quantized", "quantized_from"},
};

static int
map_base_model(struct mf_hf_import *imp, const json_t *fm)
{
	json_t *list, *bases = NULL, *v;
	const char *rel_hub = str(json_object_get(fm, "base_model_relation"));
	const char *relation = "fine_tuned_from";
	char from[300], url[512];
	size_t i;
	int rc = 0;

	if (json_object_get(fm, "base_model") == NULL) {
		if (rel_hub != NULL)
			return unmapped(imp,
			                "front matter: base_model_relation",
			                "no base_model to relate to");
		return 0;
	}
	for (i = 0; rel_hub != NULL && i < 4; i++)
		if (strcmp(relations[i].hub, rel_hub) == 0)
			relation = relations[i].relation;
	if ((list = as_list(json_object_get(fm, "base_model"))) == NULL)
		return MF_E_NOMEM;
	json_array_foreach(list, i, v)
	{
		const char *id = str(v);

		snprintf(from, sizeof(from), "front matter: base_model[%zu]",
		         i);
		if (id == NULL || id[0] == '\0' || strlen(id) > NAME_MAX_LEN ||
		    strchr(id, ' ') != NULL) {
			if ((rc = unmapped(imp, from, "not a Hub model id")) !=
			    0)
				break;
			continue;
		}
		if (bases == NULL && (bases = json_array()) == NULL) {
			rc = MF_E_NOMEM;
			break;
		}
		snprintf(url, sizeof(url), "https://huggingface.co/%s", id);
		json_array_append_new(bases, json_pack("{s:s, s:s, s:s}",
		                                       "name", id, "relation",
		                                       relation, "url", url));
		snprintf(url, sizeof(url), "/identity/base_models/%zu",
		         json_array_size(bases) - 1);
		if ((rc = mapped(imp, from, url, v, NULL)) != 0)
			break;
	}
	if (rc == 0 && rel_hub != NULL)
		rc = mapped(imp, "front matter: base_model_relation",
		            "/identity/base_models/0/relation",
		            json_object_get(fm, "base_model_relation"), NULL);
	if (rc == 0 && bases != NULL && json_array_size(bases) <= 20) {
		rc = set_at(imp->disclosure, "/identity/base_models", bases);
		bases = NULL;
	}
	json_decref(bases);
	json_decref(list);
	return rc;
}

/* `language: en, de` (old cards) as the list it means. */
static json_t *
language_list(const json_t *v)
{
	const char *s = str(v), *p;
	json_t *a;

	if (s == NULL || strchr(s, ',') == NULL)
		return as_list(v);
	if ((a = json_array()) == NULL)
		return NULL;
	for (p = s; *p;) {
		size_t n = strcspn(p, ",");
		size_t b = 0, e = n;

		while (b < e && isspace((unsigned char)p[b]))
			b++;
		while (e > b && isspace((unsigned char)p[e - 1]))
			e--;
		if (e > b)
			json_array_append_new(a, json_stringn(p + b, e - b));
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

static int
map_language(struct mf_hf_import *imp, const json_t *fm)
{
	json_t *list = language_list(json_object_get(fm, "language"));
	json_t *langs = NULL, *v;
	char from[300], text[128];
	size_t i;
	int rc = 0;

	if (list == NULL)
		return MF_E_NOMEM;
	json_array_foreach(list, i, v)
	{
		snprintf(from, sizeof(from), "front matter: language[%zu]", i);
		scalar_text(text, sizeof(text), v);
		if (!valid_language(text)) {
			if ((rc =
			         unmapped(imp, from,
			                  "not a BCP 47 language tag (e.g. en, "
			                  "pt-BR)")) != 0)
				break;
			continue;
		}
		if (langs == NULL && (langs = json_array()) == NULL) {
			rc = MF_E_NOMEM;
			break;
		}
		json_array_append_new(langs, json_string(text));
		snprintf(text, sizeof(text), "/model/languages/%zu",
		         json_array_size(langs) - 1);
		if ((rc = mapped(imp, from, text, v, NULL)) != 0)
			break;
	}
	if (rc == 0 && langs != NULL) {
		rc = set_at(imp->disclosure, "/model/languages", langs);
		langs = NULL;
	}
	json_decref(langs);
	json_decref(list);
	return rc;
}

static int
map_pipeline(struct mf_hf_import *imp, const json_t *fm)
{
	const char *tag = str(json_object_get(fm, "pipeline_tag"));
	const char *back;
	json_t *mods;
	char note[200];
	int rc;

	if (json_object_get(fm, "pipeline_tag") == NULL)
		return 0;
	if (tag == NULL || (mods = mf_hf_pipeline_modalities(tag)) == NULL)
		return unmapped(imp, "front matter: pipeline_tag",
		                "a pipeline tag modelfacts has no modalities "
		                "for");
	back = mf_hf_pipeline_tag(mods);
	snprintf(note, sizeof(note),
	         "as input and output modalities; a card written back says "
	         "%s",
	         back != NULL ? back : "no pipeline_tag");
	if ((rc = set_at(imp->disclosure, "/model/modalities", mods)) == 0)
		rc = mapped(
		    imp, "front matter: pipeline_tag", "/model/modalities",
		    json_object_get(fm, "pipeline_tag"),
		    back != NULL && strcmp(back, tag) == 0 ? NULL : note);
	return rc;
}

/* ---- eval results ---- */

/* fraction when the value is in [0,1], percent in (1,100], else the
 * weakest claim. */
static const char *
guess_scale(double v)
{
	if (v >= 0 && v <= 1)
		return "fraction";
	if (v > 1 && v <= 100)
		return "percent";
	return v >= 0 ? "non_negative" : "unbounded";
}

static bool
valid_benchmark_id(const char *s)
{
	size_t i;

	if (s == NULL || !isalnum((unsigned char)s[0]) || strlen(s) > 128)
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("._/-", s[i]) == NULL)
			return false;
	return true;
}

static bool
valid_metric(const char *s)
{
	size_t i;

	if (s == NULL || !isalnum((unsigned char)s[0]) || strlen(s) > 64)
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("@._/ -", s[i]) == NULL)
			return false;
	return true;
}

static bool
short_name(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= NAME_MAX_LEN;
}

static json_t *
new_eval(struct mf_hf_import *imp)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:I}", "type",
	                 "eval-result", "registry", imp->opt.registry,
	                 "subject", "org", imp->opt.org, "model",
	                 imp->opt.model, "issued_at", imp->opt.issued_at, "seq",
	                 (json_int_t)imp->next_seq);
}

/* Copies an optional short string member into ev at key (reporting a
 * value that does not fit). */
static int
copy_name(struct mf_hf_import *imp, json_t *target, const char *key,
          const json_t *v, const char *from)
{
	if (v == NULL)
		return 0;
	if (!short_name(str(v)))
		return unmapped(imp, from, "not a short single-line text");
	return json_object_set_new(target, key, json_string(str(v))) != 0
	           ? MF_E_NOMEM
	           : 0;
}

static int
append_summary(struct mf_hf_import *imp, const json_t *ev)
{
	json_t *results = get_at(imp->disclosure, "/evaluations/results");
	json_t *bm = json_object_get(ev, "benchmark");
	json_t *s;

	if (results == NULL) {
		if (set_at(imp->disclosure, "/evaluations/results",
		           json_array()) != 0)
			return MF_E_NOMEM;
		results = get_at(imp->disclosure, "/evaluations/results");
	}
	s = json_pack("{s:O, s:O, s:O, s:O, s:s}", "benchmark",
	              json_object_get(bm, "id"), "metric",
	              json_object_get(json_object_get(ev, "metric"), "name"),
	              "value", json_object_get(ev, "value"), "scale",
	              json_object_get(json_object_get(ev, "metric"), "scale"),
	              "assurance", "self_reported");
	if (s != NULL && json_object_get(ev, "artifacts_url") != NULL)
		json_object_set(s, "url", json_object_get(ev, "artifacts_url"));
	if (s == NULL || json_array_append_new(results, s) != 0)
		return MF_E_NOMEM;
	return 0;
}

/* One model-index result's metric as an eval-result payload. */
static int
model_index_metric(struct mf_hf_import *imp, const json_t *result,
                   const json_t *metric, const char *from)
{
	const json_t *task = json_object_get(result, "task");
	const json_t *ds = json_object_get(result, "dataset");
	const json_t *src = json_object_get(result, "source");
	const char *type = str(json_object_get(ds, "type"));
	const char *mname = str(json_object_get(metric, "type"));
	const json_t *value = json_object_get(metric, "value");
	json_t *ev = NULL, *bm;
	char to[64], sub[400];
	double v;
	int rc = 0;

	if (!valid_benchmark_id(type) || !valid_metric(mname) ||
	    !json_is_number(value))
		return unmapped(imp, from,
		                !json_is_number(value)
		                    ? "the metric value is not a number"
		                    : "dataset.type or metric.type is not an "
		                      "id modelfacts accepts");
	v = json_number_value(value);
	if ((ev = new_eval(imp)) == NULL)
		return MF_E_NOMEM;
	bm = json_pack("{s:s}", "id", type);
	json_object_set_new(ev, "benchmark", bm);
	snprintf(sub, sizeof(sub), "%s dataset.name", from);
	/* a name that only repeats the id says nothing more */
	if (str(json_object_get(ds, "name")) == NULL ||
	    strcmp(str(json_object_get(ds, "name")), type) != 0)
		rc = copy_name(imp, bm, "name", json_object_get(ds, "name"),
		               sub);
	snprintf(sub, sizeof(sub), "%s dataset.revision", from);
	if (rc == 0)
		rc = copy_name(imp, bm, "revision",
		               json_object_get(ds, "revision"), sub);
	snprintf(sub, sizeof(sub), "%s task.type", from);
	if (rc == 0 &&
	    (str(json_object_get(task, "type")) == NULL ||
	     strcmp(str(json_object_get(task, "type")), "other") != 0))
		rc = copy_name(imp, ev, "task", json_object_get(task, "type"),
		               sub);
	snprintf(sub, sizeof(sub), "%s dataset.config", from);
	if (rc == 0)
		rc = copy_name(imp, ev, "config", json_object_get(ds, "config"),
		               sub);
	snprintf(sub, sizeof(sub), "%s dataset.split", from);
	if (rc == 0)
		rc = copy_name(imp, ev, "split", json_object_get(ds, "split"),
		               sub);
	if (rc == 0)
		rc =
		    json_object_set_new(ev, "metric",
		                        json_pack("{s:s, s:s}", "name", mname,
		                                  "scale", guess_scale(v))) != 0
		        ? MF_E_NOMEM
		        : 0;
	if (rc == 0)
		json_object_set_new(ev, "value", json_real(v));
	if (rc == 0 && src != NULL) {
		const char *u = str(json_object_get(src, "url"));

		snprintf(sub, sizeof(sub), "%s source.name", from);
		rc = copy_name(imp, ev, "evaluator",
		               json_object_get(src, "name"), sub);
		if (rc == 0 && u != NULL && valid_url(u))
			json_object_set_new(ev, "artifacts_url",
			                    json_string(u));
		else if (rc == 0 && u != NULL)
			rc = unmapped(imp, from,
			              "source.url is not an http(s) URL");
	}
	if (rc == 0)
		json_object_set_new(ev, "assurance",
		                    json_string("self_reported"));
	if (rc == 0 && json_object_get(task, "name") != NULL)
		rc = unmapped(imp, from,
		              "task.name (a display name) has no field in "
		              "eval-result; task.type is kept");
	if (rc == 0 && json_object_get(metric, "name") != NULL)
		rc = unmapped(imp, from,
		              "metric.name (a display name) has no field in "
		              "eval-result; metric.type is kept");
	if (rc == 0 && (json_object_get(metric, "args") != NULL ||
	                json_object_get(ds, "args") != NULL ||
	                json_object_get(metric, "config") != NULL))
		rc = unmapped(imp, from,
		              "dataset.args, metric.args and metric.config "
		              "have no field in eval-result");
	if (rc == 0 && json_is_true(json_object_get(metric, "verified")))
		rc = unmapped(imp, from,
		              "verified: true (the Hub ran it) cannot be "
		              "carried over: the result is self-reported "
		              "until an evaluator signs it");
	if (rc == 0)
		rc = append_summary(imp, ev);
	if (rc == 0) {
		snprintf(to, sizeof(to), "eval-result %lld (seq)",
		         imp->next_seq);
		rc = mapped(imp, from, to, value, NULL);
	}
	if (rc == 0 && json_array_append(imp->evals, ev) != 0)
		rc = MF_E_NOMEM;
	imp->next_seq++;
	json_decref(ev);
	return rc;
}

static int
map_model_index(struct mf_hf_import *imp, const json_t *fm)
{
	const json_t *mi = json_object_get(fm, "model-index");
	const json_t *entry, *result, *metric;
	char from[300];
	size_t i, j, k;
	int rc = 0;

	if (mi == NULL)
		return 0;
	if (!json_is_array(mi))
		return unmapped(imp, "front matter: model-index", "not a list");
	json_array_foreach(mi, i, entry)
	{
		const json_t *results = json_object_get(entry, "results");

		json_array_foreach(results, j, result)
		{
			json_array_foreach(json_object_get(result, "metrics"),
			                   k, metric)
			{
				snprintf(from, sizeof(from),
				         "front matter: "
				         "model-index[%zu].results[%zu]."
				         "metrics[%zu]",
				         i, j, k);
				if ((rc = model_index_metric(
				         imp, result, metric, from)) != 0)
					return rc;
			}
		}
	}
	return 0;
}

int
mf_hf_eval_results_add(struct mf_hf_import *imp, const char *name,
                       const char *text, size_t len, struct mf_error *err)
{
	json_t *doc = NULL, *entry;
	char from[400], sub[460], to[64];
	size_t i, bad_line;
	int rc;

	if (!valid_utf8(text, len, &bad_line))
		return mf_error_set(err, MF_E_BAD_UTF8, NULL,
		                    "%s is not UTF-8 text (line %zu)", name,
		                    bad_line);
	if ((rc = mf_yaml_parse(&doc, text, len, err)) != 0)
		return rc;
	if (!json_is_array(doc)) {
		rc = mf_error_set(err, MF_E_BAD_REQUEST, NULL,
		                  "%s: an .eval_results file is a YAML list",
		                  name);
		goto done;
	}
	json_array_foreach(doc, i, entry)
	{
		const json_t *ds = json_object_get(entry, "dataset");
		const json_t *src = json_object_get(entry, "source");
		const json_t *value = json_object_get(entry, "value");
		const char *id = str(json_object_get(ds, "id"));
		const char *date = str(json_object_get(entry, "date"));
		const char *fw =
		    str(json_object_get(entry, "evaluation_framework"));
		const char *notes = str(json_object_get(entry, "notes"));
		json_t *ev;
		double v;

		snprintf(from, sizeof(from), "%s[%zu]", name, i);
		if (!valid_benchmark_id(id) || !json_is_number(value)) {
			if ((rc =
			         unmapped(imp, from,
			                  "needs dataset.id (a Hub dataset id) "
			                  "and a numeric value")) != 0)
				goto done;
			continue;
		}
		v = json_number_value(value);
		if ((ev = new_eval(imp)) == NULL) {
			rc = MF_E_NOMEM;
			goto done;
		}
		json_object_set_new(ev, "benchmark",
		                    json_pack("{s:s}", "id", id));
		snprintf(sub, sizeof(sub), "%s dataset.revision", from);
		rc =
		    copy_name(imp, json_object_get(ev, "benchmark"), "revision",
		              json_object_get(ds, "revision"), sub);
		snprintf(sub, sizeof(sub), "%s dataset.task_id", from);
		if (rc == 0)
			rc = copy_name(imp, ev, "task",
			               json_object_get(ds, "task_id"), sub);
		snprintf(sub, sizeof(sub), "%s dataset.config", from);
		if (rc == 0)
			rc = copy_name(imp, ev, "config",
			               json_object_get(ds, "config"), sub);
		snprintf(sub, sizeof(sub), "%s dataset.split", from);
		if (rc == 0)
			rc = copy_name(imp, ev, "split",
			               json_object_get(ds, "split"), sub);
		/* The file names no metric: the benchmark's eval.yaml
		 * defines it; "score" stands for that one. */
		json_object_set_new(ev, "metric",
		                    json_pack("{s:s, s:s}", "name", "score",
		                              "scale", guess_scale(v)));
		json_object_set_new(ev, "value", json_real(v));
		if (rc == 0 && date != NULL) {
			if (strlen(date) >= 10 && date[4] == '-' &&
			    date[7] == '-') {
				char d[11];

				memcpy(d, date, 10);
				d[10] = '\0';
				json_object_set_new(ev, "evaluated_on",
				                    json_string(d));
				if (strlen(date) > 10)
					rc = unmapped(
					    imp, from,
					    "date: the time of day is "
					    "dropped (evaluated_on is a "
					    "date)");
			} else {
				rc =
				    unmapped(imp, from, "date is not ISO 8601");
			}
		}
		if (rc == 0 && src != NULL) {
			const char *u = str(json_object_get(src, "url"));

			snprintf(sub, sizeof(sub), "%s source.name", from);
			rc = copy_name(imp, ev, "evaluator",
			               json_object_get(src, "name"), sub);
			if (rc == 0 && u != NULL && valid_url(u))
				json_object_set_new(ev, "artifacts_url",
				                    json_string(u));
			else if (rc == 0 && u != NULL)
				rc = unmapped(imp, from,
				              "source.url is not an http(s) "
				              "URL");
			if (rc == 0 && json_object_get(src, "user") != NULL)
				rc = unmapped(imp, from,
				              "source.user has no field in "
				              "eval-result");
		}
		if (rc == 0 && fw != NULL && short_name(fw))
			json_object_set_new(ev, "harness",
			                    json_pack("{s:s}", "name", fw));
		if (rc == 0 && notes != NULL && strlen(notes) <= LONG_MAX_LEN &&
		    notes[0] != '\0')
			json_object_set_new(ev, "notes", json_string(notes));
		if (rc == 0 && json_object_get(entry, "verifyToken") != NULL)
			rc = unmapped(imp, from,
			              "verifyToken (the Hub's proof of an "
			              "audited run) is not carried over; the "
			              "result is self-reported");
		json_object_set_new(ev, "assurance",
		                    json_string("self_reported"));
		if (rc == 0)
			rc = append_summary(imp, ev);
		snprintf(to, sizeof(to), "eval-result %lld (seq)",
		         imp->next_seq);
		if (rc == 0)
			rc = mapped(imp, from, to, value, NULL);
		if (rc == 0 && json_array_append(imp->evals, ev) != 0)
			rc = MF_E_NOMEM;
		imp->next_seq++;
		json_decref(ev);
		if (rc != 0)
			goto done;
	}
done:
	json_decref(doc);
	return rc;
}

/* ---- the Markdown body ---- */

struct body {
	struct mf_hf_import *imp;
	const char *text;
	size_t len;
	struct mf_buf acc[S_UNMAPPED + 1]; /* long texts per section */
	json_t *items[S_UNMAPPED + 1];     /* list items per section */
	char heading[200];                 /* first H1, for the name */
	char developer[NAME_MAX_LEN + 1];
};

/* The text of a node's inline children. */
static void
inline_text(cmark_node *n, struct mf_buf *out)
{
	cmark_node *c;

	for (c = cmark_node_first_child(n); c != NULL; c = cmark_node_next(c)) {
		const char *lit = cmark_node_get_literal(c);

		if (lit != NULL && (cmark_node_get_type(c) == CMARK_NODE_TEXT ||
		                    cmark_node_get_type(c) == CMARK_NODE_CODE))
			mf_buf_puts(out, lit);
		else if (cmark_node_get_type(c) == CMARK_NODE_SOFTBREAK ||
		         cmark_node_get_type(c) == CMARK_NODE_LINEBREAK)
			mf_buf_putc(out, ' ');
		else
			inline_text(c, out);
	}
}

static enum sect
classify(const char *heading)
{
	char low[200];
	size_t i, n = 0;

	for (i = 0; heading[i] && n + 1 < sizeof(low); i++)
		low[n++] = (char)tolower((unsigned char)heading[i]);
	low[n] = '\0';
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strncmp(low, sections[i].heading,
		            strlen(sections[i].heading)) == 0)
			return sections[i].sect;
	return S_NONE;
}

/* The source lines [start, end] (1-based) of the body. */
static void
source_lines(const struct body *b, int start, int end, struct mf_buf *out)
{
	const char *p = b->text, *e = b->text + b->len;
	int line = 1;

	while (p < e && line < start) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));

		p = nl != NULL ? nl + 1 : e;
		line++;
	}
	while (p < e && line <= end) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(e - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		mf_buf_append(out, p, n);
		mf_buf_putc(out, '\n');
		p = nl != NULL ? nl + 1 : e;
		line++;
	}
}

static void
trim(struct mf_buf *b)
{
	size_t s = 0;

	if (b->data == NULL)
		return;
	while (b->len > 0 && isspace((unsigned char)b->data[b->len - 1]))
		b->len--;
	b->data[b->len] = '\0';
	while (s < b->len && isspace((unsigned char)b->data[s]))
		s++;
	memmove(b->data, b->data + s, b->len - s + 1);
	b->len -= s;
}

static bool
is_placeholder(const char *s)
{
	return strcmp(s, "[More Information Needed]") == 0 ||
	       strcmp(s, "More information needed") == 0 || s[0] == '\0';
}

/*
 * A "- **Key:** value" details list (the template's Model Details and
 * Environmental Impact); returns whether every item is one, and hands
 * each pair to the section.
 */
static bool
details_list(struct body *b, cmark_node *list, enum sect sect)
{
	cmark_node *item, *para, *strong;
	struct mf_buf key = MF_BUF_INIT, val = MF_BUF_INIT;
	bool all = true;

	for (item = cmark_node_first_child(list); item != NULL && all;
	     item = cmark_node_next(item)) {
		para = cmark_node_first_child(item);
		strong = para != NULL ? cmark_node_first_child(para) : NULL;
		all = strong != NULL &&
		      cmark_node_get_type(strong) == CMARK_NODE_STRONG;
	}
	if (!all)
		return false;
	for (item = cmark_node_first_child(list); item != NULL;
	     item = cmark_node_next(item)) {
		cmark_node *c;
		char low[64];
		size_t i;

		para = cmark_node_first_child(item);
		strong = cmark_node_first_child(para);
		mf_buf_clear(&key);
		mf_buf_clear(&val);
		inline_text(strong, &key);
		for (c = cmark_node_next(strong); c != NULL;
		     c = cmark_node_next(c)) {
			const char *lit = cmark_node_get_literal(c);

			if (cmark_node_get_type(c) == CMARK_NODE_LINK &&
			    cmark_node_get_url(c) != NULL)
				mf_buf_puts(&val, cmark_node_get_url(c));
			else if (lit != NULL)
				mf_buf_puts(&val, lit);
			else
				inline_text(c, &val);
		}
		trim(&key);
		trim(&val);
		if (key.len > 0 && key.data[key.len - 1] == ':')
			key.data[--key.len] = '\0';
		if (val.len > 0 && val.data[0] == ':') {
			memmove(val.data, val.data + 1, val.len);
			val.len--;
			trim(&val);
		}
		for (i = 0;
		     key.data != NULL && key.data[i] && i + 1 < sizeof(low);
		     i++)
			low[i] = (char)tolower((unsigned char)key.data[i]);
		low[key.data != NULL ? i : 0] = '\0';
		if (val.data == NULL || is_placeholder(val.data))
			continue;
		if (sect == S_DESCRIPTION &&
		    strncmp(low, "developed by", 12) == 0 &&
		    val.len <= NAME_MAX_LEN) {
			snprintf(b->developer, sizeof(b->developer), "%s",
			         val.data);
			set_at(b->imp->disclosure, "/identity/developer",
			       json_string(val.data));
			mapped(b->imp, "card: Developed by",
			       "/identity/developer", NULL, NULL);
		} else if (sect == S_ENV) {
			double amount = strtod(val.data, NULL);
			json_t *q = NULL;
			const char *ptr = NULL;

			if (strncmp(low, "hardware type", 13) == 0 &&
			    val.len <= NAME_MAX_LEN) {
				ptr = "/compute/hardware";
				q = json_pack("{s:s}", "type", val.data);
			} else if (strncmp(low, "hours used", 10) == 0) {
				ptr = "/compute/accelerator_hours";
				q = amount > 0 &&
				            isdigit((unsigned char)val.data[0])
				        ? json_pack("{s:f, s:s}", "amount",
				                    amount, "unit", "hours")
				        : json_pack("{s:s}", "note", val.data);
			} else if (strncmp(low, "cloud provider", 14) == 0 &&
			           val.len <= NAME_MAX_LEN) {
				ptr = "/compute/provider";
				q = json_string(val.data);
			} else if (strncmp(low, "compute region", 14) == 0 &&
			           val.len <= TEXT_MAX_LEN) {
				ptr = "/compute/location";
				q = json_string(val.data);
			} else if (strncmp(low, "carbon emitted", 14) == 0) {
				ptr = "/compute/emissions";
				q = amount >= 0 &&
				            isdigit((unsigned char)val.data[0])
				        ? json_pack("{s:f, s:s}", "amount",
				                    amount, "unit",
				                    strstr(val.data, "kg") !=
				                            NULL
				                        ? "kgCO2e"
				                        : "tCO2e")
				        : json_pack("{s:s}", "note", val.data);
			}
			if (ptr != NULL && q != NULL) {
				char from[100];

				snprintf(from, sizeof(from),
				         "section: Environmental Impact: %s",
				         key.data);
				cut_utf8(from);
				set_at(b->imp->disclosure, ptr, q);
				mapped(b->imp, from, ptr, NULL, NULL);
			} else {
				char from[100];

				json_decref(q);
				snprintf(from, sizeof(from),
				         "section: Environmental Impact: %s",
				         key.data);
				cut_utf8(from);
				unmapped(b->imp, from,
				         "no compute field for it");
			}
		} else if (sect == S_DESCRIPTION &&
		           (strncmp(low, "repository", 10) == 0 ||
		            strncmp(low, "paper", 5) == 0) &&
		           valid_url(val.data)) {
			json_t *docs = get_at(b->imp->disclosure,
			                      "/identity/documentation");

			if (docs == NULL) {
				set_at(b->imp->disclosure,
				       "/identity/documentation", json_array());
				docs = get_at(b->imp->disclosure,
				              "/identity/documentation");
			}
			json_array_append_new(docs, json_string(val.data));
			mapped(b->imp, "card: Repository / Paper link",
			       "/identity/documentation", NULL, NULL);
		} else {
			char from[100];

			snprintf(from, sizeof(from), "card: %s", key.data);
			cut_utf8(from);
			unmapped(b->imp, from,
			         sect == S_DESCRIPTION
			             ? "a detail the disclosure has no "
			               "field for, or front matter states it"
			             : "no field for it");
		}
	}
	mf_buf_dispose(&key);
	mf_buf_dispose(&val);
	return true;
}

/*
 * A list item's text without its marker: the first line from the
 * content's column, the others less the indentation that makes them
 * part of the item.
 */
static void
item_text(const struct body *b, cmark_node *item, struct mf_buf *out)
{
	struct mf_buf raw = MF_BUF_INIT;
	cmark_node *first = cmark_node_first_child(item);
	int col = first != NULL ? cmark_node_get_start_column(first) : 1;
	const char *p, *e;
	bool first_line = true;

	source_lines(b, cmark_node_get_start_line(item),
	             cmark_node_get_end_line(item), &raw);
	p = raw.data;
	e = raw.data != NULL ? raw.data + raw.len : NULL;
	while (p != NULL && p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(e - p);
		size_t skip = 0;

		if (first_line)
			skip = (size_t)(col > 1 ? col - 1 : 0);
		else
			while (skip < n && (int)skip < col - 1 &&
			       p[skip] == ' ')
				skip++;
		if (skip > n)
			skip = n;
		if (!first_line)
			mf_buf_putc(out, '\n');
		mf_buf_append(out, p + skip, n - skip);
		first_line = false;
		p = nl != NULL ? nl + 1 : e;
	}
	mf_buf_dispose(&raw);
	trim(out);
}

/* One block under a heading of section sect. */
static void
take_block(struct body *b, cmark_node *n, enum sect sect)
{
	cmark_node_type t = cmark_node_get_type(n);
	struct mf_buf text = MF_BUF_INIT;

	if (t == CMARK_NODE_HTML_BLOCK) {
		const char *lit = cmark_node_get_literal(n);

		if (lit != NULL && strncmp(lit, "<!--", 4) == 0)
			return; /* the template's guidance comments */
	}
	/* code in a list section (how to call the model) is not a use or
	 * a limitation */
	if (t == CMARK_NODE_CODE_BLOCK && b->items[sect] != NULL) {
		unmapped(b->imp, "card: a code block under a list section",
		         "code is not a use or a limitation");
		return;
	}
	if (t == CMARK_NODE_LIST && (sect == S_DESCRIPTION || sect == S_ENV) &&
	    details_list(b, n, sect))
		return;
	if (sect == S_ENV || sect == S_CONTACT) {
		if (sect == S_CONTACT) {
			source_lines(b, cmark_node_get_start_line(n),
			             cmark_node_get_end_line(n), &text);
			trim(&text);
			if (text.data != NULL && !is_placeholder(text.data)) {
				char *at = strchr(text.data, '@');
				char *s = at, *e = at;

				while (s != NULL && s > text.data &&
				       !isspace((unsigned char)s[-1]) &&
				       s[-1] != '<' && s[-1] != '(' &&
				       s[-1] != '[')
					s--;
				while (e != NULL && *e &&
				       !isspace((unsigned char)*e) &&
				       *e != '>' && *e != ')' && *e != ']')
					e++;
				if (at != NULL && e > at + 3 &&
				    strchr(at, '.') != NULL) {
					*e = '\0';
					set_at(b->imp->disclosure,
					       "/downstream/feedback",
					       json_pack("{s:s}", "email", s));
					mapped(b->imp,
					       "section: Model Card Contact",
					       "/downstream/feedback/email",
					       NULL, NULL);
				} else if (valid_url(text.data)) {
					set_at(b->imp->disclosure,
					       "/downstream/feedback",
					       json_pack("{s:s}", "url",
					                 text.data));
					mapped(b->imp,
					       "section: Model Card Contact",
					       "/downstream/feedback/url", NULL,
					       NULL);
				} else {
					unmapped(b->imp,
					         "section: Model Card Contact",
					         "neither an email address nor "
					         "a URL");
				}
			}
		}
		mf_buf_dispose(&text);
		return;
	}
	if (t == CMARK_NODE_LIST && b->items[sect] != NULL) {
		cmark_node *item;

		for (item = cmark_node_first_child(n); item != NULL;
		     item = cmark_node_next(item)) {
			mf_buf_clear(&text);
			item_text(b, item, &text);
			if (text.data != NULL && !is_placeholder(text.data))
				json_array_append_new(b->items[sect],
				                      json_string(text.data));
		}
		mf_buf_dispose(&text);
		return;
	}
	source_lines(b, cmark_node_get_start_line(n),
	             cmark_node_get_end_line(n), &text);
	trim(&text);
	if (text.data != NULL && !is_placeholder(text.data)) {
		if (b->items[sect] != NULL)
			json_array_append_new(b->items[sect],
			                      json_string(text.data));
		else {
			if (b->acc[sect].len > 0)
				mf_buf_puts(&b->acc[sect], "\n\n");
			mf_buf_puts(&b->acc[sect], text.data);
		}
	}
	mf_buf_dispose(&text);
}

static int
map_body(struct mf_hf_import *imp, const char *text, size_t len)
{
	struct body b;
	cmark_node *doc, *n;
	enum sect stack[7] = {S_NONE, S_NONE, S_NONE, S_NONE,
	                      S_NONE, S_NONE, S_NONE};
	char names[7][200];
	size_t i;
	int level, cur_level = 0, rc = 0;

	memset(&b, 0, sizeof(b));
	memset(names, 0, sizeof(names));
	b.imp = imp;
	b.text = text;
	b.len = len;
	for (i = 0; i <= S_UNMAPPED; i++)
		mf_buf_init(&b.acc[i], LONG_MAX_LEN * 2);
	for (i = 0; i < sizeof(sect_fields) / sizeof(sect_fields[0]); i++)
		if (sect_fields[i].list)
			b.items[sect_fields[i].sect] = json_array();
	if ((doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT)) ==
	    NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	/* 1. Walk the top-level blocks, each under its nearest heading. */
	for (n = cmark_node_first_child(doc); n != NULL;
	     n = cmark_node_next(n)) {
		enum sect s = S_NONE;
		int l;

		if (cmark_node_get_type(n) == CMARK_NODE_HEADING) {
			struct mf_buf h = MF_BUF_INIT;

			inline_text(n, &h);
			trim(&h);
			level = cmark_node_get_heading_level(n);
			if (level == 1 && b.heading[0] == '\0' && h.data) {
				snprintf(b.heading, sizeof(b.heading), "%s",
				         h.data);
				cut_utf8(b.heading);
			}
			stack[level] = level == 1
			                   ? S_DESCRIPTION
			                   : classify(h.data ? h.data : "");
			/* a card without an H1 is titled by its first
			 * heading, when that names no section */
			if (level > 1 && cur_level == 0 &&
			    stack[level] == S_NONE && b.heading[0] == '\0' &&
			    h.data != NULL) {
				stack[level] = S_DESCRIPTION;
				snprintf(b.heading, sizeof(b.heading), "%s",
				         h.data);
				cut_utf8(b.heading);
			}
			snprintf(names[level], sizeof(names[level]), "%s",
			         h.data ? h.data : "");
			cut_utf8(names[level]);
			for (l = level + 1; l < 7; l++)
				stack[l] = S_NONE;
			cur_level = level;
			mf_buf_dispose(&h);
			continue;
		}
		/* a sub-heading inherits its parent section; the title's
		 * (H1) own text is the description */
		for (l = cur_level; l >= 2 && s == S_NONE; l--)
			s = stack[l];
		if (cur_level == 1)
			s = stack[1];
		if (cur_level == 0)
			s = S_DESCRIPTION; /* before any heading: the intro */
		if (s == S_NONE || s == S_UNMAPPED) {
			char from[260], reason[120];

			/* report each unmapped heading once */
			if (names[cur_level][0] != '\0') {
				snprintf(from, sizeof(from), "section: %s",
				         names[cur_level]);
				snprintf(reason, sizeof(reason), "%s",
				         s == S_UNMAPPED
				             ? "the disclosure has no field "
				               "for this section"
				             : "not a section heading "
				               "modelfacts maps");
				unmapped(imp, from, reason);
				names[cur_level][0] = '\0';
			}
			continue;
		}
		take_block(&b, n, s);
	}
	/* 2. The collected texts into their fields. */
	for (i = 0; i < sizeof(sect_fields) / sizeof(sect_fields[0]); i++) {
		enum sect s = sect_fields[i].sect;
		char from[100];
		size_t k;
		json_t *it;

		snprintf(from, sizeof(from), "section: %s",
		         sect_fields[i].name);
		if (sect_fields[i].list) {
			json_t *ok = json_array();

			json_array_foreach(b.items[s], k, it)
			{
				if (strlen(json_string_value(it)) >
				    sect_fields[i].max)
					unmapped(imp, from,
					         "an item longer than 2000 "
					         "characters");
				else if (json_array_size(ok) < 100)
					json_array_append(ok, it);
			}
			if (json_array_size(ok) > 0) {
				rc = mapped(imp, from, sect_fields[i].pointer,
				            NULL, NULL);
				if (rc == 0)
					rc = set_at(imp->disclosure,
					            sect_fields[i].pointer, ok);
				ok = NULL;
			}
			json_decref(ok);
		} else if (b.acc[s].len > 0) {
			if (b.acc[s].len > sect_fields[i].max)
				rc = unmapped(imp, from,
				              "longer than 20000 characters");
			else if ((rc = set_at(imp->disclosure,
			                      sect_fields[i].pointer,
			                      json_string(b.acc[s].data))) == 0)
				rc = mapped(imp, from, sect_fields[i].pointer,
				            NULL, NULL);
		}
		if (rc != 0)
			goto done;
	}
	if (b.heading[0] != '\0' &&
	    get_at(imp->disclosure, "/identity/name") == NULL &&
	    strlen(b.heading) <= NAME_MAX_LEN) {
		rc = set_at(imp->disclosure, "/identity/name",
		            json_string(b.heading));
		if (rc == 0)
			rc = mapped(imp, "card: first heading",
			            "/identity/name", NULL, NULL);
	}
done:
	cmark_node_free(doc);
	for (i = 0; i <= S_UNMAPPED; i++) {
		mf_buf_dispose(&b.acc[i]);
		json_decref(b.items[i]);
	}
	return rc;
}

/* ---- the card ---- */

int
mf_hf_card_looks_like(const char *text, size_t len)
{
	size_t i = 0;

	if (len >= 3 && (unsigned char)text[0] == 0xef &&
	    (unsigned char)text[1] == 0xbb && (unsigned char)text[2] == 0xbf)
		i = 3; /* a byte-order mark */
	while (i < len && (text[i] == '\n' || text[i] == '\r'))
		i++;
	return len - i >= 3 && memcmp(text + i, "---", 3) == 0 &&
	       (len - i == 3 || text[i + 3] == '\n' || text[i + 3] == '\r');
}

/* Splits off the front matter: *fm, *fm_len and *body, *body_len. */
static void
split(const char *text, size_t len, const char **fm, size_t *fm_len,
      const char **body, size_t *body_len, size_t *body_line)
{
	const char *p = text, *e = text + len, *start;
	size_t line = 1;

	*fm = NULL;
	*fm_len = 0;
	*body = text;
	*body_len = len;
	*body_line = 1;
	if (!mf_hf_card_looks_like(text, len))
		return;
	/* to the line after the opening --- */
	while (p < e && *p != '-')
		line += *p++ == '\n';
	p = memchr(p, '\n', (size_t)(e - p));
	if (p == NULL)
		return;
	start = ++p;
	line++;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(e - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 3 && memcmp(p, "---", 3) == 0) {
			*fm = start;
			*fm_len = (size_t)(p - start);
			*body = nl != NULL ? nl + 1 : e;
			*body_len = (size_t)(e - *body);
			*body_line = line + 1;
			return;
		}
		p = nl != NULL ? nl + 1 : e;
		line++;
	}
}

int
mf_hf_card_import(struct mf_hf_import *imp, const char *card, size_t len,
                  const struct mf_hf_options *opt, struct mf_error *err)
{
	const char *fm_text, *body;
	size_t fm_len, body_len, body_line, bad_line, i;
	json_t *fm = NULL;
	const char *k;
	json_t *v;
	char slug[64], name[NAME_MAX_LEN + 1] = "";
	int rc;

	if (len > MF_HF_CARD_MAX)
		return mf_error_set(err, MF_E_TOO_LARGE, NULL,
		                    "a model card larger than %u bytes",
		                    MF_HF_CARD_MAX);
	if (!valid_utf8(card, len, &bad_line))
		return mf_error_set(err, MF_E_BAD_UTF8, NULL,
		                    "the card is not UTF-8 text (line %zu)",
		                    bad_line);
	imp->opt = *opt;
	if (imp->opt.registry == NULL)
		imp->opt.registry = "modelfacts.localhost";
	if (imp->opt.issued_at == NULL)
		imp->opt.issued_at = "1970-01-01T00:00:00Z";
	if (imp->opt.seq < 1)
		imp->opt.seq = 1;
	imp->next_seq = imp->opt.seq + 1;
	imp->disclosure = json_object();
	imp->evals = json_array();
	imp->report =
	    json_pack("{s:[], s:[], s:{}}", "mapped", "not_mapped", "kept");
	if (imp->disclosure == NULL || imp->evals == NULL ||
	    imp->report == NULL)
		return MF_E_NOMEM;
	/* 1. The front matter, through libyaml. */
	split(card, len, &fm_text, &fm_len, &body, &body_len, &body_line);
	if (fm_text != NULL) {
		if ((rc = mf_yaml_parse(&fm, fm_text, fm_len, err)) != 0) {
			/* the line numbers count from the line after the
			 * opening --- */
			char why[MF_ERROR_MESSAGE_MAX];

			snprintf(why, sizeof(why), "%s", err->message);
			mf_error_dispose(err);
			mf_error_init(err);
			return mf_error_set(
			    err, rc, "/front-matter",
			    "the front matter is not valid YAML: "
			    "%s, counting from the line after the "
			    "opening ---",
			    why);
		}
		if (json_is_null(fm)) {
			json_decref(fm);
			fm = json_object();
		}
		if (!json_is_object(fm)) {
			json_decref(fm);
			return mf_error_set(err, MF_E_BAD_REQUEST,
			                    "/front-matter",
			                    "the front matter is not a mapping "
			                    "of field names to values");
		}
	} else if ((fm = json_object()) == NULL) {
		return MF_E_NOMEM;
	}
	/* 2. The payload's frame. The name and the subject come from the
	 * options, the model-index name or the heading (after the body). */
	rc = map_license(imp, fm);
	if (rc == 0)
		rc = map_datasets(imp, fm);
	if (rc == 0)
		rc = map_base_model(imp, fm);
	if (rc == 0)
		rc = map_language(imp, fm);
	if (rc == 0)
		rc = map_pipeline(imp, fm);
	if (rc == 0 &&
	    str(json_object_get(
	        json_array_get(json_object_get(fm, "model-index"), 0),
	        "name")) != NULL) {
		const char *n = str(json_object_get(
		    json_array_get(json_object_get(fm, "model-index"), 0),
		    "name"));

		if (strlen(n) <= NAME_MAX_LEN) {
			rc = set_at(imp->disclosure, "/identity/name",
			            json_string(n));
			if (rc == 0)
				rc = mapped(imp,
				            "front matter: model-index[0].name",
				            "/identity/name", NULL, NULL);
		}
	}
	/* 3. Fields with no home, and unknown fields, into the report. */
	json_object_foreach(fm, k, v)
	{
		bool known = false;
		char from[200];

		for (i = 0; i < sizeof(known_front) / sizeof(known_front[0]);
		     i++)
			known = known || strcmp(k, known_front[i]) == 0;
		snprintf(from, sizeof(from), "front matter: %s", k);
		if (rc == 0 && strcmp(k, "tags") == 0)
			rc = unmapped(imp, from,
			              "the disclosure has no field for tags");
		else if (rc == 0 && strcmp(k, "library_name") == 0)
			rc = unmapped(imp, from,
			              "the disclosure has no field for the "
			              "library that loads the model");
		else if (rc == 0 && strcmp(k, "metrics") == 0)
			rc = unmapped(imp, from,
			              "metric ids alone; results come from "
			              "model-index");
		else if (rc == 0 && !known)
			rc = unmapped(imp, from,
			              "not a field modelfacts maps, and the "
			              "disclosure schema (disclosure.v1, "
			              "additionalProperties false) has no "
			              "extension member to keep it in: it is "
			              "kept in this report only");
		if (rc == 0 && (!known || strcmp(k, "tags") == 0 ||
		                strcmp(k, "library_name") == 0 ||
		                strcmp(k, "metrics") == 0))
			json_object_set(json_object_get(imp->report, "kept"), k,
			                v);
	}
	/* 4. The Markdown body, through libcmark. */
	if (rc == 0)
		rc = map_body(imp, body, body_len);
	(void)body_line;
	/* 5. The subject and the frame. */
	if (rc == 0) {
		const json_t *nm = get_at(imp->disclosure, "/identity/name");
		const char *dev =
		    str(get_at(imp->disclosure, "/identity/developer"));

		if (imp->opt.model == NULL) {
			slugify(slug, sizeof(slug), str(nm) ? str(nm) : "");
			snprintf(name, sizeof(name), "%s",
			         slug[0] ? slug : "model");
			json_object_set_new(imp->report, "model",
			                    json_string(name));
			imp->opt.model = json_string_value(
			    json_object_get(imp->report, "model"));
		}
		if (imp->opt.org == NULL) {
			slugify(slug, sizeof(slug), dev ? dev : "");
			json_object_set_new(
			    imp->report, "org",
			    json_string(slug[0] ? slug : "hf-import"));
			imp->opt.org = json_string_value(
			    json_object_get(imp->report, "org"));
		}
		if (nm == NULL)
			rc = set_at(imp->disclosure, "/identity/name",
			            json_string(imp->opt.model));
	}
	if (rc == 0) {
		json_t *frame = json_pack(
		    "{s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:s?}", "type",
		    "disclosure", "registry", imp->opt.registry, "subject",
		    "org", imp->opt.org, "model", imp->opt.model, "issued_at",
		    imp->opt.issued_at, "seq", (json_int_t)imp->opt.seq,
		    "supersedes", imp->opt.supersedes);

		if (frame == NULL) {
			rc = MF_E_NOMEM;
		} else {
			if (imp->opt.supersedes == NULL)
				json_object_set_new(frame, "supersedes",
				                    json_null());
			json_object_update(frame, imp->disclosure);
			json_decref(imp->disclosure);
			imp->disclosure = frame;
		}
	}
	/* 6. The model-index results as eval results (they need the
	 * subject). */
	if (rc == 0)
		rc = map_model_index(imp, fm);
	json_decref(fm);
	return rc;
}
