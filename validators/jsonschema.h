/*
 * JSON Schema (draft 2020-12 and draft-07) validation on jansson.
 *
 * A schema is compiled once into an immutable struct mf_schema and then
 * used by any number of threads at once. $refs are resolved at compile
 * time, through a registry the caller fills (documents by URI, and URL
 * prefixes mapped to directories); nothing is ever fetched from the
 * network. See validators/README.md for the supported keywords, the
 * regular-expression dialect and the limits.
 *
 * Ownership: the registry keeps its own references to the documents it is
 * given; a compiled schema keeps its own references to every document it
 * uses, so the registry may be freed (or reused) once compilation is done.
 * Nothing here steals a reference from the caller.
 */
#ifndef MF_JSONSCHEMA_H
#define MF_JSONSCHEMA_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- registry: where remote $refs are resolved from ---- */

struct mf_schema_registry;

int mf_schema_registry_new(struct mf_schema_registry **out);
void mf_schema_registry_free(struct mf_schema_registry *reg);
/*
 * Makes doc known under the absolute URI uri (a fragment, if any, is
 * ignored). The registry takes its own reference. A document added twice
 * under the same URI replaces the earlier one.
 */
int mf_schema_registry_add(struct mf_schema_registry *reg, const char *uri,
                           json_t *doc);
/*
 * A reference to a URI that starts with url_prefix (e.g.
 * "http://localhost:1234/") is loaded from the file dir + the rest of the
 * URI ("draft2020-12/foo.json" under dir), parsed strictly, and cached.
 * Paths with "..", "%", "?", "\" or an absolute path never leave dir.
 */
int mf_schema_registry_map_dir(struct mf_schema_registry *reg,
                               const char *url_prefix, const char *dir);

/*
 * How mapped files are read (MF_SCHEMA_JSON_* below; default 0: as
 * strictly as the registry's own documents).
 */
void mf_schema_registry_set_parse_flags(struct mf_schema_registry *reg,
                                        unsigned flags);

/*
 * Every registry also knows the standard meta-schemas, compiled into the
 * binary from schema/meta/ (our own rendering of them; see
 * validators/README.md): https://json-schema.org/draft/2020-12/schema,
 * its vocabularies .../2020-12/meta/{core, applicator, unevaluated,
 * validation, meta-data, format-annotation, format-assertion, content}, and
 * http://json-schema.org/draft-07/schema (over http or https). A document
 * added, or a directory mapped, under the same URI wins.
 */

/* ---- reading JSON texts ---- */

enum {
	/* accept "\u0000" in strings: general validation (the registry's
	 * own documents refuse it) */
	MF_SCHEMA_JSON_ALLOW_NUL = 1u << 0,
};

/*
 * Strictly decodes a JSON text (any value; duplicate keys, bad UTF-8 and
 * "\u0000" refused, the last one unless MF_SCHEMA_JSON_ALLOW_NUL): a new
 * reference, or NULL with err set to MF_E_BAD_JSON, MF_E_DUPLICATE_KEY,
 * MF_E_BAD_UTF8 or MF_E_NOMEM (the message names `what`, line and column).
 */
json_t *mf_schema_json_parse(const char *text, size_t len, const char *what,
                             unsigned flags, struct mf_error *err);

/* ---- compiled schemas ---- */

/* Compile options. */
enum {
	/* date, date-time, uri, email, uuid are asserted, not annotations */
	MF_SCHEMA_ASSERT_FORMAT = 1u << 0,
	/* a schema without "$schema" is draft-07 (default: 2020-12) */
	MF_SCHEMA_DEFAULT_DRAFT7 = 1u << 1,
	/* the same five formats asserted in draft-07 resources only (in
	 * 2020-12 ones format stays an annotation, as its spec says) */
	MF_SCHEMA_ASSERT_FORMAT_DRAFT7 = 1u << 2,
	/* default for our own schemas */
	MF_SCHEMA_DEFAULT = MF_SCHEMA_ASSERT_FORMAT,
};

/* Limits (also in README.md). */
#define MF_SCHEMA_MAX_DEPTH  256 /* nested schema evaluations per path */
#define MF_SCHEMA_MAX_ERRORS 100 /* errors collected per validation */

struct mf_schema;

/*
 * Compiles schema (borrowed). Its base URI is its own "$id", if any.
 * Remote references are resolved through reg (may be NULL: then only
 * references inside the schema itself resolve). On failure *out is NULL,
 * err says what and where (JSON pointer into the schema document that is
 * wrong; the message names the absolute location), and the result is
 * MF_E_SCHEMA (bad keyword value, unresolvable $ref, bad regex, unknown
 * $schema or required vocabulary), MF_E_IO / MF_E_TOO_LARGE (a mapped
 * file could not be read), MF_E_BAD_JSON / MF_E_DUPLICATE_KEY /
 * MF_E_BAD_UTF8 (a mapped file is not strict JSON) or MF_E_NOMEM.
 */
int mf_schema_compile(struct mf_schema **out, struct mf_schema_registry *reg,
                      json_t *schema, unsigned flags, struct mf_error *err);
/*
 * Compiles the schema found at uri through reg (a document added with
 * mf_schema_registry_add, or a file under a mapped directory); relative
 * references in it resolve against uri.
 */
int mf_schema_compile_uri(struct mf_schema **out,
                          struct mf_schema_registry *reg, const char *uri,
                          unsigned flags, struct mf_error *err);
void mf_schema_free(struct mf_schema *s);

/* ---- validation ---- */

struct mf_validation_error {
	char *instance_location; /* JSON pointer into the instance */
	char *keyword_location;  /* evaluation path, through $refs */
	char *absolute_location; /* schema URI + "#" + pointer of keyword */
	char *message;           /* plain English */
};

struct mf_validation {
	struct mf_validation_error *errors; /* owned; count entries */
	size_t count;
	bool truncated; /* more than MF_SCHEMA_MAX_ERRORS errors */
};

#define MF_VALIDATION_INIT                                                     \
	{                                                                      \
		NULL, 0, false                                                 \
	}

/*
 * Validates instance (borrowed, only read) and collects every error, in
 * evaluation order, into out (which is overwritten; dispose it afterwards
 * whatever the result). Returns 0 valid, 1 invalid, or a negative MF_E_*
 * (MF_E_NOMEM). Thread-safe: any number of threads may validate with the
 * same compiled schema at once.
 */
int mf_schema_validate(const struct mf_schema *s, const json_t *instance,
                       struct mf_validation *out);
/* The fast path: no error collection, stops at the first failure. */
bool mf_schema_is_valid(const struct mf_schema *s, const json_t *instance);
void mf_validation_dispose(struct mf_validation *v);

/*
 * The errors as a JSON array of {"instanceLocation", "keywordLocation",
 * "absoluteKeywordLocation", "error"} objects (the JSON Schema "basic"
 * output unit names); new reference or NULL.
 */
json_t *mf_validation_to_json(const struct mf_validation *v);

#endif
