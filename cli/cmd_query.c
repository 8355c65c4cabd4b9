/*
 * modelfacts query and compare: the registry's search (GET /v1/models)
 * and comparison (GET /v1/compare) printed as aligned tables, or as the
 * registry's JSON or CSV.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/buf.h"
#include "common/table.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends name=value to a query string, percent-encoding both. */
static int
query_add(struct mf_buf *q, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = {name, value};
	int i, rc = mf_buf_putc(q, q->len == 0 ? '?' : '&');

	for (i = 0; i < 2 && rc == 0; i++) {
		const unsigned char *s = (const unsigned char *)parts[i];

		if (i == 1)
			rc = mf_buf_putc(q, '=');
		for (; rc == 0 && *s; s++) {
			if ((*s >= 'a' && *s <= 'z') ||
			    (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9') || strchr("-._~", *s))
				rc = mf_buf_putc(q, (char)*s);
			else
				rc = mf_buf_printf(q, "%%%c%c", hex[*s >> 4],
				                   hex[*s & 15]);
		}
	}
	return rc;
}

/* The registry's URL, path and query string: a new string or NULL. */
static char *
make_url(const char *registry, const char *path, const struct mf_buf *query)
{
	struct mf_buf b = MF_BUF_INIT;

	if (mf_buf_printf(&b, "%s%s%.*s", mf_cli_registry_url(registry), path,
	                  (int)query->len,
	                  query->data ? query->data : "") != 0 ||
	    mf_buf_putc(&b, '\0') != 0) {
		mf_buf_dispose(&b);
		return NULL;
	}
	return mf_buf_detach(&b, NULL);
}

/* GET url; prints the body as it is, or hands the parsed JSON back. */
static int
get(const char *url, json_t **doc, int raw)
{
	struct mf_buf resp = MF_BUF_INIT;
	long status = 0;
	int rc = MF_EXIT_OK;

	*doc = NULL;
	if (mf_cli_http("GET", url, NULL, 0, NULL, &status, &resp) != 0) {
		rc = MF_EXIT_USAGE;
		goto done;
	}
	if (mf_buf_putc(&resp, '\0') != 0) {
		rc = MF_EXIT_USAGE;
		goto done;
	}
	if (status != 200) {
		mf_cli_print_api_error(status, resp.data);
		rc = MF_EXIT_FAIL;
		goto done;
	}
	if (raw) {
		fwrite(resp.data, 1, resp.len - 1, stdout);
		goto done;
	}
	if ((*doc = json_loads(resp.data, 0, NULL)) == NULL) {
		fprintf(stderr, "modelfacts: the registry's answer is not "
		                "JSON\n");
		rc = MF_EXIT_FAIL;
	}
done:
	mf_buf_dispose(&resp);
	return rc;
}

static int
print_table(const json_t *rows, const struct mf_table_column *cols,
            size_t ncols)
{
	struct mf_buf out = MF_BUF_INIT;
	int rc = cols ? mf_table_render(&out, rows, cols, ncols)
	              : mf_table_render_auto(&out, rows);

	if (rc == 0)
		fwrite(out.data, 1, out.len, stdout);
	mf_buf_dispose(&out);
	return rc == 0 ? MF_EXIT_OK : MF_EXIT_USAGE;
}

/* Shared options: --registry, --json, --csv, --help; the rest are
 * query parameters. Returns -1 to go on, else an exit status. */
struct opts {
	const char *registry;
	int json, csv;
	struct mf_buf query;
	char **positional;
	int npositional;
};

static int
parse(int argc, char **argv, struct opts *o, void (*usage)(FILE *),
      const char *positional_name)
{
	int i;

	memset(o, 0, sizeof(*o));
	mf_buf_init(&o->query, 0);
	if ((o->positional = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return MF_EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return MF_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--csv") == 0) {
			o->csv = 1;
		} else if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
			const char *name = a + 2, *eq = strchr(name, '=');
			char key[128];

			if (eq != NULL) {
				snprintf(key, sizeof(key), "%.*s",
				         (int)(eq - name), name);
				if (strcmp(key, "registry") == 0)
					o->registry = eq + 1;
				else if (query_add(&o->query, key, eq + 1))
					return MF_EXIT_USAGE;
				continue;
			}
			if (i + 1 >= argc) {
				fprintf(stderr,
				        "modelfacts: %s needs a value\n", a);
				usage(stderr);
				return MF_EXIT_USAGE;
			}
			if (strcmp(name, "registry") == 0)
				o->registry = argv[++i];
			else if (query_add(&o->query, name, argv[++i]) != 0)
				return MF_EXIT_USAGE;
		} else if (positional_name != NULL) {
			o->positional[o->npositional++] = argv[i];
		} else {
			fprintf(stderr, "modelfacts: unexpected '%s'\n", a);
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (o->json && o->csv) {
		fprintf(stderr, "modelfacts: --json or --csv, not both\n");
		return MF_EXIT_USAGE;
	}
	if (o->csv && query_add(&o->query, "format", "csv") != 0)
		return MF_EXIT_USAGE;
	return -1;
}

static void
opts_dispose(struct opts *o)
{
	mf_buf_dispose(&o->query);
	free(o->positional);
}

static void
query_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts query [--org ORG] [--q TEXT] [--NAME VALUE]... "
	    "[--json|--csv]\n"
	    "                        [--registry URL]\n\n"
	    "Searches the registry's models (GET /v1/models) and prints "
	    "them as a table:\norganisation/model, version, the "
	    "developer's model version, release date\nand score. Every "
	    "--NAME VALUE (or --NAME=VALUE) is passed as the query\n"
	    "parameter NAME, so any parameter of GET /v1/models works "
	    "(--limit 20,\n--after acme/x, ...); the registry refuses "
	    "unknown ones. --json prints the\nregistry's JSON, --csv "
	    "its CSV export (every match, streamed). URL: --registry,\n"
	    "else $MODELFACTS_URL, else http://127.0.0.1:8080. Exit 0, 1 "
	    "when the registry\nrefused, 2 on usage or I/O errors.\n\n"
	    "  --org ORG        only this organisation's models\n"
	    "  --q TEXT         full-text search\n"
	    "  --limit N        at most N rows; --after ORG/MODEL: the next "
	    "page\n"
	    "  --json, --csv    the registry's JSON or CSV as it is\n"
	    "  --registry URL   the registry\n\n"
	    "examples:\n"
	    "  modelfacts query --org acme\n"
	    "  modelfacts query --q llama --limit 20 --json\n"
	    "  modelfacts query --registry http://127.0.0.1:18700 --csv > "
	    "models.csv\n");
}

int
cmd_query(int argc, char **argv)
{
	static const struct mf_table_column cols[] = {
	    {"org", "org"},
	    {"model", "model"},
	    {"version", "version"},
	    {"model version", "model_version"},
	    {"released", "release_date"},
	    {"score", "score.total"},
	    {"of", "score.max"},
	};
	struct opts o;
	json_t *doc = NULL;
	char *url = NULL;
	int rc;

	if ((rc = parse(argc, argv, &o, query_usage, NULL)) >= 0)
		goto done;
	if ((url = make_url(o.registry, "/v1/models", &o.query)) == NULL) {
		rc = MF_EXIT_USAGE;
		goto done;
	}
	if ((rc = get(url, &doc, o.json || o.csv)) != MF_EXIT_OK || doc == NULL)
		goto done;
	rc = print_table(json_object_get(doc, "models"), cols,
	                 sizeof(cols) / sizeof(cols[0]));
	if (json_is_string(json_object_get(doc, "next")))
		fprintf(stderr, "more: --after %s\n",
		        json_string_value(json_object_get(doc, "next")));
done:
	json_decref(doc);
	free(url);
	opts_dispose(&o);
	return rc;
}

static void
compare_usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts compare ORG/MODEL[@VERSION] ORG/MODEL... "
	        "[--NAME VALUE]...\n"
	        "                          [--json|--csv] [--registry URL]\n\n"
	        "Compares 2 to 8 models (GET /v1/compare?model=...&model=...) "
	        "and prints each\nlist of the answer (facts field by field, "
	        "scores, eval results) as a table,\none column per member. "
	        "--NAME VALUE passes query parameters (--as_of ...).\n"
	        "--json prints the registry's JSON, --csv its CSV. URL: "
	        "--registry, else\n$MODELFACTS_URL, else "
	        "http://127.0.0.1:8080. Exit 0, 1 when the registry\nrefused, "
	        "2 on usage or I/O errors.\n\n"
	        "examples:\n"
	        "  modelfacts compare acme/alpha acme/beta\n"
	        "  modelfacts compare acme/alpha@1 acme/alpha@2 --as_of 40 "
	        "--json\n");
}

/* Prints every list of objects in doc (one level down too) as a table. */
static int
print_lists(const json_t *doc, FILE *f)
{
	struct mf_buf out = MF_BUF_INIT;
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach((json_t *)doc, key, v)
	{
		if (json_is_object(v)) {
			rc = print_lists(v, f);
		} else if (json_is_array(v) &&
		           json_is_object(json_array_get(v, 0))) {
			mf_buf_clear(&out);
			if ((rc = mf_table_render_auto(&out, v)) == 0) {
				fprintf(f, "%s\n", key);
				fwrite(out.data, 1, out.len, f);
				fputc('\n', f);
			}
		}
		if (rc != 0)
			break;
	}
	mf_buf_dispose(&out);
	return rc;
}

int
cmd_compare(int argc, char **argv)
{
	struct opts o;
	json_t *doc = NULL;
	char *url = NULL;
	int i, rc;

	if ((rc = parse(argc, argv, &o, compare_usage, "model")) >= 0)
		goto done;
	if (o.npositional < 2 || o.npositional > 8) {
		fprintf(stderr, "modelfacts: compare needs 2 to 8 models\n");
		compare_usage(stderr);
		rc = MF_EXIT_USAGE;
		goto done;
	}
	for (i = 0; i < o.npositional; i++)
		if (query_add(&o.query, "model", o.positional[i]) != 0) {
			rc = MF_EXIT_USAGE;
			goto done;
		}
	if ((url = make_url(o.registry, "/v1/compare", &o.query)) == NULL) {
		rc = MF_EXIT_USAGE;
		goto done;
	}
	if ((rc = get(url, &doc, o.json || o.csv)) != MF_EXIT_OK || doc == NULL)
		goto done;
	rc = print_lists(doc, stdout) == 0 ? MF_EXIT_OK : MF_EXIT_USAGE;
done:
	json_decref(doc);
	free(url);
	opts_dispose(&o);
	return rc;
}
