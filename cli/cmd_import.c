/*
 * `modelfacts import SOURCE`: the table of import sources, and the first
 * source, `modelfacts import fmti [DIR] [--report] [--out OUTDIR]`: reads the
 * FMTI data set, scores every imported assessment with our own scoring
 * code (--report), and writes the index, organisations and unsigned
 * payloads to a directory (--out), listed in submission order in
 * submissions.json: the seam for signing and submitting them later.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/doctype.h"
#include "common/json.h"
#include "importers/fmti.h"
#include "importers/fmti_agree.h"
#include "scoring/index.h"
#include "scoring/score.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The import sources: `modelfacts import NAME ...` runs fn with argv[0] =
 * NAME. A new source is one row here and one "import NAME" row (summary,
 * flags) in cli/main.c's command table.
 */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} sources[] = {
    {"fmti", mf_cli_import_fmti},
    {"evals", mf_cli_import_evals},
    {"hf-card", cmd_import_hf},
};

static void
import_usage(FILE *out)
{
	const struct mf_cli_command *c;

	fprintf(out, "usage: modelfacts import SOURCE [ARG]...\n\nsources:\n");
	for (c = mf_cli_commands; c->name != NULL; c++)
		if (strncmp(c->name, "import ", 7) == 0)
			fprintf(out, "  %-12s %s\n", c->name + 7, c->summary);
	fprintf(out,
	        "\nEvery source takes the same flags for the same things: "
	        "--registry URL (the\nserver, else $MODELFACTS_URL), --origin "
	        "NAME (the registry's name in the\npayloads, else "
	        "$MODELFACTS_ORIGIN, else what the registry answers) and\n"
	        "--token-file FILE (the admin token). `modelfacts import "
	        "SOURCE --help`\ndescribes one.\n\n"
	        "examples:\n"
	        "  modelfacts import fmti --report\n"
	        "  modelfacts import fmti --help\n");
}

/*
 * The FMTI data beside the checkout, wherever the command is run from:
 * ../shared/data/fmti from the current directory, else from the
 * checkout that holds this binary (bin/modelfacts -> ../../shared).
 * Returns 0 with the directory in out, -1 when neither exists.
 */
static int
default_fmti_dir(char *out, size_t n)
{
	char exe[4096];
	struct stat st;
	ssize_t len;
	char *slash;

	snprintf(out, n, "../shared/data/fmti");
	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return -1;
	exe[len] = '\0';
	/* strip "/modelfacts" and "/bin" (or build/<variant>) */
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (strcmp(slash + 1, "release") == 0 ||
	    strcmp(slash + 1, "asan") == 0) {
		if ((slash = strrchr(exe, '/')) == NULL)
			return -1;
		*slash = '\0'; /* build/<variant>: one more level */
	}
	if ((size_t)snprintf(out, n, "%s/../shared/data/fmti", exe) >= n)
		return -1;
	return stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int
cmd_import(int argc, char **argv)
{
	size_t i;

	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		import_usage(stdout);
		return MF_EXIT_OK;
	}
	for (i = 0; argc >= 2 && i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(argv[1], sources[i].name) == 0)
			return sources[i].run(argc - 1, argv + 1);
	if (argc >= 2)
		fprintf(stderr, "modelfacts import: unknown source '%s'\n\n",
		        argv[1]);
	import_usage(stderr);
	return MF_EXIT_USAGE;
}

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts import fmti [DIR] [--report] [--out OUTDIR] "
	    "[--origin NAME]\n"
	    "       modelfacts import fmti [DIR] --submit [--registry URL] "
	    "[--origin NAME]\n"
	    "                              [--token-file FILE] [--keys DIR]"
	    "\n\n"
	    "Imports the Foundation Model Transparency Index data set "
	    "(CC BY 4.0, Stanford\nCRFM et al.) from DIR (default: "
	    "$MF_SHARED_DATA/fmti, else ../shared/data/fmti\nfrom here or "
	    "from the checkout that holds this binary): the v1.0, v1.1\n"
	    "and 2025 editions' indices, one organisation per developer, "
	    "their\ndisclosures and the published "
	    "assessments.\n\n"
	    "  --report      print, tab-separated: edition, developer, "
	    "upstream, model,\n"
	    "                downstream and total, as our scoring computes "
	    "them from the\n"
	    "                imported documents; then per report what the "
	    "crosswalk\n"
	    "                mapped into disclosure fields, the values read "
	    "from the\n"
	    "                words, and what stayed free text; then how far "
	    "the\n"
	    "                automatic modelfacts-v1 check agrees with the "
	    "FMTI experts\n"
	    "                (percentage and Cohen's kappa, FIDELITY.md)\n"
	    "  --out OUTDIR  write index.json, orgs.json, the unsigned "
	    "payloads and\n"
	    "                submissions.json (their submission order) "
	    "under OUTDIR\n"
	    "  --origin NAME the registry's name inside the payloads: "
	    "else\n"
	    "                $MODELFACTS_ORIGIN, else what GET /v1/registry "
	    "answers when\n"
	    "                a registry is given (--registry or "
	    "$MODELFACTS_URL) or\n"
	    "                --submit, else %s\n"
	    "  --submit      register the organisations (the curator's key "
	    "kept in\n"
	    "                --keys DIR), load the indices, then "
	    "sign and\n"
	    "                submit every document to the registry. A re-run "
	    "adds new\n"
	    "                versions.\n"
	    "  --registry URL  the registry (else $MODELFACTS_URL, else\n"
	    "                http://127.0.0.1:8080)\n"
	    "  --token-file FILE  the admin token (else "
	    "$MODELFACTS_TOKEN_FILE, else\n"
	    "                $MODELFACTS_ADMIN_TOKEN, else the state "
	    "directory `make run`\n"
	    "                recorded for a registry on this machine)\n"
	    "  --keys DIR    where the curator's signing key is kept "
	    "(default: fmti-keys\n"
	    "                beside the admin token file, as var/fmti-keys "
	    "under\n"
	    "                `make run`; else ./var/fmti-keys)\n\n"
	    "Exit 0 ok, 1 the data is not as documented, 2 usage or I/O "
	    "error.\n\n"
	    "examples:\n"
	    "  modelfacts import fmti --report\n"
	    "  modelfacts import fmti ../shared/data/fmti --out /tmp/fmti "
	    "--origin registry.example\n"
	    "  modelfacts import fmti --submit --registry "
	    "http://127.0.0.1:18700 \\\n"
	    "      --token-file /srv/modelfacts/var/admin.token\n",
	    MF_FMTI_DEFAULT_REGISTRY);
}

static int
mkdirs(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int
write_file(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[4096];
	FILE *f;
	int n = snprintf(path, sizeof(path), "%s/%s", dir, rel), ok;
	char *slash;

	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		if (mkdirs(path) != 0) {
			fprintf(stderr, "modelfacts import: %s: %s\n", path,
			        strerror(errno));
			return -1;
		}
		*slash = '/';
	}
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "modelfacts import: %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok &= fclose(f) == 0;
	if (!ok)
		fprintf(stderr, "modelfacts import: %s: write error\n", path);
	return ok ? 0 : -1;
}

static int
write_json(const char *dir, const char *rel, const json_t *v)
{
	struct mf_buf b = MF_BUF_INIT;
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int rc = -1;

	/* A trailing newline for humans; signed payloads get none. */
	if (text != NULL && mf_buf_puts(&b, text) == 0 &&
	    mf_buf_putc(&b, '\n') == 0)
		rc = write_file(dir, rel, b.data, b.len);
	free(text);
	mf_buf_dispose(&b);
	return rc;
}

/* Appends one payload to the submission list and writes its bytes. */
static int
write_doc(const char *outdir, json_t *subs, const char *edition,
          const struct mf_fmti_developer *dev, const char *kind,
          const struct mf_fmti_doc *doc, const char *signer, int type)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s/%s.json", edition, dev->org, kind);
	if (write_file(outdir, rel, doc->bytes, doc->len) != 0)
		return -1;
	return json_array_append_new(
	           subs,
	           json_pack("{s:s, s:s, s:s, s:s}", "file", rel, "signer",
	                     signer, "payload_type",
	                     mf_doctype_payload_type((enum mf_doctype)type),
	                     "payload_sha256", doc->sha256)) == 0
	           ? 0
	           : -1;
}

static int
write_out(const struct mf_fmti_import *imp, const char *outdir)
{
	json_t *subs = json_array();
	size_t e, j;
	char rel[256];
	int rc = -1;

	if (subs == NULL || mkdirs(outdir) != 0) {
		fprintf(stderr, "modelfacts import: %s: cannot create\n",
		        outdir);
		goto done;
	}
	if (write_json(outdir, "orgs.json", imp->orgs) != 0)
		goto done;
	for (e = 0; e < MF_FMTI_EDITIONS; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];

		snprintf(rel, sizeof(rel), "%s/index.json", ed->name);
		if (write_json(outdir, rel, ed->index) != 0)
			goto done;
		for (j = 0; j < ed->n_devs; j++) {
			const struct mf_fmti_developer *dev = &ed->devs[j];

			if (dev->disclosure.payload != NULL &&
			    write_doc(outdir, subs, ed->name, dev, "disclosure",
			              &dev->disclosure, MF_FMTI_CURATOR,
			              MF_DOC_DISCLOSURE) != 0)
				goto done;
			if (write_doc(outdir, subs, ed->name, dev, "assessment",
			              &dev->assessment, MF_FMTI_CURATOR,
			              MF_DOC_ASSESSMENT) != 0)
				goto done;
		}
	}
	rc = write_json(outdir, "submissions.json", subs);
done:
	json_decref(subs);
	return rc;
}

/* Numbers of a fill report list, joined: "2, 8, 17". */
static void
print_numbers(const json_t *list, const char *key)
{
	size_t i;
	const json_t *x;

	json_array_foreach(list, i, x)
	{
		const json_t *n = key != NULL ? json_object_get(x, key) : x;

		printf("%s%" JSON_INTEGER_FORMAT, i > 0 ? ", " : "",
		       json_integer_value(n));
	}
	printf("\n");
}

/*
 * Per report: what the crosswalk mapped into disclosure fields, the
 * values read from the words, and what stayed free text (and why).
 */
static void
report_fill(const struct mf_fmti_import *imp)
{
	size_t e, j, i;

	printf("\n# Transcription: each report's answers through "
	       "schema/crosswalk/\n");
	for (e = 0; e < MF_FMTI_EDITIONS; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];

		for (j = 0; j < ed->n_devs; j++) {
			const json_t *r = ed->devs[j].fill_report, *m, *ft;
			const json_t *x;
			size_t n_ext = 0;

			if (r == NULL)
				continue;
			m = json_object_get(r, "mapped");
			ft = json_object_get(r, "free_text");
			json_array_foreach(m, i, x) n_ext +=
			    json_object_get(x, "extracted") != NULL;
			printf(
			    "%s %s: %" JSON_INTEGER_FORMAT
			    " answers; %zu say not disclosed; %zu mapped "
			    "into disclosure fields (%zu with a value read "
			    "from the words); %zu stay free text\n",
			    ed->name, ed->devs[j].name,
			    json_integer_value(json_object_get(r, "answers")),
			    json_array_size(json_object_get(r, "undisclosed")),
			    json_array_size(m), n_ext, json_array_size(ft));
			json_array_foreach(m, i, x)
			{
				printf("  mapped    %3" JSON_INTEGER_FORMAT
				       "  %s",
				       json_integer_value(
				           json_object_get(x, "fmti")),
				       mf_json_str(x, "pointer"));
				if (mf_json_str(x, "extracted") != NULL)
					printf(" = %s",
					       mf_json_str(x, "extracted"));
				printf("\n");
			}
			json_array_foreach(ft, i, x)
			{
				if (strcmp(mf_json_str(x, "reason"),
				           "no modelfacts-v1 field") == 0)
					continue;
				printf("  free text %3" JSON_INTEGER_FORMAT
				       "  %s\n",
				       json_integer_value(
				           json_object_get(x, "fmti")),
				       mf_json_str(x, "reason"));
			}
			printf("  free text (no modelfacts-v1 field): ");
			{
				int first = 1;

				json_array_foreach(ft, i, x)
				{
					if (strcmp(mf_json_str(x, "reason"),
					           "no modelfacts-v1 field") !=
					    0)
						continue;
					printf("%s%" JSON_INTEGER_FORMAT,
					       first ? "" : ", ",
					       json_integer_value(
					           json_object_get(x, "fmti")));
					first = 0;
				}
				printf("\n");
			}
			printf("  not disclosed: ");
			print_numbers(json_object_get(r, "undisclosed"), NULL);
		}
	}
}

static void
print_agreement(const char *edition, const char *who,
                const struct mf_fmti_agreement *a)
{
	double k = mf_fmti_agreement_kappa(a);

	printf("%s\t%s\t%u\t%u\t%.1f\t", edition, who, a->n,
	       a->both + a->neither, mf_fmti_agreement_percent(a));
	if (isnan(k))
		printf("n/a");
	else
		printf("%.3f", k);
	printf("\t%u\t%u\t%u\t%u\n", a->both, a->auto_only, a->fmti_only,
	       a->neither);
}

/*
 * Agreement of the automatic modelfacts-v1 check with the FMTI experts,
 * per developer and overall, for the editions with reports; then why
 * they disagree (FIDELITY.md).
 */
static int
report_agreement(const struct mf_fmti_import *imp)
{
	struct mf_error err;
	size_t e, j, w;
	int rc = 0;

	printf("\n# Agreement: automatic modelfacts-v1 check of each imported "
	       "report vs the FMTI\n# expert scores, per crosswalk row with "
	       "a modelfacts-v1 counterpart (FIDELITY.md)\n# edition\t"
	       "developer\trows\tagree\tpercent\tkappa\tboth_met\t"
	       "auto_only\tfmti_only\tneither\n");
	mf_error_init(&err);
	for (e = 0; e < MF_FMTI_EDITIONS && rc == 0; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];
		struct mf_fmti_agreement total;

		if (mf_fmti_crosswalk_of(ed->name) == NULL || ed->n_devs == 0 ||
		    ed->devs[0].fill_report == NULL)
			continue;
		memset(&total, 0, sizeof(total));
		for (j = 0; j < ed->n_devs && rc == 0; j++) {
			struct mf_fmti_agreement one;

			memset(&one, 0, sizeof(one));
			if ((rc = mf_fmti_agree(&one, ed, &ed->devs[j],
			                        &err)) != 0 ||
			    (rc = mf_fmti_agree(&total, ed, &ed->devs[j],
			                        &err)) != 0) {
				fprintf(stderr, "modelfacts import: %s\n",
				        err.message);
				break;
			}
			print_agreement(ed->name, ed->devs[j].name, &one);
		}
		if (rc != 0)
			break;
		print_agreement(ed->name, "overall", &total);
		for (w = 0; w < MF_FMTI_WHY__MAX; w++)
			printf("#   %s %s: %u\n", ed->name,
			       mf_fmti_why_text((enum mf_fmti_why)w),
			       total.why[w]);
	}
	mf_error_dispose(&err);
	return rc;
}

/* One line per edition and developer, from our own scoring. */
static int
report(const struct mf_fmti_import *imp)
{
	static const char *const domains[] = {"upstream", "model",
	                                      "downstream"};
	struct mf_error err;
	size_t e, j, d;
	int rc = 0;

	mf_error_init(&err);
	printf("# FMTI totals as our scoring computes them from the imported "
	       "documents\n# edition\tdeveloper\tupstream\tmodel\t"
	       "downstream\ttotal\n");
	for (e = 0; e < MF_FMTI_EDITIONS && rc == 0; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];
		struct mf_index *idx = NULL;

		if ((rc = mf_index_load(&idx, ed->index, &err)) != 0) {
			fprintf(stderr, "modelfacts import: %s index: %s\n",
			        ed->name, err.message);
			break;
		}
		for (j = 0; j < ed->n_devs && rc == 0; j++) {
			const struct mf_fmti_developer *dev = &ed->devs[j];
			struct mf_score_assessment a = {dev->assessment.payload,
			                                MF_FMTI_ASSESSOR};
			struct mf_score *s = NULL;

			rc = mf_score_compute(&s, idx, dev->disclosure.payload,
			                      &a, 1, &err);
			if (rc != 0)
				break;
			printf("%s\t%s", ed->name, dev->name);
			for (d = 0; d < 3; d++) {
				const struct mf_score_total *t =
				    mf_score_domain(s, domains[d]);

				printf("\t%u", t != NULL ? t->met : 0);
			}
			printf("\t%u\n", s->total.met);
			mf_score_free(s);
		}
		mf_index_free(idx);
	}
	mf_error_dispose(&err);
	if (rc == 0) {
		report_fill(imp);
		rc = report_agreement(imp);
	}
	return rc;
}

int
mf_cli_import_fmti(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"report", no_argument, NULL, 'r'},
	    {"out", required_argument, NULL, 'o'},
	    {"origin", required_argument, NULL, 'g'},
	    {"submit", no_argument, NULL, 's'},
	    {"registry", required_argument, NULL, 'u'},
	    {"url", required_argument, NULL, 'U'}, /* deprecated alias */
	    {"token-file", required_argument, NULL, 't'},
	    {"keys", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mf_fmti_options opt;
	struct mf_fmti_import *imp = NULL;
	struct mf_error err;
	const char *outdir = NULL, *env, *url = NULL, *token_file = NULL;
	const char *keys_dir = NULL, *origin_flag = NULL, *base;
	char dir[4096], origin[256], keys[4200];
	int c, want_report = 0, want_submit = 0, asked, rc;

	/* 1. Flags: one name per meaning (cli/main.c). */
	memset(&opt, 0, sizeof(opt));
	optind = 1;
	while ((c = getopt_long(argc, argv, "ro:g:su:t:k:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'r':
			want_report = 1;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'g':
			origin_flag = optarg;
			break;
		case 's':
			want_submit = 1;
			break;
		case 'U':
			fprintf(stderr, "modelfacts import: --url is "
			                "deprecated: use --registry URL\n");
			/* fall through */
		case 'u':
			url = optarg;
			break;
		case 't':
			token_file = optarg;
			break;
		case 'k':
			keys_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (optind < argc - 1 ||
	    (!want_report && outdir == NULL && !want_submit)) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	/* --registry used to name the origin: say so rather than fail on
	 * a URL that is not one. */
	if (url != NULL && strstr(url, "://") == NULL) {
		fprintf(stderr,
		        "modelfacts import: --registry takes the registry's "
		        "URL (http://...);\nthe name inside payloads is "
		        "--origin NAME\n");
		return MF_EXIT_USAGE;
	}
	if (optind == argc - 1)
		snprintf(dir, sizeof(dir), "%s", argv[optind]);
	else if ((env = getenv("MF_SHARED_DATA")) != NULL && *env)
		snprintf(dir, sizeof(dir), "%s/fmti", env);
	else if (default_fmti_dir(dir, sizeof(dir)) != 0)
		snprintf(dir, sizeof(dir), "../shared/data/fmti");
	opt.dir = dir;
	/* 2. The origin payloads name: given, else the registry's own
	 * when one is named (or needed, to submit), else the default. */
	env = getenv("MODELFACTS_URL");
	asked = want_submit || url != NULL || (env != NULL && *env);
	base = mf_cli_registry_url(url);
	if (mf_cli_origin(origin, sizeof(origin), origin_flag,
	                  asked ? base : NULL) == 0) {
		opt.registry = origin;
	} else if (want_submit) {
		fprintf(stderr,
		        "modelfacts import: cannot read %s/v1/registry for the "
		        "origin; is the\nregistry running? (--registry URL, "
		        "--origin NAME)\n",
		        base);
		return MF_EXIT_USAGE;
	} else if (asked) {
		fprintf(stderr,
		        "modelfacts import: %s/v1/registry did not answer; the "
		        "payloads name\nthe origin %s (--origin NAME)\n",
		        base, MF_FMTI_DEFAULT_REGISTRY);
	}
	/* 3. Import, then report, write and submit. */
	mf_error_init(&err);
	if ((rc = mf_fmti_import(&imp, &opt, &err)) != 0) {
		fprintf(stderr, "modelfacts import: %s\n", err.message);
		mf_error_dispose(&err);
		return rc == MF_E_BAD_REQUEST ? MF_EXIT_FAIL : MF_EXIT_USAGE;
	}
	rc = MF_EXIT_OK;
	if (want_report && report(imp) != 0)
		rc = MF_EXIT_USAGE;
	if (rc == MF_EXIT_OK && outdir != NULL && write_out(imp, outdir) != 0)
		rc = MF_EXIT_USAGE;
	/* The curator's key beside the admin token (the state directory:
	 * var/fmti-keys under `make run`), so every run finds it again. */
	if (rc == MF_EXIT_OK && want_submit && keys_dir == NULL) {
		char *slash;

		keys_dir = "var/fmti-keys";
		if (mf_cli_admin_token_source(keys, sizeof(keys) - 10,
		                              token_file, base) == 1 &&
		    (slash = strrchr(keys, '/')) != NULL) {
			strcpy(slash + 1, "fmti-keys");
			keys_dir = keys;
		}
	}
	if (rc == MF_EXIT_OK && want_submit)
		rc = mf_cli_fmti_submit(imp, base, token_file, keys_dir);
	mf_fmti_import_free(imp);
	mf_error_dispose(&err);
	return rc;
}
