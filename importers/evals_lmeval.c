/*
 * lm-evaluation-harness results_*.json (EleutherAI): one payload per task
 * and metric in "results" ("acc,none" is metric acc under filter none,
 * "acc_stderr,none" its standard error), pinned by the task's entry in
 * "configs" (dataset path, name and revision, split, shots), its version
 * in "versions" and the harness's lm_eval_version or git_hash.
 */
#include "importers/evals_internal.h"
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HARNESS     "lm-evaluation-harness"
#define HARNESS_URL "https://github.com/EleutherAI/lm-evaluation-harness"

/* The dataset revision a task config pins, if any. */
static const char *
dataset_revision(const json_t *cfg)
{
	const char *r = mf_json_str(cfg, "revision");

	if (r == NULL)
		r = mf_json_str(json_object_get(cfg, "dataset_kwargs"),
		                "revision");
	return r;
}

/* benchmark {id, name, revision, url} of one task. */
static int
set_benchmark(json_t *p, const char *task, const json_t *res, const json_t *cfg)
{
	char id[129], url[512];
	const char *path = mf_json_str(cfg, "dataset_path");
	const char *alias = mf_json_str(res, "alias");
	json_t *b = json_object();

	mf_evals_id(id, sizeof(id), task);
	if (b == NULL || json_object_set_new(b, "id", json_string(id)) != 0 ||
	    mf_evals_set_str(b, "name", alias ? alias : task, 200) != 0 ||
	    mf_evals_set_str(b, "revision", dataset_revision(cfg), 128) != 0)
		goto fail;
	/* a Hugging Face Hub dataset id: owner/name */
	if (path != NULL && strchr(path, '/') != NULL && path[0] != '/' &&
	    path[0] != '.' && strchr(path, ':') == NULL &&
	    strchr(path, ' ') == NULL && strlen(path) < 200) {
		snprintf(url, sizeof(url), "https://huggingface.co/datasets/%s",
		         path);
		if (mf_evals_set_str(b, "url", url, 2048) != 0)
			goto fail;
	}
	return json_object_set_new(p, "benchmark", b) == 0 ? 0 : MF_E_NOMEM;
fail:
	json_decref(b);
	return MF_E_NOMEM;
}

/* task, config, split, samples, prompting, notes: what pins the run. */
static int
set_run(json_t *p, const json_t *doc, const char *task, const char *filter,
        const json_t *cfg)
{
	char config[256], notes[1024];
	const char *dname = mf_json_str(cfg, "dataset_name");
	const char *path = mf_json_str(cfg, "dataset_path");
	const char *split = mf_json_str(cfg, "test_split");
	const json_t *ver =
	    json_object_get(json_object_get(doc, "versions"), task);
	const json_t *shots =
	    json_object_get(json_object_get(doc, "n-shot"), task);
	const json_t *ns = json_object_get(
	    json_object_get(json_object_get(doc, "n-samples"), task),
	    "effective");
	const json_t *gen = json_object_get(cfg, "generation_kwargs");
	const json_t *c = json_object_get(doc, "config");
	json_t *pr = json_object();
	int n = 0;

	if (split == NULL)
		split = mf_json_str(cfg, "validation_split");
	config[0] = '\0';
	if (dname != NULL || path != NULL)
		n = snprintf(config, sizeof(config), "%s%s%s", path ? path : "",
		             path && dname ? "/" : "", dname ? dname : "");
	if (json_is_number(ver) && n >= 0 && (size_t)n < sizeof(config))
		snprintf(config + n, sizeof(config) - (size_t)n,
		         "%stask version %g", n > 0 ? ", " : "",
		         json_number_value(ver));
	if (pr == NULL || mf_evals_set_str(p, "task", task, 200) != 0 ||
	    mf_evals_set_str(p, "config", config, 200) != 0 ||
	    mf_evals_set_str(p, "split", split, 200) != 0)
		goto fail;
	if (json_is_integer(ns) && json_integer_value(ns) >= 1 &&
	    json_object_set(p, "samples", (json_t *)ns) != 0)
		goto fail;
	if (!json_is_integer(shots))
		shots = json_object_get(cfg, "num_fewshot");
	if (json_is_integer(shots) && json_integer_value(shots) >= 0 &&
	    json_integer_value(shots) <= 10000 &&
	    json_object_set(pr, "shots", (json_t *)shots) != 0)
		goto fail;
	if (json_is_number(json_object_get(gen, "temperature")) &&
	    json_number_value(json_object_get(gen, "temperature")) >= 0 &&
	    json_object_set_new(pr, "temperature",
	                        json_real(json_number_value(
	                            json_object_get(gen, "temperature")))) != 0)
		goto fail;
	if (json_is_integer(json_object_get(gen, "max_gen_toks")) &&
	    json_integer_value(json_object_get(gen, "max_gen_toks")) >= 1 &&
	    json_object_set(pr, "max_tokens",
	                    json_object_get(gen, "max_gen_toks")) != 0)
		goto fail;
	if (json_object_size(pr) > 0 &&
	    json_object_set(p, "prompting", pr) != 0)
		goto fail;
	snprintf(
	    notes, sizeof(notes),
	    "Imported from an lm-evaluation-harness results file; "
	    "filter %s; model %s%s%s%s%s.",
	    filter, mf_json_str(c, "model") ? mf_json_str(c, "model") : "?",
	    mf_json_str(c, "model_args") ? " (" : "",
	    mf_json_str(c, "model_args") ? mf_json_str(c, "model_args") : "",
	    mf_json_str(c, "model_args") ? ")" : "",
	    dataset_revision(cfg) ? ""
	                          : "; the results file records no dataset "
	                            "revision");
	if (mf_evals_set_str(p, "notes", notes, 20000) != 0)
		goto fail;
	json_decref(pr);
	return 0;
fail:
	json_decref(pr);
	return MF_E_NOMEM;
}

/* One payload: task, metric (with filter), value and stderr. */
static int
one(json_t *out, const json_t *doc, const char *task, const json_t *res,
    const char *key, const json_t *value, struct mf_evals_options *opt,
    const char *version, const char *date)
{
	char metric[128], filter[128], name[260], skey[300];
	const char *comma = strchr(key, ',');
	const json_t *cfg =
	    json_object_get(json_object_get(doc, "configs"), task);
	const json_t *hib, *se;
	const char *scale;
	bool lower;
	double v = json_number_value(value);
	json_t *p;
	int rc = MF_E_NOMEM;

	snprintf(metric, sizeof(metric), "%.*s",
	         (int)(comma ? (size_t)(comma - key) : strlen(key)), key);
	snprintf(filter, sizeof(filter), "%s", comma ? comma + 1 : "none");
	hib = json_object_get(
	    json_object_get(json_object_get(doc, "higher_is_better"), task),
	    metric);
	scale = mf_evals_scale_of(metric, &lower);
	if (json_is_boolean(hib))
		lower = !json_is_true(hib);
	if (strcmp(scale, "fraction") == 0 && (v < 0 || v > 1))
		scale = "unbounded";
	if (strcmp(scale, "non_negative") == 0 && v < 0)
		scale = "unbounded";
	if (strcmp(filter, "none") == 0)
		snprintf(name, sizeof(name), "%s", metric);
	else
		snprintf(name, sizeof(name), "%s/%s", metric, filter);
	snprintf(skey, sizeof(skey), "%s_stderr,%s", metric, filter);
	se = json_object_get(res, skey);
	if ((p = mf_evals_payload_new(opt, HARNESS, version, HARNESS_URL)) ==
	    NULL)
		return MF_E_NOMEM;
	if (set_benchmark(p, task, res, cfg) != 0 ||
	    set_run(p, doc, task, filter, cfg) != 0 ||
	    mf_evals_set_metric(p, name, scale, lower, v) != 0)
		goto done;
	if (json_is_number(se) && json_number_value(se) >= 0 &&
	    isfinite(json_number_value(se)) &&
	    json_object_set_new(
	        p, "uncertainty",
	        json_pack("{s:f}", "stderr", json_number_value(se))) != 0)
		goto done;
	if (mf_evals_set_str(p, "evaluated_on", date, 10) != 0 ||
	    json_array_append(out, p) != 0)
		goto done;
	rc = 0;
done:
	json_decref(p);
	return rc;
}

int
mf_evals_lmeval(json_t *out, const struct mf_evals_input *in,
                struct mf_evals_options *opt, struct mf_error *err)
{
	char version[160], date[11], ptr[512];
	const char *task, *key, *v;
	json_t *doc, *results, *res, *value;
	size_t before = json_array_size(out);
	int rc = 0;

	/* 1. The file, and its results object. */
	if ((doc = mf_evals_parse(in->name, in->data, in->len, err)) == NULL)
		return err->code;
	results = json_object_get(doc, "results");
	if (!json_is_object(results)) {
		rc = mf_evals_fail(err, in->name, "/results",
		                   "an lm-evaluation-harness results file has "
		                   "a \"results\" object");
		goto done;
	}

	/* 2. The harness's version and the run's date. */
	version[0] = '\0';
	if ((v = mf_json_str(doc, "lm_eval_version")) != NULL)
		snprintf(version, sizeof(version), "%s", v);
	else if ((v = mf_json_str(doc, "git_hash")) != NULL)
		snprintf(version, sizeof(version), "git %s", v);
	mf_evals_date_unix(date,
	                   json_number_value(json_object_get(doc, "date")));

	/* 3. A payload per task and numeric metric. */
	json_object_foreach(results, task, res)
	{
		if (!json_is_object(res)) {
			mf_evals_pointer(ptr, sizeof(ptr), "results", task,
			                 NULL);
			rc = mf_evals_fail(err, in->name, ptr,
			                   "each task's results are an object");
			goto done;
		}
		json_object_foreach(res, key, value)
		{
			if (!json_is_number(value) ||
			    !isfinite(json_number_value(value)) ||
			    strstr(key, "_stderr") != NULL ||
			    strcmp(key, "alias") == 0)
				continue;
			if ((rc = one(out, doc, task, res, key, value, opt,
			              version[0] ? version : NULL, date)) !=
			    0) {
				mf_error_set(err, rc, NULL, "out of memory");
				goto done;
			}
		}
	}
	if (json_array_size(out) == before)
		rc = mf_evals_fail(err, in->name, "/results",
		                   "no task has a numeric result");
done:
	json_decref(doc);
	return rc;
}
