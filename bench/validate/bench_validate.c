/*
 * The C side of bench/validate/run.sh: compiles SCHEMA once, loads every
 * *.json in DOCS, then measures (each for about SECONDS seconds, default
 * 2) validate-only on parsed documents (fast boolean mode and full error
 * collection) and parse+validate (strict parse, then validate; both
 * with jansson's own parser, mf_json_parse, and with the validator's fast
 * parser, mf_json_parse in common/json_parse.c, which accepts the same texts). Prints
 * "impl<TAB>mode<TAB>ops/s" lines.
 *
 * usage: bench_validate SCHEMA DOCS [URL=DIR]...
 */
#include "common/json.h"
#include "common/timeutil.h"
#include "validators/jsonschema.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct doc {
	char *text;
	size_t len;
	json_t *json;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		exit(2);
	}
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static json_t *
parse_or_die(const char *text, size_t len, const char *what)
{
	struct mf_error err;
	json_t *v;

	mf_error_init(&err);
	v = mf_json_parse(text, len, what, NULL, &err);
	if (v == NULL) {
		fprintf(stderr, "%s\n", err.message);
		exit(2);
	}
	return v;
}

static double seconds = 2.0;

enum mode { FAST, COLLECT, PARSE_JANSSON, PARSE_FAST };

/* One round: ops/s over about `secs` seconds, 64 documents between
 * clock readings. */
static double
round_ops(const struct mf_schema *s, struct doc *docs, size_t n, enum mode m,
          double secs)
{
	int64_t start = mf_time_mono_ns(), now;
	size_t ops = 0, i;
	volatile int sink = 0;

	do {
		for (i = 0; i < 64; i++) {
			struct doc *d = &docs[(ops + i) % n];

			if (m == FAST) {
				sink += mf_schema_is_valid(s, d->json);
			} else if (m == COLLECT) {
				struct mf_validation v = MF_VALIDATION_INIT;

				sink += mf_schema_validate(s, d->json, &v);
				mf_validation_dispose(&v);
			} else {
				json_t *j =
				    m == PARSE_JANSSON
				        ? mf_json_parse_reference(d->text, d->len,
				                                  "doc", NULL, NULL)
				        : mf_json_parse(d->text, d->len, "doc", NULL, NULL);

				sink += mf_schema_is_valid(s, j);
				json_decref(j);
			}
		}
		ops += 64;
		now = mf_time_mono_ns();
	} while ((double)(now - start) < secs * 1e9);
	(void)sink;
	return (double)ops / ((double)(now - start) / 1e9);
}

/* The best of 5 rounds: other load on the machine only ever slows a
 * round down, so the best round is the closest to the real cost. */
static double
measure(const struct mf_schema *s, struct doc *docs, size_t n, enum mode m)
{
	double best = 0, r;
	int i;

	for (i = 0; i < 5; i++)
		if ((r = round_ops(s, docs, n, m, seconds / 5)) > best)
			best = r;
	return best;
}

int
main(int argc, char **argv)
{
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *s = NULL;
	struct mf_error err;
	struct doc docs[256];
	size_t n = 0, len, i;
	char path[4096], *text;
	json_t *schema;
	struct dirent *de;
	DIR *dir;
	int a;

	if (argc < 3) {
		fprintf(stderr,
		        "usage: bench_validate SCHEMA DOCS [URL=DIR]...\n");
		return 2;
	}
	if (getenv("SECONDS_PER_MODE"))
		seconds = atof(getenv("SECONDS_PER_MODE"));
	mf_schema_registry_new(&reg);
	for (a = 3; a < argc; a++) {
		char *eq = strchr(argv[a], '=');

		if (eq == NULL)
			return 2;
		*eq = '\0';
		mf_schema_registry_map_dir(reg, argv[a], eq + 1);
	}
	text = slurp(argv[1], &len);
	schema = parse_or_die(text, len, argv[1]);
	free(text);
	mf_error_init(&err);
	if (mf_schema_compile(&s, reg, schema, MF_SCHEMA_DEFAULT, &err) != 0) {
		fprintf(stderr, "compile: %s\n", err.message);
		return 2;
	}
	if ((dir = opendir(argv[2])) == NULL) {
		perror(argv[2]);
		return 2;
	}
	while ((de = readdir(dir)) != NULL && n < 256) {
		size_t l = strlen(de->d_name);

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[2], de->d_name);
		docs[n].text = slurp(path, &docs[n].len);
		docs[n].json = parse_or_die(docs[n].text, docs[n].len, path);
		if (!mf_schema_is_valid(s, docs[n].json))
			fprintf(stderr, "note: %s is not valid\n", path);
		n++;
	}
	closedir(dir);
	if (n == 0) {
		fprintf(stderr, "no *.json documents in %s\n", argv[2]);
		return 2;
	}
	printf("c\tvalidate-only (first error)\t%.0f\n",
	       measure(s, docs, n, FAST));
	printf("c\tvalidate-only (all errors)\t%.0f\n",
	       measure(s, docs, n, COLLECT));
	printf("c\tparse+validate\t%.0f\n", measure(s, docs, n, PARSE_FAST));
	printf("c (jansson parser)\tparse+validate\t%.0f\n",
	       measure(s, docs, n, PARSE_JANSSON));
	for (i = 0; i < n; i++) {
		free(docs[i].text);
		json_decref(docs[i].json);
	}
	json_decref(schema);
	mf_schema_free(s);
	mf_schema_registry_free(reg);
	return 0;
}
