/*
 * `modelfacts import evals FILE...`: eval-harness outputs (lm-evaluation-
 * harness, Inspect, HELM) to eval-result payloads, or to in-toto
 * Statements carrying them (--in-toto), ready for `modelfacts sign`.
 * This file reads the files and writes the documents; the mapping is
 * importers/evals_*.c.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "envelope/intoto.h"
#include "importers/evals_import.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_FILE (64u << 20)

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts import evals FILE... --org ORG --model MODEL\n"
	    "         [--version V] [--disclosure sha256:HEX] [--evaluator "
	    "ORG]\n"
	    "         [--format auto|lm-eval|inspect|helm] [--in-toto] "
	    "[--out DIR]\n"
	    "         [--origin NAME] [--seq N] [--harness-version V]\n\n"
	    "Turns eval-harness outputs into eval-result payloads that pin "
	    "the harness and\nits version, the task and its configuration "
	    "and the dataset revision:\n"
	    "  lm-evaluation-harness  results_*.json\n"
	    "  Inspect                a .eval log (ZIP) or a .json log\n"
	    "  HELM                   a run directory, or its run_spec.json "
	    "or stats.json\n"
	    "                         (both files are read)\n\n"
	    "  --org, --model      the model evaluated (its developer's "
	    "organisation)\n"
	    "  --version V         the model's version label "
	    "(model_version)\n"
	    "  --disclosure D      pin the disclosure version evaluated "
	    "(sha256:<hex>)\n"
	    "  --evaluator ORG     ORG, a registered evaluator, signs: "
	    "third-party results\n"
	    "                      (default: self-reported, signed by "
	    "--org)\n"
	    "  --format F          the harness (default: detected)\n"
	    "  --in-toto           write in-toto Statements (needs "
	    "--disclosure)\n"
	    "  --out DIR           one file per result in DIR "
	    "(default: a JSON array on\n"
	    "                      standard output)\n"
	    "  --origin NAME       the registry's origin name (else "
	    "$MODELFACTS_ORIGIN,\n"
	    "                      else modelfacts.localhost)\n"
	    "  --seq N             the first payload's seq (default: the "
	    "time in ms)\n"
	    "  --harness-version V the harness version, when the output "
	    "has none (HELM)\n\n"
	    "examples:\n"
	    "  modelfacts import evals results_2025-01-21.json --org acme "
	    "--model acme-7b \\\n"
	    "      --out evals/\n"
	    "  modelfacts import evals lab-run/ --format helm --org acme "
	    "--model acme-7b --harness-version 0.5.4\n"
	    "  modelfacts import evals run.eval --org acme --model acme-7b "
	    "--evaluator lab \\\n"
	    "      --disclosure sha256:... --in-toto --out evals/\n\n"
	    "Exit 0 ok, 1 a file is not a readable harness output, 2 "
	    "usage or I/O error.\n");
}

/* dir/name joined. */
static void
join(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%.*s%s%s", (int)(size / 2), dir,
	         dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
}

static void
dirname_of(char *out, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, size, ".");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * A HELM run: a directory, or either of its two files; the run spec goes
 * to in->data and its stats to in->stats (both new buffers). 1 when path
 * is not one, 0 read, -1 error (printed).
 */
static int
read_helm(struct mf_evals_input *in, char **spec, char **stats,
          const char *path, bool forced, char *spec_path, char *stats_path,
          size_t size)
{
	struct stat st;
	char dir[4096];

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(dir, sizeof(dir), "%s", path);
	else if (strcmp(basename_of(path), "run_spec.json") == 0 ||
	         strcmp(basename_of(path), "stats.json") == 0 || forced)
		dirname_of(dir, sizeof(dir), path);
	else
		return 1;
	join(spec_path, size, dir, "run_spec.json");
	join(stats_path, size, dir, "stats.json");
	if (forced && strcmp(basename_of(path), "stats.json") != 0 &&
	    !(stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		snprintf(spec_path, size, "%s", path);
	if ((*spec = mf_cli_read_file(spec_path, MAX_FILE, &in->len)) == NULL ||
	    (*stats = mf_cli_read_file(stats_path, MAX_FILE, &in->stats_len)) ==
	        NULL)
		return -1;
	in->name = spec_path;
	in->data = (const uint8_t *)*spec;
	in->stats_name = stats_path;
	in->stats = (const uint8_t *)*stats;
	return 0;
}

/* Writes the documents: to stdout as an array, or one file each. */
static int
emit(const json_t *docs, const char *outdir, bool intoto)
{
	struct mf_buf b = MF_BUF_INIT;
	char path[4096], name[64];
	const json_t *d;
	size_t i;
	FILE *f;
	int rc = MF_EXIT_USAGE;

	if (outdir == NULL) {
		if (mf_evals_dump(&b, docs) != 0)
			goto done;
		fwrite(b.data, 1, b.len, stdout);
		rc = MF_EXIT_OK;
		goto done;
	}
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "modelfacts import evals: %s: %s\n", outdir,
		        strerror(errno));
		goto done;
	}
	json_array_foreach(docs, i, d)
	{
		const json_t *p = intoto ? json_object_get(d, "predicate") : d;

		snprintf(name, sizeof(name), "eval-%" JSON_INTEGER_FORMAT "%s",
		         json_integer_value(json_object_get(p, "seq")),
		         intoto ? ".intoto.json" : ".json");
		join(path, sizeof(path), outdir, name);
		mf_buf_clear(&b);
		if (mf_evals_dump(&b, d) != 0)
			goto done;
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
			fprintf(stderr, "modelfacts import evals: %s: %s\n",
			        path, strerror(errno));
			goto done;
		}
		printf("%s\n", path);
	}
	rc = MF_EXIT_OK;
done:
	mf_buf_dispose(&b);
	return rc;
}

/* --disclosure: sha256:<64 lowercase hex> (bare hex is given the prefix). */
static const char *
disclosure_arg(char *buf, size_t size, const char *v)
{
	const char *hex = strncmp(v, "sha256:", 7) == 0 ? v + 7 : v;
	size_t i;

	for (i = 0; hex[i] != '\0'; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		      (hex[i] >= 'a' && hex[i] <= 'f')))
			return NULL;
	if (i != 64)
		return NULL;
	snprintf(buf, size, "sha256:%s", hex);
	return buf;
}

int
mf_cli_import_evals(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"org", required_argument, NULL, 'o'},
	    {"model", required_argument, NULL, 'm'},
	    {"version", required_argument, NULL, 'v'},
	    {"disclosure", required_argument, NULL, 'd'},
	    {"evaluator", required_argument, NULL, 'e'},
	    {"format", required_argument, NULL, 'f'},
	    {"in-toto", no_argument, NULL, 'i'},
	    {"out", required_argument, NULL, 'O'},
	    {"origin", required_argument, NULL, 'g'},
	    {"seq", required_argument, NULL, 's'},
	    {"harness-version", required_argument, NULL, 'H'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mf_evals_options opt;
	char origin[256];
	struct mf_error err;
	const char *outdir = NULL, *evaluator = NULL;
	char issued[40], disclosure[80], *end;
	json_t *docs = NULL, *out = NULL;
	int c, fmt = MF_EVALS_AUTO, rc = MF_EXIT_USAGE, i;
	bool intoto = false;
	size_t k;

	memset(&opt, 0, sizeof(opt));
	/* the origin as every command reads it: --origin, else
	 * $MODELFACTS_ORIGIN, else the importer's default */
	if (mf_cli_origin(origin, sizeof(origin), NULL, NULL) == 0)
		opt.registry = origin;
	mf_error_init(&err);
	opt.registry = "modelfacts.localhost";
	opt.seq = (int64_t)mf_time_now_ms();
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:v:d:e:f:iO:g:s:H:h", opts,
	                        NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.org = optarg;
			break;
		case 'm':
			opt.model = optarg;
			break;
		case 'v':
			opt.model_version = optarg;
			break;
		case 'd':
			if ((opt.disclosure =
			         disclosure_arg(disclosure, sizeof(disclosure),
			                        optarg)) == NULL) {
				fprintf(stderr, "modelfacts import evals: "
				                "--disclosure is sha256:<64 "
				                "lowercase hex>\n");
				return MF_EXIT_USAGE;
			}
			break;
		case 'e':
			evaluator = optarg;
			opt.third_party = true;
			break;
		case 'f':
			if ((fmt = mf_evals_format_from_name(optarg)) < 0) {
				fprintf(stderr, "modelfacts import evals: "
				                "--format is auto, lm-eval, "
				                "inspect or helm\n");
				return MF_EXIT_USAGE;
			}
			break;
		case 'i':
			intoto = true;
			break;
		case 'O':
			outdir = optarg;
			break;
		case 'g':
			opt.registry = optarg;
			break;
		case 's':
			errno = 0;
			opt.seq = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || opt.seq < 1) {
				fprintf(stderr,
				        "modelfacts import evals: "
				        "--seq is a positive integer\n");
				return MF_EXIT_USAGE;
			}
			break;
		case 'H':
			opt.harness_version = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (opt.org == NULL || opt.model == NULL || optind >= argc) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if (evaluator != NULL && strcmp(evaluator, opt.org) == 0) {
		fprintf(stderr, "modelfacts import evals: an organisation "
		                "cannot be a third party to its own model\n");
		return MF_EXIT_USAGE;
	}
	if (intoto && opt.disclosure == NULL) {
		fprintf(stderr, "modelfacts import evals: --in-toto needs "
		                "--disclosure: a Statement's subject is the "
		                "disclosure's digest\n");
		return MF_EXIT_USAGE;
	}
	{
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(issued, sizeof(issued), "%Y-%m-%dT%H:%M:%SZ", &tm);
		opt.issued_at = issued;
	}

	/* 1. Each file, read and mapped. */
	if ((docs = json_array()) == NULL)
		goto done;
	for (i = optind; i < argc; i++) {
		struct mf_evals_input in;
		char *data = NULL, *stats = NULL;
		char spec_path[4096], stats_path[4096];
		size_t before = json_array_size(docs);
		int h = 1, r;

		memset(&in, 0, sizeof(in));
		if (fmt == MF_EVALS_AUTO || fmt == MF_EVALS_HELM)
			h = read_helm(&in, &data, &stats, argv[i],
			              fmt == MF_EVALS_HELM, spec_path,
			              stats_path, sizeof(spec_path));
		if (h == 1) {
			in.name = argv[i];
			data = mf_cli_read_file(argv[i], MAX_FILE, &in.len);
			in.data = (const uint8_t *)data;
		}
		if (h < 0 || data == NULL) {
			free(data);
			free(stats);
			goto done;
		}
		mf_error_dispose(&err);
		mf_error_init(&err);
		r = mf_evals_import(
		    docs, h == 0 ? MF_EVALS_HELM : (enum mf_evals_format)fmt,
		    &in, &opt, &err);
		free(data);
		free(stats);
		if (r != 0) {
			fprintf(stderr, "modelfacts import evals: %s%s%s%s\n",
			        err.message, err.pointer[0] ? " (pointer " : "",
			        err.pointer, err.pointer[0] ? ")" : "");
			rc = r == MF_E_NOMEM ? MF_EXIT_USAGE : MF_EXIT_FAIL;
			goto done;
		}
		fprintf(stderr, "%s: %zu result%s\n", argv[i],
		        json_array_size(docs) - before,
		        json_array_size(docs) - before == 1 ? "" : "s");
	}

	/* 2. As Statements, if asked; then out. */
	out = json_incref(docs);
	if (intoto) {
		json_decref(out);
		if ((out = json_array()) == NULL)
			goto done;
		for (k = 0; k < json_array_size(docs); k++) {
			json_t *st =
			    mf_intoto_wrap(json_array_get(docs, k), &err);

			if (st == NULL || json_array_append_new(out, st) != 0) {
				fprintf(stderr, "modelfacts import evals: %s\n",
				        err.message);
				goto done;
			}
		}
	}
	rc = emit(out, outdir, intoto);
done:
	json_decref(docs);
	json_decref(out);
	mf_error_dispose(&err);
	return rc;
}
