/*
 * HELM (Stanford CRFM) runs: HELM writes, per run, a directory under
 * benchmark_output/runs/<suite>/ with run_spec.json (the scenario, its
 * arguments, the adapter: method, shots, model, decoding) and stats.json
 * (every statistic: {name: {name, split, sub_split?, perturbation?},
 * count, sum, mean, variance, ...}). One payload per headline metric on
 * the test split (else valid), unperturbed and whole.
 */
#include "importers/evals_internal.h"
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HARNESS     "helm"
#define HARNESS_URL "https://github.com/stanford-crfm/helm"

/* The statistics HELM reports as a scenario's accuracy (its schema's
 * main metrics), not the token counts, timings and the like. */
static const char *const headline[] = {
    "exact_match",
    "quasi_exact_match",
    "prefix_exact_match",
    "quasi_prefix_exact_match",
    "exact_match@5",
    "quasi_exact_match@5",
    "f1_score",
    "rouge_l",
    "bleu_4",
    "math_equiv",
    "math_equiv_chain_of_thought",
    "ece_10_bin",
};

static bool
is_headline(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(headline) / sizeof(headline[0]); i++)
		if (strcmp(headline[i], name) == 0)
			return true;
	return false;
}

/* "test" when the stats have it, else "valid", else NULL. */
static const char *
main_split(const json_t *stats)
{
	const json_t *s;
	const char *split;
	bool valid = false;
	size_t i;

	json_array_foreach(stats, i, s)
	{
		split = mf_json_str(json_object_get(s, "name"), "split");
		if (split != NULL && strcmp(split, "test") == 0)
			return "test";
		if (split != NULL && strcmp(split, "valid") == 0)
			valid = true;
	}
	return valid ? "valid" : NULL;
}

/* benchmark, task, config, prompting and notes from run_spec.json. */
static int
set_run(json_t *p, const json_t *spec)
{
	const char *run = mf_json_str(spec, "name");
	const json_t *sc = json_object_get(spec, "scenario_spec");
	const json_t *ad = json_object_get(spec, "adapter_spec");
	const json_t *groups = json_object_get(spec, "groups");
	const json_t *shots = json_object_get(ad, "max_train_instances");
	const json_t *temp = json_object_get(ad, "temperature");
	const json_t *maxt = json_object_get(ad, "max_tokens");
	const char *bench = NULL;
	char id[129], scen[129], config[256], notes[1024];
	char *args = NULL;
	json_t *b = NULL, *pr = json_object();
	int rc = MF_E_NOMEM;

	/* the scenario: the run name up to ':' */
	snprintf(scen, sizeof(scen), "%.*s", (int)strcspn(run, ":"), run);
	if (json_is_string(json_array_get(groups, 0)))
		bench = json_string_value(json_array_get(groups, 0));
	mf_evals_id(id, sizeof(id), bench ? bench : scen);
	b = json_pack("{s:s, s:s}", "id", id, "name", scen);
	args = mf_json_dump(json_object_get(sc, "args"));
	snprintf(config, sizeof(config), "%s%s%s%s",
	         mf_json_str(ad, "method") ? "method " : "",
	         mf_json_str(ad, "method") ? mf_json_str(ad, "method") : "",
	         args && strcmp(args, "{}") != 0 ? ", args " : "",
	         args && strcmp(args, "{}") != 0 ? args : "");
	snprintf(notes, sizeof(notes),
	         "Imported from a HELM run (run_spec.json, stats.json); model "
	         "%s; the standard error is sqrt(variance / count) of HELM's "
	         "per-instance statistic.",
	         mf_json_str(ad, "model") ? mf_json_str(ad, "model") : "?");
	if (b == NULL || pr == NULL ||
	    json_object_set(p, "benchmark", b) != 0 ||
	    mf_evals_set_str(p, "task", run, 200) != 0 ||
	    mf_evals_set_str(p, "config", config, 200) != 0 ||
	    mf_evals_set_str(p, "notes", notes, 20000) != 0)
		goto done;
	if (json_is_integer(shots) && json_integer_value(shots) >= 0 &&
	    json_integer_value(shots) <= 10000 &&
	    json_object_set(pr, "shots", (json_t *)shots) != 0)
		goto done;
	if (json_is_number(temp) && json_number_value(temp) >= 0 &&
	    json_object_set_new(pr, "temperature",
	                        json_real(json_number_value(temp))) != 0)
		goto done;
	if (json_is_integer(maxt) && json_integer_value(maxt) >= 1 &&
	    json_object_set(pr, "max_tokens", (json_t *)maxt) != 0)
		goto done;
	if (json_object_size(pr) > 0 &&
	    json_object_set(p, "prompting", pr) != 0)
		goto done;
	rc = 0;
done:
	free(args);
	json_decref(b);
	json_decref(pr);
	return rc;
}

int
mf_evals_helm(json_t *out, const struct mf_evals_input *in,
              struct mf_evals_options *opt, struct mf_error *err)
{
	json_t *spec = NULL, *stats = NULL;
	const json_t *s;
	const char *split,
	    *sname = in->stats_name ? in->stats_name : "stats.json";
	char ptr[64];
	size_t i, before = json_array_size(out);
	int rc = 0;

	/* 1. run_spec.json and stats.json. */
	if ((spec = mf_evals_parse(in->name, in->data, in->len, err)) == NULL)
		return err->code;
	if (mf_json_str(spec, "name") == NULL) {
		rc = mf_evals_fail(err, in->name, "/name",
		                   "a HELM run_spec.json names its run");
		goto done;
	}
	if (in->stats == NULL) {
		rc = mf_error_set(err, MF_E_VALIDATION, "",
		                  "%s: a HELM run's results are in the "
		                  "stats.json beside its run_spec.json",
		                  in->name);
		goto done;
	}
	if ((stats = mf_evals_parse(sname, in->stats, in->stats_len, err)) ==
	    NULL) {
		rc = err->code;
		goto done;
	}
	if (!json_is_array(stats)) {
		rc = mf_evals_fail(
		    err, sname, "",
		    "HELM's stats.json is an array of statistics");
		goto done;
	}

	/* 2. The headline metrics on the main split, whole and unperturbed. */
	split = main_split(stats);
	json_array_foreach(stats, i, s)
	{
		const json_t *name = json_object_get(s, "name");
		const json_t *mean = json_object_get(s, "mean");
		const json_t *count = json_object_get(s, "count");
		const json_t *var = json_object_get(s, "variance");
		const char *mname = mf_json_str(name, "name"), *scale;
		bool lower;
		json_t *p;

		if (mname == NULL) {
			snprintf(ptr, sizeof(ptr), "/%zu/name/name", i);
			rc = mf_evals_fail(err, sname, ptr,
			                   "each statistic has a name");
			goto done;
		}
		if (!is_headline(mname) || split == NULL ||
		    mf_json_str(name, "split") == NULL ||
		    strcmp(mf_json_str(name, "split"), split) != 0 ||
		    json_object_get(name, "perturbation") != NULL ||
		    json_object_get(name, "sub_split") != NULL)
			continue;
		if (!json_is_number(mean) ||
		    !isfinite(json_number_value(mean))) {
			snprintf(ptr, sizeof(ptr), "/%zu/mean", i);
			rc = mf_evals_fail(err, sname, ptr,
			                   "a statistic's mean is a number");
			goto done;
		}
		scale = mf_evals_scale_of(mname, &lower);
		if (strcmp(scale, "fraction") == 0 &&
		    (json_number_value(mean) < 0 ||
		     json_number_value(mean) > 1))
			scale = "unbounded";
		p = mf_evals_payload_new(opt, HARNESS, NULL, HARNESS_URL);
		if (p == NULL || set_run(p, spec) != 0 ||
		    mf_evals_set_metric(p, mname, scale, lower,
		                        json_number_value(mean)) != 0 ||
		    mf_evals_set_str(p, "split", split, 200) != 0)
			goto nomem;
		if (json_is_integer(count) && json_integer_value(count) >= 1) {
			double c = (double)json_integer_value(count);

			if (json_object_set(p, "samples", (json_t *)count) != 0)
				goto nomem;
			if (json_is_number(var) &&
			    json_number_value(var) >= 0 &&
			    json_object_set_new(
			        p, "uncertainty",
			        json_pack("{s:f}", "stderr",
			                  sqrt(json_number_value(var) / c))) !=
			        0)
				goto nomem;
		}
		if (json_array_append(out, p) != 0)
			goto nomem;
		json_decref(p);
		continue;
	nomem:
		json_decref(p);
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (json_array_size(out) == before)
		rc = mf_evals_fail(err, sname, "",
		                   "no headline metric (exact_match, f1_score, "
		                   "...) on the test or valid split");
done:
	json_decref(spec);
	json_decref(stats);
	return rc;
}
