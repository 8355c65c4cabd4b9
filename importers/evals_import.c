/*
 * The eval-harness importer's front (evals_import.h): format detection,
 * dispatch to one reader per harness, and the payload skeleton and
 * conversions the readers share (evals_internal.h).
 */
#include "importers/evals_internal.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const format_names[MF_EVALS__MAX] = {
    [MF_EVALS_AUTO] = "auto",
    [MF_EVALS_LM_EVAL] = "lm-eval",
    [MF_EVALS_INSPECT] = "inspect",
    [MF_EVALS_HELM] = "helm",
};

const char *
mf_evals_format_name(enum mf_evals_format f)
{
	return f < MF_EVALS__MAX ? format_names[f] : "unknown";
}

int
mf_evals_format_from_name(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < MF_EVALS__MAX; i++)
		if (strcmp(format_names[i], name) == 0)
			return i;
	return -1;
}

enum mf_evals_format
mf_evals_detect(const struct mf_evals_input *in, struct mf_error *err)
{
	enum mf_evals_format f = MF_EVALS_AUTO;
	json_t *doc;

	if (in->len >= 4 && memcmp(in->data, "PK\3\4", 4) == 0)
		return MF_EVALS_INSPECT;
	if ((doc = mf_evals_parse(in->name, in->data, in->len, err)) == NULL)
		return MF_EVALS_AUTO;
	if (json_is_object(json_object_get(doc, "results")) &&
	    (json_object_get(doc, "configs") != NULL ||
	     json_object_get(doc, "versions") != NULL))
		f = MF_EVALS_LM_EVAL;
	else if (json_is_object(json_object_get(doc, "eval")) &&
	         json_object_get(doc, "results") != NULL)
		f = MF_EVALS_INSPECT;
	else if (json_is_object(json_object_get(doc, "adapter_spec")) &&
	         json_is_object(json_object_get(doc, "scenario_spec")))
		f = MF_EVALS_HELM;
	else
		mf_error_set(err, MF_E_VALIDATION, "",
		             "%s: not an lm-evaluation-harness results file, "
		             "an Inspect log or a HELM run_spec.json (use "
		             "--format to say which)",
		             in->name);
	json_decref(doc);
	return f;
}

int
mf_evals_import(json_t *out, enum mf_evals_format fmt,
                const struct mf_evals_input *in, struct mf_evals_options *opt,
                struct mf_error *err)
{
	if (fmt == MF_EVALS_AUTO &&
	    (fmt = mf_evals_detect(in, err)) == MF_EVALS_AUTO)
		return err->code;
	switch (fmt) {
	case MF_EVALS_LM_EVAL:
		return mf_evals_lmeval(out, in, opt, err);
	case MF_EVALS_INSPECT:
		return mf_evals_inspect(out, in, opt, err);
	case MF_EVALS_HELM:
		return mf_evals_helm(out, in, opt, err);
	default:
		return mf_error_set(err, MF_E_INTERNAL, NULL, "bad format");
	}
}

json_t *
mf_evals_parse(const char *name, const uint8_t *data, size_t len,
               struct mf_error *err)
{
	if (len > MF_EVALS_MAX_BYTES) {
		mf_error_set(err, MF_E_TOO_LARGE, "",
		             "%s: larger than %u bytes", name,
		             MF_EVALS_MAX_BYTES);
		return NULL;
	}
	return mf_json_parse((const char *)data, len, name, "", err);
}

int
mf_evals_fail(struct mf_error *err, const char *file, const char *pointer,
              const char *what)
{
	return mf_error_set(err, MF_E_VALIDATION, pointer, "%s: at %s: %s",
	                    file, pointer[0] ? pointer : "the top", what);
}

int
mf_evals_set_str(json_t *obj, const char *key, const char *s, size_t max)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return 0;
	n = strlen(s);
	if (n > max) {
		n = max;
		/* back to a UTF-8 character boundary */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return json_object_set_new(obj, key, json_stringn(s, n)) == 0
	           ? 0
	           : MF_E_NOMEM;
}

void
mf_evals_id(char *out, size_t size, const char *s)
{
	size_t i = 0, max = size - 1 < 128 ? size - 1 : 128;

	for (; s != NULL && *s != '\0' && i < max; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') ||
		      (i > 0 && strchr("._/-", c) != NULL)))
			c = i > 0 ? '-' : '\0';
		if (c != '\0')
			out[i++] = c;
	}
	if (i == 0)
		out[i++] = 'x';
	out[i] = '\0';
}

/* Metric names: [A-Za-z0-9@._/ -], starting alphanumeric, <= 64. */
static void
metric_name(char *out, size_t size, const char *s)
{
	size_t i = 0, max = size - 1 < 64 ? size - 1 : 64;

	for (; *s != '\0' && i < max; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') ||
		      (i > 0 && strchr("@._/ -", c) != NULL)))
			c = i > 0 ? '-' : '\0';
		if (c != '\0')
			out[i++] = c;
	}
	if (i == 0)
		out[i++] = 'x';
	out[i] = '\0';
}

json_t *
mf_evals_payload_new(struct mf_evals_options *opt, const char *harness,
                     const char *version, const char *url)
{
	json_t *p, *h;

	p = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:I}", "type",
	              "eval-result", "registry", opt->registry, "subject",
	              "org", opt->org, "model", opt->model, "issued_at",
	              opt->issued_at, "seq", (json_int_t)opt->seq);
	h = json_pack("{s:s}", "name", harness);
	if (p == NULL || h == NULL)
		goto fail;
	opt->seq++;
	if (opt->disclosure != NULL &&
	    json_object_set_new(json_object_get(p, "subject"), "disclosure",
	                        json_string(opt->disclosure)) != 0)
		goto fail;
	if (mf_evals_set_str(p, "model_version", opt->model_version, 200) != 0)
		goto fail;
	if (opt->harness_version != NULL)
		version = opt->harness_version;
	if (mf_evals_set_str(h, "version", version, 128) != 0 ||
	    mf_evals_set_str(h, "url", url, 2048) != 0 ||
	    json_object_set_new(p, "harness", h) != 0)
		goto fail_p;
	if (json_object_set_new(p, "assurance",
	                        json_string(opt->third_party
	                                        ? "third_party"
	                                        : "self_reported")) != 0)
		goto fail_p;
	return p;
fail:
	json_decref(h);
fail_p:
	json_decref(p);
	return NULL;
}

int
mf_evals_set_metric(json_t *p, const char *name, const char *scale,
                    bool lower_is_better, double value)
{
	char n[80];
	json_t *m;

	metric_name(n, sizeof(n), name);
	m = json_pack("{s:s, s:s, s:b}", "name", n, "scale", scale,
	              "lower_is_better", lower_is_better);
	if (m == NULL || json_object_set_new(p, "metric", m) != 0 ||
	    json_object_set_new(p, "value", json_real(value)) != 0)
		return MF_E_NOMEM;
	return 0;
}

/* Metric names (before any ",filter" or "_stderr"), by the scale their
 * harnesses document for them. */
static const struct {
	const char *name;
	const char *scale;
	bool lower;
} scales[] = {
    {"acc", "fraction", false},
    {"acc_norm", "fraction", false},
    {"accuracy", "fraction", false},
    {"exact_match", "fraction", false},
    {"quasi_exact_match", "fraction", false},
    {"prefix_exact_match", "fraction", false},
    {"quasi_prefix_exact_match", "fraction", false},
    {"em", "fraction", false},
    {"f1", "fraction", false},
    {"f1_score", "fraction", false},
    {"mcc", "range", false},
    {"mc1", "fraction", false},
    {"mc2", "fraction", false},
    {"math_equiv", "fraction", false},
    {"math_equiv_chain_of_thought", "fraction", false},
    {"rouge_l", "fraction", false},
    {"rouge_1", "fraction", false},
    {"rouge_2", "fraction", false},
    {"pass@1", "fraction", false},
    {"pass@10", "fraction", false},
    {"perplexity", "non_negative", true},
    {"word_perplexity", "non_negative", true},
    {"byte_perplexity", "non_negative", true},
    {"bits_per_byte", "non_negative", true},
    {"brier_score", "fraction", true},
    {"ece_10_bin", "fraction", true},
    {"bleu", "percent", false},
    {"chrf", "percent", false},
    {"ter", "non_negative", true},
};

const char *
mf_evals_scale_of(const char *metric, bool *lower)
{
	size_t i;

	*lower = false;
	for (i = 0; i < sizeof(scales) / sizeof(scales[0]); i++)
		if (strcmp(scales[i].name, metric) == 0) {
			*lower = scales[i].lower;
			/* MCC spans [-1, 1]: a range the schema needs spelled
			 * out, so it is left unbounded here */
			return strcmp(scales[i].scale, "range") == 0
			           ? "unbounded"
			           : scales[i].scale;
		}
	return "unbounded";
}

void
mf_evals_date_unix(char out[11], double t)
{
	struct tm tm;
	time_t s;

	/* 1. Only times with a four-digit year (to 9999-12-31T23:59:59Z)
	 * fit "YYYY-MM-DD"; NaN and the rest give no date. */
	out[0] = '\0';
	if (!(t > 0 && t < 253402300800.0))
		return;
	s = (time_t)t;
	/* 2. strftime leaves out undefined when it does not fit. */
	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		out[0] = '\0';
}

void
mf_evals_date_text(char out[11], const char *s)
{
	int i;

	out[0] = '\0';
	if (s == NULL || strlen(s) < 10)
		return;
	for (i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;

		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return;
	}
	memcpy(out, s, 10);
	out[10] = '\0';
}

/* Appends "/" and token escaped per RFC 6901 (~0, ~1). */
static void
pointer_push(char *out, size_t size, const char *token)
{
	size_t n = strlen(out);

	if (n + 1 < size)
		out[n++] = '/';
	for (; token != NULL && *token != '\0' && n + 2 < size; token++) {
		if (*token == '~' || *token == '/') {
			out[n++] = '~';
			out[n++] = *token == '~' ? '0' : '1';
		} else
			out[n++] = *token;
	}
	out[n] = '\0';
}

void
mf_evals_pointer(char *out, size_t size, const char *a, const char *b,
                 const char *c)
{
	out[0] = '\0';
	if (a != NULL)
		pointer_push(out, size, a);
	if (b != NULL)
		pointer_push(out, size, b);
	if (c != NULL)
		pointer_push(out, size, c);
}

/* The shortest %g text of d that reads back as d. */
static int
put_real(struct mf_buf *b, double d)
{
	char s[40];
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	/* keep it a JSON number with a fraction or exponent: a real */
	if (strpbrk(s, ".eE") == NULL)
		strncat(s, ".0", sizeof(s) - strlen(s) - 1);
	return mf_buf_puts(b, s);
}

static int
put_string(struct mf_buf *b, const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	char *t = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
	int rc = t ? mf_buf_puts(b, t) : MF_E_NOMEM;

	free(t);
	json_decref(v);
	return rc;
}

static int
dump(struct mf_buf *b, const json_t *v, int depth)
{
	const char *key;
	json_t *x;
	size_t i, n = 0;
	int rc = 0;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) == 0)
			return mf_buf_puts(b, "{}");
		rc = mf_buf_puts(b, "{");
		json_object_foreach((json_t *)v, key, x)
		{
			rc = rc ? rc : mf_buf_puts(b, n++ ? ",\n" : "\n");
			rc = rc ? rc
			        : mf_buf_printf(b, "%*s", 2 * (depth + 1), "");
			rc = rc ? rc : put_string(b, key, strlen(key));
			rc = rc ? rc : mf_buf_puts(b, ": ");
			rc = rc ? rc : dump(b, x, depth + 1);
		}
		rc = rc ? rc : mf_buf_printf(b, "\n%*s}", 2 * depth, "");
		return rc;
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			return mf_buf_puts(b, "[]");
		rc = mf_buf_puts(b, "[");
		json_array_foreach(v, i, x)
		{
			rc = rc ? rc : mf_buf_puts(b, i ? ",\n" : "\n");
			rc = rc ? rc
			        : mf_buf_printf(b, "%*s", 2 * (depth + 1), "");
			rc = rc ? rc : dump(b, x, depth + 1);
		}
		rc = rc ? rc : mf_buf_printf(b, "\n%*s]", 2 * depth, "");
		return rc;
	case JSON_STRING:
		return put_string(b, json_string_value(v),
		                  json_string_length(v));
	case JSON_INTEGER:
		return mf_buf_printf(b, "%" JSON_INTEGER_FORMAT,
		                     json_integer_value(v));
	case JSON_REAL:
		return put_real(b, json_real_value(v));
	case JSON_TRUE:
		return mf_buf_puts(b, "true");
	case JSON_FALSE:
		return mf_buf_puts(b, "false");
	default:
		return mf_buf_puts(b, "null");
	}
}

int
mf_evals_dump(struct mf_buf *b, const json_t *v)
{
	int rc = dump(b, v, 0);

	return rc ? rc : mf_buf_puts(b, "\n");
}
