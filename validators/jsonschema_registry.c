/*
 * The schema registry: the only way a $ref reaches outside the schema
 * being compiled. Documents are added by URI, or loaded from a local
 * directory that a URL prefix is mapped to; never from the network. Every
 * registry also knows the standard meta-schemas (schema/meta/, compiled
 * into the binary), so "$ref": "https://json-schema.org/draft/2020-12/schema"
 * resolves offline, in the server as in the CLI.
 */
#include "validators/jsonschema_internal.h"

#include "common/embedded.h"
#include "common/file.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A schema file larger than this is refused rather than read. */
#define REGISTRY_FILE_MAX (16u << 20)

struct reg_doc {
	char *uri;
	json_t *doc;
};

struct reg_map {
	char *prefix;
	char *dir;
};

struct mf_schema_registry {
	struct reg_doc *docs;
	size_t ndocs, docs_cap;
	struct reg_map *maps;
	size_t nmaps;
	unsigned parse_flags; /* MF_SCHEMA_JSON_* for mapped files */
};

/*
 * The meta-schemas every registry knows, by the URI (without "#") that
 * names them. json-schema.org is reached over http and https alike, so
 * both spellings are listed. They are parsed on first use and then cached
 * like a mapped file; a document added under the same URI, or a directory
 * mapped over it, wins.
 */
static const struct {
	const char *uri, *file;
} builtin[] = {
    {"json-schema.org/draft/2020-12/schema", "schema/meta/draft2020-12.json"},
    {"json-schema.org/draft/2020-12/meta/core",
     "schema/meta/draft2020-12-core.json"},
    {"json-schema.org/draft/2020-12/meta/applicator",
     "schema/meta/draft2020-12-applicator.json"},
    {"json-schema.org/draft/2020-12/meta/unevaluated",
     "schema/meta/draft2020-12-unevaluated.json"},
    {"json-schema.org/draft/2020-12/meta/validation",
     "schema/meta/draft2020-12-validation.json"},
    {"json-schema.org/draft/2020-12/meta/meta-data",
     "schema/meta/draft2020-12-meta-data.json"},
    {"json-schema.org/draft/2020-12/meta/format-annotation",
     "schema/meta/draft2020-12-format-annotation.json"},
    {"json-schema.org/draft/2020-12/meta/format-assertion",
     "schema/meta/draft2020-12-format-assertion.json"},
    {"json-schema.org/draft/2020-12/meta/content",
     "schema/meta/draft2020-12-content.json"},
    {"json-schema.org/draft-07/schema", "schema/meta/draft-07.json"},
};

int
mf_schema_registry_new(struct mf_schema_registry **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : MF_E_NOMEM;
}

void
mf_schema_registry_free(struct mf_schema_registry *reg)
{
	size_t i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->ndocs; i++) {
		free(reg->docs[i].uri);
		json_decref(reg->docs[i].doc);
	}
	for (i = 0; i < reg->nmaps; i++) {
		free(reg->maps[i].prefix);
		free(reg->maps[i].dir);
	}
	free(reg->docs);
	free(reg->maps);
	free(reg);
}

/* The URI without its fragment, malloc'd. */
static char *
strip_fragment(const char *uri)
{
	size_t n = strcspn(uri, "#");
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, uri, n);
		s[n] = '\0';
	}
	return s;
}

int
mf_schema_registry_add(struct mf_schema_registry *reg, const char *uri,
                       json_t *doc)
{
	char *key;
	size_t i;

	if (reg == NULL || uri == NULL || doc == NULL)
		return MF_E_BAD_PARAM;
	if ((key = strip_fragment(uri)) == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < reg->ndocs; i++) {
		if (strcmp(reg->docs[i].uri, key) == 0) {
			free(key);
			json_incref(doc);
			json_decref(reg->docs[i].doc);
			reg->docs[i].doc = doc;
			return 0;
		}
	}
	if (reg->ndocs == reg->docs_cap) {
		size_t cap = reg->docs_cap ? reg->docs_cap * 2 : 8;
		struct reg_doc *d = realloc(reg->docs, cap * sizeof(*d));

		if (d == NULL) {
			free(key);
			return MF_E_NOMEM;
		}
		reg->docs = d;
		reg->docs_cap = cap;
	}
	reg->docs[reg->ndocs].uri = key;
	reg->docs[reg->ndocs].doc = json_incref(doc);
	reg->ndocs++;
	return 0;
}

int
mf_schema_registry_map_dir(struct mf_schema_registry *reg,
                           const char *url_prefix, const char *dir)
{
	struct reg_map *m;

	if (reg == NULL || url_prefix == NULL || dir == NULL ||
	    *url_prefix == '\0')
		return MF_E_BAD_PARAM;
	m = realloc(reg->maps, (reg->nmaps + 1) * sizeof(*m));
	if (m == NULL)
		return MF_E_NOMEM;
	reg->maps = m;
	m = &reg->maps[reg->nmaps];
	m->prefix = strdup(url_prefix);
	m->dir = strdup(dir);
	if (m->prefix == NULL || m->dir == NULL) {
		free(m->prefix);
		free(m->dir);
		return MF_E_NOMEM;
	}
	reg->nmaps++;
	return 0;
}

void
mf_schema_registry_set_parse_flags(struct mf_schema_registry *reg,
                                   unsigned flags)
{
	if (reg != NULL)
		reg->parse_flags = flags;
}

/* The embedded file of a built-in meta-schema URI, or NULL. */
static const char *
builtin_file(const char *uri)
{
	size_t i;

	if (strncmp(uri, "https://", 8) == 0)
		uri += 8;
	else if (strncmp(uri, "http://", 7) == 0)
		uri += 7;
	else
		return NULL;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(uri, builtin[i].uri) == 0)
			return builtin[i].file;
	return NULL;
}

/*
 * The rest of a mapped URI must stay a plain relative path under the
 * directory: no "..", no percent escapes we would have to interpret, no
 * query, no backslash, not absolute, not empty.
 */
static bool
safe_rest(const char *rest)
{
	const char *p;

	if (*rest == '\0' || *rest == '/')
		return false;
	if (strpbrk(rest, "%?\\") != NULL)
		return false;
	for (p = rest; *p; p++) {
		if ((p == rest || p[-1] == '/') && p[0] == '.' && p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0'))
			return false;
	}
	return true;
}

int
mf_js_registry_find(struct mf_schema_registry *reg, const char *uri,
                    json_t **out, struct mf_error *err)
{
	size_t i, plen;
	char *path = NULL, *text = NULL;
	size_t len = 0;
	json_t *doc = NULL;
	const struct mf_embedded *e;
	const char *file;
	int rc = MF_E_NOT_FOUND;

	*out = NULL;
	if (reg == NULL)
		return MF_E_NOT_FOUND;
	for (i = 0; i < reg->ndocs; i++) {
		if (strcmp(reg->docs[i].uri, uri) == 0) {
			*out = reg->docs[i].doc;
			return 0;
		}
	}
	for (i = 0; i < reg->nmaps; i++) {
		const char *rest;

		plen = strlen(reg->maps[i].prefix);
		if (strncmp(uri, reg->maps[i].prefix, plen) != 0)
			continue;
		rest = uri + plen;
		if (!safe_rest(rest))
			continue;
		path = malloc(strlen(reg->maps[i].dir) + strlen(rest) + 2);
		if (path == NULL)
			return MF_E_NOMEM;
		sprintf(
		    path, "%s%s%s", reg->maps[i].dir,
		    reg->maps[i].dir[0] != '\0' &&
		            reg->maps[i].dir[strlen(reg->maps[i].dir) - 1] !=
		                '/'
		        ? "/"
		        : "",
		    rest);
		rc = mf_file_read(&text, &len, path, REGISTRY_FILE_MAX, err);
		if (rc != 0)
			goto done;
		doc = mf_schema_json_parse(text, len, path, reg->parse_flags,
		                           err);
		if (doc == NULL) {
			rc = err != NULL && err->code != 0 ? err->code
			                                   : MF_E_BAD_JSON;
			goto done;
		}
		/* Cache it, so later compilations find it in memory. */
		if ((rc = mf_schema_registry_add(reg, uri, doc)) != 0)
			goto done;
		*out = doc; /* the registry holds the reference */
		goto done;
	}
	if ((file = builtin_file(uri)) != NULL &&
	    (e = mf_embedded_get(file)) != NULL) {
		doc = mf_json_parse((const char *)e->data, e->len, file, NULL,
		                    err);
		if (doc == NULL) {
			rc = err != NULL && err->code != 0 ? err->code
			                                   : MF_E_BAD_JSON;
			goto done;
		}
		if ((rc = mf_schema_registry_add(reg, uri, doc)) != 0)
			goto done;
		*out = doc;
	}
done:
	json_decref(doc);
	free(text);
	free(path);
	return rc;
}
