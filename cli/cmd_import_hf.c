/*
 * `modelfacts import hf-card README.md [--eval-results DIR] [--org ORG
 * --model MODEL] [--out FILE] [--report]`: a Hugging Face model card
 * (and its `.eval_results` files) as a draft disclosure and self-reported
 * eval-result payloads, ready for `validate` and `sign`, with a field by
 * field report of what was mapped, what was not, and what the disclosure
 * still lacks for each modelfacts-v1 indicator.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "importers/hf_card.h"
#include "scoring/index.h"
#include "scoring/score.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVAL_FILES 200

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts import hf-card README.md [--eval-results "
	        "DIR]\n"
	        "                 [--org ORG] [--model MODEL] [--out FILE] "
	        "[--report]\n"
	        "                 [--origin NAME] [--seq N] [--supersedes "
	        "sha256:HEX]\n\n"
	        "Turns a Hugging Face model card (YAML front matter and "
	        "Markdown sections)\nand the *.yaml files of an .eval_results "
	        "directory into a draft disclosure\nand self-reported "
	        "eval-result payloads. The payloads are complete: issued_at\n"
	        "is now, seq N (default 1; the eval results take N+1, N+2, "
	        "...), supersedes\nnull unless given; change them for a "
	        "model the registry already holds.\n\n"
	        "  --org, --model  the subject (default: slugs of the card's "
	        "\"Developed by\"\n"
	        "                  and the model's name)\n"
	        "  --out FILE      write the disclosure to FILE and eval "
	        "result N to\n"
	        "                  FILE-eval-N.json (default: print one JSON "
	        "object with\n"
	        "                  \"disclosure\", \"eval_results\" and "
	        "\"report\")\n"
	        "  --report        print what each card field became, what "
	        "was not mapped\n"
	        "                  and why, and the modelfacts-v1 indicators "
	        "still not met\n"
	        "  --origin NAME   the registry's origin name in the payloads "
	        "(else\n"
	        "                  $MODELFACTS_ORIGIN, else "
	        "modelfacts.localhost)\n\n"
	        "examples:\n"
	        "  modelfacts import hf-card README.md --report\n"
	        "  modelfacts import hf-card README.md --eval-results "
	        ".eval_results \\\n"
	        "      --org acme --model acme-7b --out acme-7b.json\n"
	        "  modelfacts validate acme-7b.json && modelfacts sign --key "
	        "acme.key acme-7b.json\n\n"
	        "Exit 0 ok, 1 the card cannot be read, 2 usage or I/O "
	        "error.\n");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.yaml / *.yml in dir, in name order. */
static int
add_eval_dir(struct mf_hf_import *imp, const char *dir, struct mf_error *err)
{
	char *names[MAX_EVAL_FILES], path[4096], label[4200];
	struct dirent *de;
	size_t n = 0, i, len;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return MF_E_IO;
	}
	while ((de = readdir(d)) != NULL && n < MAX_EVAL_FILES) {
		size_t l = strlen(de->d_name);

		if ((l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) ||
		    (l > 4 && strcmp(de->d_name + l - 4, ".yml") == 0))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		char *text;

		if (rc != 0 || names[i] == NULL) {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(label, sizeof(label), ".eval_results/%s", names[i]);
		if ((text = mf_cli_read_file(path, 1u << 20, &len)) == NULL)
			rc = MF_E_IO;
		else
			rc = mf_hf_eval_results_add(imp, label, text, len, err);
		free(text);
		free(names[i]);
	}
	return rc;
}

static void
print_report(const struct mf_hf_import *imp, const struct mf_score *s)
{
	const json_t *row;
	size_t i;

	printf("mapped (card field -> disclosure pointer or eval result):\n");
	json_array_foreach(json_object_get(imp->report, "mapped"), i, row)
	{
		const char *note =
		    json_string_value(json_object_get(row, "note"));

		printf("  %-44s -> %s%s%s\n",
		       json_string_value(json_object_get(row, "from")),
		       json_string_value(json_object_get(row, "to")),
		       note ? "  (" : "", note ? note : "");
		if (note)
			printf(")\n");
	}
	printf("not mapped:\n");
	json_array_foreach(json_object_get(imp->report, "not_mapped"), i, row)
	    printf("  %-44s %s\n",
	           json_string_value(json_object_get(row, "from")),
	           json_string_value(json_object_get(row, "reason")));
	printf("payloads: 1 disclosure (%s/%s), %zu eval result%s\n",
	       imp->opt.org, imp->opt.model, json_array_size(imp->evals),
	       json_array_size(imp->evals) == 1 ? "" : "s");
	if (s == NULL)
		return;
	printf("%s: %u/%u met; the disclosure still lacks:\n",
	       mf_index_id(s->index), s->total.met, s->total.max);
	for (i = 0; i < s->n_items; i++) {
		const struct mf_score_item *it = &s->items[i];

		if (it->result != MF_SCORE_NOT_MET &&
		    it->result != MF_SCORE_UNASSESSED)
			continue;
		printf("  %-28s %s%s%s\n", mf_index_indicator(s->index, i)->id,
		       it->pointer ? it->pointer : "",
		       it->pointer && it->reason ? ": " : "",
		       it->reason ? it->reason : "");
	}
}

static int
write_json(const char *path, const json_t *v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	ok = json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0;
	ok = fputc('\n', f) != EOF && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		perror(path);
	return ok ? 0 : -1;
}

/* FILE.json -> FILE-eval-N.json */
static void
eval_path(char *out, size_t cap, const char *path, size_t n)
{
	size_t l = strlen(path);

	if (l > 5 && strcmp(path + l - 5, ".json") == 0)
		l -= 5;
	snprintf(out, cap, "%.*s-eval-%zu.json", (int)l, path, n);
}

int
cmd_import_hf(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"eval-results", required_argument, NULL, 'e'},
	    {"org", required_argument, NULL, 'O'},
	    {"model", required_argument, NULL, 'm'},
	    {"out", required_argument, NULL, 'o'},
	    {"report", no_argument, NULL, 'r'},
	    {"origin", required_argument, NULL, 'g'},
	    {"seq", required_argument, NULL, 'n'},
	    {"supersedes", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mf_hf_options opt;
	char origin[256];
	struct mf_hf_import imp;
	struct mf_score *score = NULL;
	struct mf_error err;
	const char *eval_dir = NULL, *out = NULL, *card_path;
	char now[40], path[4200], *text = NULL;
	size_t len, i;
	int c, want_report = 0, rc = MF_EXIT_USAGE;

	memset(&opt, 0, sizeof(opt));
	/* the origin as every command reads it: --origin, else
	 * $MODELFACTS_ORIGIN, else the importer's default */
	if (mf_cli_origin(origin, sizeof(origin), NULL, NULL) == 0)
		opt.registry = origin;
	mf_hf_import_init(&imp);
	mf_error_init(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "e:O:m:o:rg:n:S:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'e':
			eval_dir = optarg;
			break;
		case 'O':
			opt.org = optarg;
			break;
		case 'm':
			opt.model = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'r':
			want_report = 1;
			break;
		case 'g':
			opt.registry = optarg;
			break;
		case 'n':
			opt.seq = atoll(optarg);
			break;
		case 'S':
			opt.supersedes = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = MF_EXIT_OK;
			goto done;
		default:
			usage(stderr);
			goto done;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		goto done;
	}
	card_path = argv[optind];
	if ((opt.org != NULL && !mf_slug_valid(opt.org)) ||
	    (opt.model != NULL && !mf_slug_valid(opt.model))) {
		fprintf(stderr,
		        "modelfacts import hf-card: --org and --model "
		        "are ids: lower-case letters, digits and '-'\n");
		goto done;
	}
	/* 1. Read and map the card, then the eval results. */
	mf_time_format_s(now, sizeof(now), mf_time_now_ms() / 1000);
	opt.issued_at = now;
	if ((text = mf_cli_read_file(card_path, MF_HF_CARD_MAX, &len)) == NULL)
		goto done;
	if (mf_hf_card_import(&imp, text, len, &opt, &err) != 0 ||
	    (eval_dir != NULL && add_eval_dir(&imp, eval_dir, &err) != 0)) {
		fprintf(stderr, "modelfacts import hf-card: %s: %s%s%s\n",
		        card_path,
		        err.message[0] ? err.message : mf_error_name(err.code),
		        err.pointer[0] ? " at " : "", err.pointer);
		rc = err.code == MF_E_IO || err.code == MF_E_NOMEM
		         ? MF_EXIT_USAGE
		         : MF_EXIT_FAIL;
		goto done;
	}
	/* 2. What the modelfacts-v1 check makes of it. */
	if (mf_index_modelfacts_v1() == NULL ||
	    mf_score_compute(&score, mf_index_modelfacts_v1(), imp.disclosure,
	                     NULL, 0, &err) != 0) {
		fprintf(stderr, "modelfacts import hf-card: cannot score\n");
		goto done;
	}
	json_object_set_new(imp.report, "score", mf_score_json(score));
	/* 3. Out: files, or one JSON object on stdout. */
	if (out != NULL) {
		if (write_json(out, imp.disclosure) != 0)
			goto done;
		if (!want_report)
			printf("%s\n", out);
		for (i = 0; i < json_array_size(imp.evals); i++) {
			eval_path(path, sizeof(path), out, i + 1);
			if (write_json(path, json_array_get(imp.evals, i)) != 0)
				goto done;
			if (!want_report)
				printf("%s\n", path);
		}
	}
	if (want_report) {
		print_report(&imp, score);
	} else if (out == NULL) {
		json_t *all =
		    json_pack("{s:O, s:O, s:O}", "disclosure", imp.disclosure,
		              "eval_results", imp.evals, "report", imp.report);
		char *s =
		    all != NULL
		        ? json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
		        : NULL;

		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(all);
		if (s == NULL)
			goto done;
	}
	rc = MF_EXIT_OK;
done:
	free(text);
	mf_score_free(score);
	mf_hf_import_dispose(&imp);
	mf_error_dispose(&err);
	return rc;
}
