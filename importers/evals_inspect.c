/*
 * Inspect (UK AI Security Institute) logs: a .json log, or a .eval
 * archive whose header.json holds the same "eval", "results" and "stats"
 * (evals_zip.c reads it). One payload per scorer and metric in
 * results.scores[]; a scorer's stderr metric becomes the others'
 * uncertainty. Pinned by eval.task and task_version, the dataset and the
 * source revision (eval.revision), and eval.packages.inspect_ai.
 */
#include "importers/evals_internal.h"
#include "importers/evals_zip.h"
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HARNESS     "inspect_ai"
#define HARNESS_URL "https://github.com/UKGovernmentBEIS/inspect_ai"

static bool
is_uncertainty(const char *metric)
{
	return strcmp(metric, "stderr") == 0 || strcmp(metric, "std") == 0;
}

/* benchmark, task, config, samples, evaluated_on, notes. */
static int
set_run(json_t *p, const json_t *ev, const json_t *results)
{
	const json_t *ds = json_object_get(ev, "dataset");
	const json_t *rev = json_object_get(ev, "revision");
	const json_t *args = json_object_get(ev, "task_args");
	const json_t *tv = json_object_get(ev, "task_version");
	const json_t *done = json_object_get(results, "completed_samples");
	const char *task = mf_json_str(ev, "task");
	const char *loc = mf_json_str(ds, "location");
	const char *commit = mf_json_str(rev, "commit");
	const char *drev = mf_json_str(ds, "revision");
	char id[129], config[256], revision[160], date[11], notes[1024];
	char *targs = NULL;
	json_t *b = json_object();
	int n = 0, rc = MF_E_NOMEM;

	mf_evals_id(id, sizeof(id), task);
	revision[0] = config[0] = '\0';
	if (drev != NULL)
		snprintf(revision, sizeof(revision), "%s", drev);
	else if (commit != NULL)
		snprintf(revision, sizeof(revision), "git %s", commit);
	if (b == NULL || json_object_set_new(b, "id", json_string(id)) != 0 ||
	    mf_evals_set_str(b, "name", mf_json_str(ds, "name"), 200) != 0 ||
	    mf_evals_set_str(b, "revision", revision, 128) != 0)
		goto done;
	if (loc != NULL &&
	    (strncmp(loc, "https://", 8) == 0 ||
	     strncmp(loc, "http://", 7) == 0) &&
	    strchr(loc, ' ') == NULL &&
	    mf_evals_set_str(b, "url", loc, 2048) != 0)
		goto done;
	if (json_object_set(p, "benchmark", b) != 0)
		goto done;
	if (json_is_number(tv))
		n = snprintf(config, sizeof(config), "task version %g",
		             json_number_value(tv));
	else if (json_is_string(tv))
		n = snprintf(config, sizeof(config), "task version %s",
		             json_string_value(tv));
	if (json_object_size(args) > 0 && n >= 0 &&
	    (size_t)n < sizeof(config) && (targs = mf_json_dump(args)) != NULL)
		snprintf(config + n, sizeof(config) - (size_t)n, "%sargs %s",
		         n > 0 ? ", " : "", targs);
	mf_evals_date_text(date, mf_json_str(ev, "created"));
	snprintf(notes, sizeof(notes),
	         "Imported from an Inspect log; model %s; run %s%s%s.",
	         mf_json_str(ev, "model") ? mf_json_str(ev, "model") : "?",
	         mf_json_str(ev, "run_id") ? mf_json_str(ev, "run_id") : "?",
	         commit ? "; task source " : "",
	         commit
	             ? (mf_json_str(rev, "origin") ? mf_json_str(rev, "origin")
	                                           : commit)
	             : "");
	if (mf_evals_set_str(p, "task", task, 200) != 0 ||
	    mf_evals_set_str(p, "config", config, 200) != 0 ||
	    mf_evals_set_str(p, "evaluated_on", date, 10) != 0 ||
	    mf_evals_set_str(p, "notes", notes, 20000) != 0)
		goto done;
	if (json_is_integer(done) && json_integer_value(done) >= 1 &&
	    json_object_set(p, "samples", (json_t *)done) != 0)
		goto done;
	rc = 0;
done:
	free(targs);
	json_decref(b);
	return rc;
}

/* The payloads of one log's parsed header. */
static int
from_log(json_t *out, const json_t *log, const char *what,
         struct mf_evals_options *opt, struct mf_error *err)
{
	const json_t *ev = json_object_get(log, "eval");
	const json_t *results = json_object_get(log, "results");
	const json_t *scores = json_object_get(results, "scores");
	const json_t *score, *metrics, *m, *se;
	const char *status = mf_json_str(log, "status"), *mname;
	const char *version =
	    mf_json_str(json_object_get(ev, "packages"), "inspect_ai");
	char name[160], ptr[512];
	size_t i, before = json_array_size(out);

	if (!json_is_object(ev) || mf_json_str(ev, "task") == NULL)
		return mf_evals_fail(err, what, "/eval/task",
		                     "an Inspect log names its task");
	if (status != NULL && strcmp(status, "success") != 0)
		return mf_evals_fail(err, what, "/status",
		                     "the run did not finish (status is not "
		                     "\"success\")");
	if (!json_is_array(scores))
		return mf_evals_fail(err, what, "/results/scores",
		                     "an Inspect log's results have scores[]");
	json_array_foreach(scores, i, score)
	{
		char idx[24];

		snprintf(idx, sizeof(idx), "%zu", i);
		metrics = json_object_get(score, "metrics");
		if (!json_is_object(metrics)) {
			mf_evals_pointer(ptr, sizeof(ptr), "results", "scores",
			                 idx);
			strncat(ptr, "/metrics", sizeof(ptr) - strlen(ptr) - 1);
			return mf_evals_fail(err, what, ptr,
			                     "each score has metrics");
		}
		se = json_object_get(json_object_get(metrics, "stderr"),
		                     "value");
		json_object_foreach((json_t *)metrics, mname, m)
		{
			const json_t *v = json_object_get(m, "value");
			const char *scale;
			bool lower;
			json_t *p;

			if (is_uncertainty(mname) || !json_is_number(v) ||
			    !isfinite(json_number_value(v)))
				continue;
			if (json_array_size(scores) > 1)
				snprintf(name, sizeof(name), "%s/%s",
				         mf_json_str(score, "name")
				             ? mf_json_str(score, "name")
				             : idx,
				         mname);
			else
				snprintf(name, sizeof(name), "%s", mname);
			scale = mf_evals_scale_of(mname, &lower);
			if (strcmp(scale, "fraction") == 0 &&
			    (json_number_value(v) < 0 ||
			     json_number_value(v) > 1))
				scale = "unbounded";
			p = mf_evals_payload_new(opt, HARNESS, version,
			                         HARNESS_URL);
			if (p == NULL || set_run(p, ev, results) != 0 ||
			    mf_evals_set_metric(p, name, scale, lower,
			                        json_number_value(v)) != 0 ||
			    (json_is_number(se) && json_number_value(se) >= 0 &&
			     json_object_set_new(
			         p, "uncertainty",
			         json_pack("{s:f}", "stderr",
			                   json_number_value(se))) != 0) ||
			    json_array_append(out, p) != 0) {
				json_decref(p);
				return mf_error_set(err, MF_E_NOMEM, NULL,
				                    "out of memory");
			}
			json_decref(p);
		}
	}
	if (json_array_size(out) == before)
		return mf_evals_fail(err, what, "/results/scores",
		                     "no scorer has a numeric metric");
	return 0;
}

int
mf_evals_inspect(json_t *out, const struct mf_evals_input *in,
                 struct mf_evals_options *opt, struct mf_error *err)
{
	char what[600];
	uint8_t *header = NULL;
	size_t hlen;
	json_t *log = NULL;
	int rc;

	/* 1. A .eval archive's header.json, or the JSON log itself. */
	if (in->len >= 4 && memcmp(in->data, "PK\3\4", 4) == 0) {
		snprintf(what, sizeof(what), "%s (header.json)", in->name);
		if ((rc = mf_zip_member(&header, &hlen, in->data, in->len,
		                        "header.json", MF_EVALS_MAX_BYTES,
		                        in->name, err)) != 0)
			goto done;
		log = mf_evals_parse(what, header, hlen, err);
	} else {
		snprintf(what, sizeof(what), "%s", in->name);
		log = mf_evals_parse(what, in->data, in->len, err);
	}
	if (log == NULL) {
		rc = err->code;
		goto done;
	}
	/* 2. Its results. */
	rc = from_log(out, log, what, opt, err);
done:
	json_decref(log);
	free(header);
	return rc;
}
