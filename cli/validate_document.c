/*
 * `modelfacts validate [--json] FILE...`: checks modelfacts documents
 * (bare payloads, in-toto Statements carrying an eval result, or DSSE
 * envelopes around either) the way the registry will, and shows each
 * disclosure's modelfacts-v1 score with the indicators it does not meet
 * yet. cmd_validate dispatches here for everything but --schema.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/json.h"
#include "envelope/dsse.h"
#include "envelope/intoto.h"
#include "importers/hf_card.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "validators/document.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (8u << 20)

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts validate [--json] FILE...\n\n"
	        "Checks each FILE (a disclosure, eval-result, assessment or "
	        "key-event payload,\nan in-toto Statement carrying an eval "
	        "result, or a signed DSSE envelope\naround one; \"-\" reads "
	        "stdin) against its schema and the semantic rules, and\n"
	        "prints errors and warnings with JSON pointers (into the "
	        "Statement for one).\n"
	        "For disclosures it also prints the modelfacts-v1 score and "
	        "the indicators\nnot met. --json prints one JSON document "
	        "instead.\n\n"
	        "Exit 0 all valid, 1 some invalid, 2 usage or I/O error.\n");
}

struct result {
	const char *file;
	struct mf_doc_report rep;
	struct mf_score *score;
	json_t *payload;
	bool envelope;
	bool statement; /* an in-toto Statement; payload is its predicate */
	char load_error[MF_ERROR_MESSAGE_MAX + 64];
	const char *load_code;
	char load_pointer[MF_ERROR_POINTER_MAX];
};

static void
result_dispose(struct result *r)
{
	mf_doc_report_dispose(&r->rep);
	mf_score_free(r->score);
	json_decref(r->payload);
}

/* A bare in-toto Statement rather than a modelfacts payload (whose type
 * member is "type"). */
static bool
looks_like_statement(const json_t *doc)
{
	return json_is_object(doc) &&
	       (json_object_get(doc, "_type") != NULL ||
	        json_object_get(doc, "predicateType") != NULL);
}

/*
 * An in-toto Statement, checked as the registry checks it
 * (envelope/intoto.h: its shape, its predicateType, its subject against
 * the predicate's); then *doc becomes its predicate, an eval result.
 */
static int
unwrap_statement(struct result *r, json_t **doc, int *expect,
                 struct mf_error *err)
{
	json_t *predicate;
	int rc;

	r->statement = true;
	if ((rc = mf_intoto_unwrap(&predicate, *doc, err)) != 0)
		return rc;
	json_incref(predicate);
	json_decref(*doc);
	*doc = predicate;
	*expect = MF_DOC_EVAL_RESULT;
	return 0;
}

/* Puts every issue's pointer under prefix (the predicate's place in its
 * Statement). 0 or MF_E_NOMEM. */
static int
report_under(struct mf_doc_report *rep, const char *prefix)
{
	struct mf_doc_issue *lists[2] = {rep->errors, rep->warnings};
	size_t counts[2] = {rep->n_errors, rep->n_warnings}, l, i, n;

	for (l = 0; l < 2; l++)
		for (i = 0; i < counts[l]; i++) {
			struct mf_doc_issue *is = &lists[l][i];
			char *p;

			n = strlen(prefix) + strlen(is->pointer) + 1;
			if ((p = malloc(n)) == NULL)
				return MF_E_NOMEM;
			snprintf(p, n, "%s%s", prefix, is->pointer);
			free(is->pointer);
			is->pointer = p;
		}
	return 0;
}

/*
 * Loads FILE: a payload, an in-toto Statement (its predicate is the
 * payload), or an envelope whose payload is checked as the type its
 * payloadType names. Returns 0, 1 (the file is not a readable document,
 * or a Statement the registry would refuse: load_error says why) or 2
 * (I/O).
 */
static int
load(struct result *r, int *expect)
{
	struct mf_dsse *env = NULL;
	struct mf_error err;
	json_t *doc;
	size_t len;
	char *text;
	int rc = 1;

	*expect = MF_DOC_ANY;
	if ((text = mf_cli_read_file(r->file, MAX_FILE, &len)) == NULL)
		return 2;
	mf_error_init(&err);
	/* A model card is not JSON: say what to do with it instead of where
	 * the JSON parser stumbled. */
	if (mf_hf_card_looks_like(text, len)) {
		snprintf(r->load_error, sizeof(r->load_error),
		         "this looks like a Hugging Face model card; run "
		         "`modelfacts import hf-card %s`",
		         r->file);
		r->load_code = "hf_model_card";
		mf_error_dispose(&err);
		free(text);
		return 1;
	}
	doc = mf_json_parse(text, len, "document", "", &err);
	if (doc != NULL && json_is_object(doc) &&
	    json_object_get(doc, "payloadType") != NULL) {
		r->envelope = true;
		json_decref(doc);
		doc = NULL;
		if (mf_dsse_parse(&env, text, len, MAX_FILE, &err) == 0) {
			*expect = mf_doctype_from_payload_type(
			    env->payload_type, strlen(env->payload_type));
			if (*expect < 0 && strcmp(env->payload_type,
			                          MF_INTOTO_PAYLOAD_TYPE) == 0)
				r->statement = true;
			if (*expect < 0 && !r->statement) {
				mf_error_set(&err, MF_E_PAYLOAD_TYPE,
				             "/payloadType",
				             "unknown payload type '%s'",
				             env->payload_type);
			} else {
				doc = mf_json_parse((const char *)env->payload,
				                    env->payload_len, "payload",
				                    "", &err);
			}
		}
	}
	if (doc != NULL &&
	    (r->statement || (!r->envelope && looks_like_statement(doc))) &&
	    unwrap_statement(r, &doc, expect, &err) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL) {
		r->payload = doc;
		rc = 0;
	} else {
		snprintf(r->load_error, sizeof(r->load_error), "%s",
		         err.message);
		snprintf(r->load_pointer, sizeof(r->load_pointer), "%s",
		         err.pointer);
		r->load_code = mf_error_name(err.code);
	}
	mf_dsse_free(env);
	mf_error_dispose(&err);
	free(text);
	return rc;
}

static void
print_issues(const struct mf_doc_issue *v, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("  %s %s: [%s] %s\n", what,
		       v[i].pointer[0] ? v[i].pointer : "(document)", v[i].code,
		       v[i].message);
}

static void
print_score(const struct mf_score *s)
{
	const struct mf_index *idx = s->index;
	size_t i, n_na = 0;

	printf("  %s score: %u/%u (", mf_index_id(idx), s->total.met,
	       s->total.max);
	for (i = 0; i < mf_index_domain_count(idx); i++)
		printf("%s%s %u/%u", i ? ", " : "", mf_index_domain(idx, i)->id,
		       s->domains[i].met, s->domains[i].max);
	printf(")\n");
	if (s->total.met < s->total.max)
		printf("  not met:\n");
	for (i = 0; i < s->n_items; i++) {
		const struct mf_score_item *it = &s->items[i];

		if (it->result == MF_SCORE_NOT_APPLICABLE)
			n_na++;
		if (it->result != MF_SCORE_NOT_MET &&
		    it->result != MF_SCORE_UNASSESSED)
			continue;
		printf("    %-28s %s\n", mf_index_indicator(idx, i)->id,
		       it->reason != NULL ? it->reason : "");
	}
	if (n_na == 0)
		return;
	printf("  not applicable:");
	for (i = 0; i < s->n_items; i++)
		if (s->items[i].result == MF_SCORE_NOT_APPLICABLE)
			printf(" %s", mf_index_indicator(idx, i)->id);
	printf("\n");
}

static void
print_text(const struct result *r)
{
	if (r->load_code != NULL) {
		printf("%s: INVALID: %s%s%s\n", r->file, r->load_error,
		       r->load_pointer[0] ? " at " : "", r->load_pointer);
		return;
	}
	printf("%s: %s%s%s: %s", r->file,
	       r->rep.type >= 0 ? mf_doctype_name(r->rep.type) : "document",
	       r->statement ? " (an in-toto Statement's predicate)" : "",
	       r->envelope ? " (in an envelope)" : "",
	       mf_doc_report_ok(&r->rep) ? "valid" : "INVALID");
	if (r->rep.n_errors > 0)
		printf(", %zu error%s", r->rep.n_errors,
		       r->rep.n_errors == 1 ? "" : "s");
	if (r->rep.n_warnings > 0)
		printf(", %zu warning%s", r->rep.n_warnings,
		       r->rep.n_warnings == 1 ? "" : "s");
	printf("\n");
	print_issues(r->rep.errors, r->rep.n_errors, "error");
	print_issues(r->rep.warnings, r->rep.n_warnings, "warning");
	if (r->rep.dropped > 0)
		printf("  (%zu more not shown)\n", r->rep.dropped);
	if (r->score != NULL)
		print_score(r->score);
}

static json_t *
result_json(const struct result *r)
{
	json_t *o;

	if (r->load_code != NULL)
		return json_pack(
		    "{s:s, s:b, s:[{s:s, s:s, s:s}], s:[]}", "file", r->file,
		    "valid", 0, "errors", "pointer", r->load_pointer, "code",
		    r->load_code, "message", r->load_error, "warnings");
	if ((o = mf_doc_report_json(&r->rep)) == NULL)
		return NULL;
	if (json_object_set_new(o, "file", json_string(r->file)) != 0 ||
	    (r->statement &&
	     json_object_set_new(o, "in_toto", json_true()) != 0) ||
	    (r->score != NULL &&
	     json_object_set_new(o, "score", mf_score_json(r->score)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
mf_cli_validate_documents(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct result *res = NULL;
	json_t *all = NULL;
	bool as_json = false, io_error = false, invalid = false;
	struct mf_error err;
	int c, i, n, expect, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if ((n = argc - optind) < 1) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if (mf_index_modelfacts_v1() == NULL ||
	    (res = calloc((size_t)n, sizeof(*res))) == NULL ||
	    (all = json_array()) == NULL) {
		fprintf(stderr, "modelfacts validate: cannot initialise\n");
		free(res);
		return MF_EXIT_USAGE;
	}
	mf_error_init(&err);
	for (i = 0; i < n; i++) {
		struct result *r = &res[i];

		r->file = argv[optind + i];
		mf_doc_report_init(&r->rep);
		if ((rc = load(r, &expect)) == 2) {
			io_error = true;
			continue;
		}
		if (rc == 0 &&
		    (mf_document_check(r->payload, expect, &r->rep) != 0 ||
		     (r->statement &&
		      report_under(&r->rep, "/predicate") != 0))) {
			fprintf(stderr,
			        "modelfacts validate: %s: internal "
			        "error\n",
			        r->file);
			io_error = true;
			continue;
		}
		if (rc != 0 || !mf_doc_report_ok(&r->rep))
			invalid = true;
		if (rc == 0 && r->rep.type == MF_DOC_DISCLOSURE &&
		    mf_score_compute(&r->score, mf_index_modelfacts_v1(),
		                     r->payload, NULL, 0, &err) != 0)
			io_error = true;
		if (as_json)
			json_array_append_new(all, result_json(r));
		else
			print_text(r);
	}
	if (as_json) {
		char *text;
		json_t *o = json_pack("{s:b, s:O}", "valid",
		                      !invalid && !io_error, "files", all);

		text = o != NULL
		           ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
		           : NULL;
		if (text != NULL)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	}
	for (i = 0; i < n; i++)
		result_dispose(&res[i]);
	free(res);
	json_decref(all);
	mf_error_dispose(&err);
	if (io_error)
		return MF_EXIT_USAGE;
	return invalid ? MF_EXIT_FAIL : MF_EXIT_OK;
}
