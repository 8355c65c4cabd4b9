/*
 * `modelfacts validate --schema SCHEMA.json [--draft 2020-12|7]
 * [--assert-format] [--ref URL=DIR]... [--json] FILE...`: validates any
 * JSON documents against any 2020-12 or draft-07 schema, offline, as a
 * general-purpose validator (the JSON Schema Test Suite runs through it,
 * one process per case). Remote $refs resolve only from local
 * directories: each --ref maps a URL prefix to one, the schema's own
 * directory is mapped for relative references of a schema without "$id",
 * and the standard meta-schemas are built in.
 */
#include "cli/commands.h"
#include "common/json.h"
#include "validators/jsonschema.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Larger documents are refused: this is a checker, not a stream parser. */
#define INPUT_MAX (256u << 20)

/* Any JSON text is accepted here, strings with U+0000 included. */
#define PARSE_FLAGS MF_SCHEMA_JSON_ALLOW_NUL

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts validate --schema SCHEMA.json [--draft "
	        "2020-12|7]\n"
	        "           [--assert-format] [--ref URL=DIR]... [--json] "
	        "FILE...\n"
	        "\n"
	        "Validates JSON documents (FILE, or - for standard input) "
	        "against any JSON\n"
	        "Schema, offline: draft 2020-12, or draft-07 when its $schema "
	        "says so. The\n"
	        "2020-12 and draft-07 meta-schemas are built in, so $schema "
	        "and $ref may\n"
	        "name them.\n"
	        "\n"
	        "options:\n"
	        "  --schema SCHEMA.json  the schema (required)\n"
	        "  --draft 2020-12|7     the dialect of a schema without "
	        "\"$schema\"\n"
	        "                        (default 2020-12)\n"
	        "  --assert-format       assert the formats date, date-time, "
	        "uri, email and\n"
	        "                        uuid in 2020-12 schemas too (there "
	        "format is an\n"
	        "                        annotation by default; draft-07 "
	        "schemas always\n"
	        "                        assert these five; other formats are "
	        "annotations)\n"
	        "  --ref URL=DIR         resolve $refs starting with URL from "
	        "files under DIR\n"
	        "                        (repeatable; nothing is fetched from "
	        "the network)\n"
	        "  --json                print a machine-readable report\n"
	        "  -h, --help            print this help\n"
	        "\n"
	        "exit status: 0 all valid, 1 some invalid, 2 usage, I/O or "
	        "schema error\n"
	        "\n"
	        "examples:\n"
	        "  modelfacts validate --schema person.schema.json alice.json "
	        "bob.json\n"
	        "  modelfacts validate --schema legacy.json --draft 7 "
	        "--assert-format doc.json\n"
	        "  modelfacts validate --schema bom-1.6.schema.json --ref "
	        "http://cyclonedx.org/schema/=schemas/ --json bom.json\n");
}

/* Reads a whole file ("-": standard input); malloc'd, or NULL + errno. */
static char *
read_all(const char *path, size_t *len_out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	int saved;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > INPUT_MAX + 1)
				cap = INPUT_MAX + 1;
			if (len == cap) {
				errno = EFBIG;
				goto fail;
			}
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*len_out = len;
	return buf;
fail:
	saved = errno;
	free(buf);
	if (f != stdin)
		fclose(f);
	errno = saved;
	return NULL;
}

/* Reads and strictly parses a JSON file; prints why not and returns NULL. */
static json_t *
load_json(const char *path, bool quiet_json, json_t **error_out)
{
	struct mf_error err;
	char *text;
	size_t len = 0;
	json_t *v;
	char msg[700];

	*error_out = NULL;
	text = read_all(path, &len);
	if (text == NULL) {
		snprintf(msg, sizeof(msg), "cannot read %s: %s", path,
		         strerror(errno));
		goto fail;
	}
	mf_error_init(&err);
	v = mf_schema_json_parse(text, len, path, PARSE_FLAGS, &err);
	free(text);
	if (v != NULL) {
		mf_error_dispose(&err);
		return v;
	}
	snprintf(msg, sizeof(msg), "%s", err.message);
	mf_error_dispose(&err);
fail:
	if (!quiet_json)
		fprintf(stderr, "modelfacts validate: %s\n", msg);
	*error_out = json_string(msg);
	return NULL;
}

/* --draft: the dialect of a schema without "$schema". */
static int
set_draft(const char *arg, unsigned *flags)
{
	if (strcmp(arg, "2020-12") == 0) {
		*flags &= ~(unsigned)MF_SCHEMA_DEFAULT_DRAFT7;
		return 0;
	}
	if (strcmp(arg, "7") == 0 || strcmp(arg, "07") == 0) {
		*flags |= MF_SCHEMA_DEFAULT_DRAFT7;
		return 0;
	}
	fprintf(stderr,
	        "modelfacts validate: --draft wants 2020-12 or 7, got \"%s\"\n",
	        arg);
	return -1;
}

static int
add_ref(struct mf_schema_registry *reg, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *prefix;
	int rc;

	if (eq == NULL || eq == arg || eq[1] == '\0') {
		fprintf(stderr,
		        "modelfacts validate: --ref wants URL=DIR, "
		        "got \"%s\"\n",
		        arg);
		return -1;
	}
	prefix = strndup(arg, (size_t)(eq - arg));
	if (prefix == NULL)
		return -1;
	rc = mf_schema_registry_map_dir(reg, prefix, eq + 1);
	free(prefix);
	return rc;
}

/*
 * The schema gets a file: URI as its retrieval URI, and its directory is
 * mapped, so that "other.json" next to a schema without "$id" resolves.
 */
static int
add_schema(struct mf_schema_registry *reg, const char *path, json_t *doc,
           char **uri_out)
{
	char real[PATH_MAX], *slash, *uri, *dir_uri;
	int rc;

	if (realpath(path, real) == NULL)
		return -1;
	uri = malloc(strlen(real) + 8);
	dir_uri = malloc(strlen(real) + 8);
	if (uri == NULL || dir_uri == NULL) {
		free(uri);
		free(dir_uri);
		return -1;
	}
	sprintf(uri, "file://%s", real);
	slash = strrchr(real, '/');
	slash[1] = '\0';
	sprintf(dir_uri, "file://%s", real);
	rc = mf_schema_registry_add(reg, uri, doc);
	if (rc == 0)
		rc = mf_schema_registry_map_dir(reg, dir_uri, real);
	free(dir_uri);
	if (rc != 0) {
		free(uri);
		return -1;
	}
	*uri_out = uri;
	return 0;
}

static void
print_report(const char *file, int rc, const struct mf_validation *v)
{
	size_t i;

	if (rc == 0) {
		printf("%s: valid\n", file);
		return;
	}
	printf("%s: invalid (%zu%s error%s)\n", file, v->count,
	       v->truncated ? "+" : "", v->count == 1 ? "" : "s");
	for (i = 0; i < v->count; i++) {
		const struct mf_validation_error *e = &v->errors[i];

		printf("  %s: %s\n      schema: %s\n",
		       *e->instance_location ? e->instance_location
		                             : "(document root)",
		       e->message, e->keyword_location);
	}
	if (v->truncated)
		printf("  (more than %d errors; only the first %d are "
		       "shown)\n",
		       MF_SCHEMA_MAX_ERRORS, MF_SCHEMA_MAX_ERRORS);
}

int
mf_cli_validate_with_schema(int argc, char **argv)
{
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *schema = NULL;
	const char *schema_path = NULL;
	json_t *schema_doc = NULL, *report = NULL, *results = NULL, *why;
	char *schema_uri = NULL;
	struct mf_error err;
	bool as_json = false, any_invalid = false, any_error = false;
	/* draft-07 keeps asserting the five formats, as it always did */
	unsigned flags = MF_SCHEMA_ASSERT_FORMAT_DRAFT7;
	int i, first_file = argc, status = 2;

	mf_error_init(&err);
	if (mf_schema_registry_new(&reg) != 0)
		goto done;
	mf_schema_registry_set_parse_flags(reg, PARSE_FLAGS);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			status = 0;
			goto done;
		} else if (strcmp(argv[i], "--json") == 0) {
			as_json = true;
		} else if (strcmp(argv[i], "--assert-format") == 0) {
			flags |= MF_SCHEMA_ASSERT_FORMAT;
		} else if (strcmp(argv[i], "--draft") == 0 && i + 1 < argc) {
			if (set_draft(argv[++i], &flags) != 0)
				goto done;
		} else if (strncmp(argv[i], "--draft=", 8) == 0) {
			if (set_draft(argv[i] + 8, &flags) != 0)
				goto done;
		} else if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc) {
			schema_path = argv[++i];
		} else if (strncmp(argv[i], "--schema=", 9) == 0) {
			schema_path = argv[i] + 9;
		} else if (strcmp(argv[i], "--ref") == 0 && i + 1 < argc) {
			if (add_ref(reg, argv[++i]) != 0)
				goto done;
		} else if (strncmp(argv[i], "--ref=", 6) == 0) {
			if (add_ref(reg, argv[i] + 6) != 0)
				goto done;
		} else if (strcmp(argv[i], "--schema") == 0 ||
		           strcmp(argv[i], "--ref") == 0 ||
		           strcmp(argv[i], "--draft") == 0) {
			fprintf(stderr,
			        "modelfacts validate: %s needs an argument\n",
			        argv[i]);
			goto done;
		} else if (strcmp(argv[i], "--") == 0) {
			first_file = i + 1;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr,
			        "modelfacts validate: unknown option %s\n",
			        argv[i]);
			usage(stderr);
			goto done;
		} else {
			first_file = i;
			break;
		}
	}
	if (schema_path == NULL || first_file >= argc) {
		usage(stderr);
		goto done;
	}
	if ((schema_doc = load_json(schema_path, false, &why)) == NULL) {
		json_decref(why);
		goto done;
	}
	if (strcmp(schema_path, "-") != 0 &&
	    add_schema(reg, schema_path, schema_doc, &schema_uri) == 0) {
		if (mf_schema_compile_uri(&schema, reg, schema_uri, flags,
		                          &err) != 0)
			schema = NULL;
	} else if (mf_schema_compile(&schema, reg, schema_doc, flags, &err) !=
	           0) {
		schema = NULL;
	}
	if (schema == NULL) {
		fprintf(stderr, "modelfacts validate: %s: %s\n", schema_path,
		        err.message);
		goto done;
	}
	if (as_json && ((report = json_object()) == NULL ||
	                (results = json_array()) == NULL))
		goto done;
	for (i = first_file; i < argc; i++) {
		struct mf_validation v = MF_VALIDATION_INIT;
		json_t *doc = load_json(argv[i], as_json, &why);
		int rc;

		if (doc == NULL) {
			any_error = true;
			if (as_json)
				json_array_append_new(
				    results,
				    json_pack("{s:s, s:o}", "file", argv[i],
				              "error",
				              why ? why : json_null()));
			else
				json_decref(why);
			continue;
		}
		rc = mf_schema_validate(schema, doc, &v);
		json_decref(doc);
		if (rc < 0) {
			fprintf(stderr, "modelfacts validate: %s: %s\n",
			        argv[i], mf_error_name(rc));
			any_error = true;
			continue;
		}
		any_invalid |= rc == 1;
		if (as_json)
			json_array_append_new(
			    results,
			    json_pack("{s:s, s:b, s:o, s:b}", "file", argv[i],
			              "valid", rc == 0, "errors",
			              mf_validation_to_json(&v), "truncated",
			              v.truncated));
		else
			print_report(argv[i], rc, &v);
		mf_validation_dispose(&v);
	}
	status = any_error ? 2 : any_invalid ? 1 : 0;
	if (as_json) {
		json_object_set_new(report, "schema", json_string(schema_path));
		json_object_set(report, "results", results);
		json_object_set_new(report, "valid",
		                    json_boolean(!any_error && !any_invalid));
		json_dumpf(report, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		printf("\n");
	}
done:
	json_decref(report);
	json_decref(results);
	json_decref(schema_doc);
	mf_schema_free(schema);
	mf_schema_registry_free(reg);
	mf_error_dispose(&err);
	free(schema_uri);
	return status;
}
