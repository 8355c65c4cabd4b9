/*
 * Internals of the JSON Schema validator, shared by its source files and
 * its unit tests only; nothing outside validators/jsonschema*.c includes
 * this. The reading order is: util (arena, maps, equality), uri, regex,
 * format, registry, compile (schema -> struct mf_js_node graph), validate.
 */
#ifndef MF_JSONSCHEMA_INTERNAL_H
#define MF_JSONSCHEMA_INTERNAL_H

#include "validators/jsonschema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- arena: every compiled node lives here and dies with the schema ---- */

struct mf_js_arena_block;

struct mf_js_arena {
	struct mf_js_arena_block *head;
};

/* Zeroed, 16-byte aligned memory, or NULL. */
void *mf_js_arena_alloc(struct mf_js_arena *a, size_t size);
char *mf_js_arena_strndup(struct mf_js_arena *a, const char *s, size_t n);
void mf_js_arena_dispose(struct mf_js_arena *a);

/* ---- hash maps ---- */

static inline uint64_t
mf_js_load8(const void *p)
{
	uint64_t w;

	__builtin_memcpy(&w, p, 8);
	return w;
}

static inline uint64_t
mf_js_load4(const void *p)
{
	uint32_t w;

	__builtin_memcpy(&w, p, 4);
	return w;
}

/*
 * The hash of the maps that validation reads (property names, string
 * enums): length and the first, middle and last four bytes, mixed. No loop:
 * names in one schema rarely agree on all of these, and colliding ones
 * just probe on. Keys must be valid for len bytes.
 */
static inline uint32_t
mf_js_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t x = len;

	if (len >= 8)
		x ^= (mf_js_load4(p) << 8 ^ mf_js_load4(p + len - 4) << 32) +
		     mf_js_load4(p + len / 2 - 2) * 0xff51afd7ed558ccdull;
	else if (len >= 4)
		x ^= mf_js_load4(p) << 8 ^ mf_js_load4(p + len - 4) << 32;
	else if (len > 0)
		x ^= (uint64_t)p[0] << 8 | (uint64_t)p[len >> 1] << 16 |
		     (uint64_t)p[len - 1] << 24;
	x *= 0x9E3779B97F4A7C15ull;
	return (uint32_t)(x >> 32);
}

/* Equality of two byte strings of the same length, without a call. */
static inline bool
mf_js_key_eq(const char *a, const char *b, size_t len)
{
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8)
			if (mf_js_load8(a + i) != mf_js_load8(b + i))
				return false;
		return mf_js_load8(a + len - 8) == mf_js_load8(b + len - 8);
	}
	if (len >= 4)
		return mf_js_load4(a) == mf_js_load4(b) &&
		       mf_js_load4(a + len - 4) == mf_js_load4(b + len - 4);
	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * Open-addressing map from byte-string keys to pointers. Keys are
 * borrowed: the caller keeps them alive as long as the map. Slots come
 * from malloc (compile-time maps) or from an arena (maps that a compiled
 * schema keeps for validation: properties, string enums).
 */
struct mf_js_map_slot {
	const char *key; /* NULL: empty */
	size_t len;
	uint32_t hash;
	void *value;
};

struct mf_js_map {
	struct mf_js_map_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
	struct mf_js_arena *arena; /* NULL: slots are malloc'd */
};

void mf_js_map_init(struct mf_js_map *m, struct mf_js_arena *arena);
void mf_js_map_dispose(struct mf_js_map *m);
/* Inserts or replaces; 0 or MF_E_NOMEM. */
int mf_js_map_put(struct mf_js_map *m, const char *key, size_t len,
                  void *value);
/* Inline: property lookups are on validation's hot path. */
static inline void *
mf_js_map_get(const struct mf_js_map *m, const char *key, size_t len)
{
	size_t i, mask;
	uint32_t h;

	if (m->cap == 0)
		return NULL;
	h = mf_js_hash(key, len);
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		const struct mf_js_map_slot *s = &m->slots[i];

		if (s->key == NULL)
			return NULL;
		if (s->hash == h && s->len == len &&
		    mf_js_key_eq(s->key, key, len))
			return s->value;
	}
}
static inline void *
mf_js_map_gets(const struct mf_js_map *m, const char *key)
{
	size_t n = 0;

	while (key[n] != '\0')
		n++;
	return mf_js_map_get(m, key, n);
}

/* Pointer-keyed map (json_t * -> compiled node, location, ...). */
struct mf_js_pmap {
	struct {
		const void *key;
		void *value;
	} * slots;
	size_t cap, count;
};

int mf_js_pmap_put(struct mf_js_pmap *m, const void *key, void *value);
void *mf_js_pmap_get(const struct mf_js_pmap *m, const void *key);
void mf_js_pmap_dispose(struct mf_js_pmap *m);

/* ---- JSON values ---- */

/* JSON Schema equality: 1 == 1.0, objects unordered, arrays ordered. */
bool mf_js_equal(const json_t *a, const json_t *b);
/* A hash consistent with mf_js_equal. */
uint32_t mf_js_value_hash(const json_t *v);
/* Number of Unicode code points in valid UTF-8. */
size_t mf_js_utf8_length(const char *s, size_t len);
/* true for integers and for reals with an integral value (1.0). */
bool mf_js_is_integral(const json_t *v);

/* ---- URIs (RFC 3986) ---- */

/* ref resolved against base (which may be "" or relative); malloc'd. */
char *mf_js_uri_resolve(const char *base, const char *ref);
/*
 * Splits at the first '#': *abs_out gets a malloc'd copy of what comes
 * before, *frag_out points into uri after the '#' (or at "" when none).
 */
int mf_js_uri_split(const char *uri, char **abs_out, const char **frag_out);
/* Percent-decodes s into a malloc'd string; NULL on a bad escape. */
char *mf_js_percent_decode(const char *s);

/* ---- regular expressions (ECMA-262 on PCRE2) ---- */

/* ECMA-262 pattern -> PCRE2 pattern; malloc'd, *out_len set, or NULL. */
char *mf_js_regex_translate(const char *ecma, size_t len, size_t *out_len);
/* 0, or MF_E_SCHEMA with PCRE2's message in msg. */
int mf_js_regex_compile(pcre2_code **out, const char *ecma, size_t len,
                        char *msg, size_t msg_len);
/* Search (not anchored), as ECMA-262 RegExp.prototype.test. Thread-safe. */
bool mf_js_regex_search(const pcre2_code *re, const char *s, size_t len);

/* ---- formats ---- */

enum mf_js_format {
	MF_JS_FORMAT_NONE = 0, /* annotation only */
	MF_JS_FORMAT_DATE,
	MF_JS_FORMAT_DATE_TIME,
	MF_JS_FORMAT_URI,
	MF_JS_FORMAT_EMAIL,
	MF_JS_FORMAT_UUID,
};

enum mf_js_format mf_js_format_lookup(const char *name);
bool mf_js_format_check(enum mf_js_format f, const char *s, size_t len);
bool mf_js_is_ipv4(const char *s, size_t len);
bool mf_js_is_ipv6(const char *s, size_t len);

/* ---- registry ---- */

/*
 * The document at an absolute URI (no fragment): added, cached, or loaded
 * now from a mapped directory. 0 with *out borrowed, MF_E_NOT_FOUND when
 * nothing provides the URI, or another error with err set (bad file).
 */
int mf_js_registry_find(struct mf_schema_registry *reg, const char *uri,
                        json_t **out, struct mf_error *err);

/* ---- the compiled form ---- */

enum mf_js_dialect {
	MF_JS_2020_12 = 0,
	MF_JS_DRAFT7 = 1,
};

/* Vocabularies in force in a resource ($vocabulary of its meta-schema). */
enum {
	MF_JS_V_APPLICATOR = 1u << 0,
	MF_JS_V_UNEVALUATED = 1u << 1,
	MF_JS_V_VALIDATION = 1u << 2,
	MF_JS_V_FORMAT_ASSERT = 1u << 3,
	MF_JS_V_ALL =
	    MF_JS_V_APPLICATOR | MF_JS_V_UNEVALUATED | MF_JS_V_VALIDATION,
};

/* Instance types, as a bit mask for "type". */
enum {
	MF_JS_T_NULL = 1u << 0,
	MF_JS_T_BOOLEAN = 1u << 1,
	MF_JS_T_OBJECT = 1u << 2,
	MF_JS_T_ARRAY = 1u << 3,
	MF_JS_T_NUMBER = 1u << 4,
	MF_JS_T_STRING = 1u << 5,
	MF_JS_T_INTEGER = 1u << 6,
};

struct mf_js_node;

struct mf_js_dyn_anchor {
	const char *name;
	json_t *json;
	struct mf_js_node *node; /* compiled once the resource is used */
	struct mf_js_dyn_anchor *next;
};

/* A schema resource: a document root or a subschema with its own $id. */
struct mf_js_resource {
	const char *uri; /* absolute, without fragment; "" when none */
	json_t *root;
	enum mf_js_dialect dialect;
	unsigned vocab;
	bool used; /* some node of it is compiled */
	struct mf_js_dyn_anchor *dyn;
	struct mf_js_resource *next;
};

enum mf_js_kind {
	MF_JS_TRUE,
	MF_JS_FALSE,
	MF_JS_SCHEMA,
};

struct mf_js_pattern_prop {
	pcre2_code *re;
	const char *source;
	struct mf_js_node *node;
};

struct mf_js_dep_required {
	const char *name;
	size_t len;
	const char **required;
	size_t *required_len;
	size_t n;
};

struct mf_js_dep_schema {
	const char *name;
	size_t len;
	struct mf_js_node *node;
};

/* A property name the schema knows: from "properties" (node set), from
 * "required" (required set), or both. */
struct mf_js_prop {
	const char *name;
	struct mf_js_node *node;
	bool required;
};

struct mf_js_nodes {
	struct mf_js_node **v;
	size_t n;
};

/*
 * One compiled schema object. Keywords that are absent are NULL / zero;
 * `has` says which of the scalar ones are present. Keyword names that
 * differ between drafts (items/additionalItems, dependencies) are kept
 * for error locations.
 */
struct mf_js_node {
	enum mf_js_kind kind;
	const char *abs; /* absolute location: uri#pointer */
	struct mf_js_resource *res;
	json_t *json;
	unsigned has;   /* MF_JS_H_* */
	unsigned types; /* MF_JS_T_* mask; 0: no "type" */
	bool needs_ann; /* unevaluatedItems/Properties present */
	unsigned ops;   /* MF_JS_OP_*: which groups of keywords to run */
	/* The node reached by following $ref-only nodes (itself if none);
	 * boolean validation without dynamic scope may jump straight there. */
	const struct mf_js_node *fast;
	bool leaf; /* only type/enum/const/number/string checks: no recursion */

	struct mf_js_node *ref;
	struct mf_js_node *dynref; /* initial target of $dynamicRef */
	const char *dynref_name;   /* non-NULL: resolve dynamically */

	struct mf_js_nodes all_of, any_of, one_of;
	struct mf_js_node *not_, *if_, *then_, *else_;

	/* objects */
	struct mf_js_map props;  /* name -> struct mf_js_prop */
	size_t nprops;           /* of them from "properties" */
	size_t nrequired_unique; /* of them from "required" */
	struct mf_js_pattern_prop *pprops;
	size_t npprops;
	struct mf_js_node *additional_props;
	struct mf_js_node *property_names;
	struct mf_js_node *uneval_props;
	const char **required;
	size_t *required_len;
	size_t nrequired;
	struct mf_js_dep_required *dep_required;
	size_t ndep_required;
	struct mf_js_dep_schema *dep_schemas;
	size_t ndep_schemas;
	const char *kw_dep_required; /* "dependentRequired"/"dependencies" */
	const char *kw_dep_schemas;  /* "dependentSchemas"/"dependencies" */
	size_t max_props, min_props;

	/* arrays */
	struct mf_js_nodes prefix_items;
	struct mf_js_node *items; /* items beyond prefix_items */
	const char *kw_prefix;    /* "prefixItems"/"items" */
	const char *kw_items;     /* "items"/"additionalItems" */
	struct mf_js_node *contains;
	size_t min_contains, max_contains;
	struct mf_js_node *uneval_items;
	size_t max_items, min_items;
	bool unique_items;

	/* numbers */
	long double maximum, minimum, ex_maximum, ex_minimum;
	double multiple_of;
	long long multiple_of_int; /* > 0 when multipleOf is an integer */

	/* strings */
	size_t max_length, min_length;
	pcre2_code *pattern;
	const char *pattern_source;
	enum mf_js_format format;

	/* enum / const */
	json_t *enum_;             /* the array */
	struct mf_js_map enum_str; /* string members, when many */
	bool enum_has_str_map;
	json_t *const_;
};

/* Groups of keywords present in a node (ops), tested first so that a
 * node pays only for what it has. */
enum {
	MF_JS_OP_REF = 1u << 0,
	MF_JS_OP_DYNREF = 1u << 1,
	MF_JS_OP_TYPE = 1u << 2,
	MF_JS_OP_ENUM = 1u << 3,
	MF_JS_OP_CONST = 1u << 4,
	MF_JS_OP_NUMBER = 1u << 5,
	MF_JS_OP_STRING = 1u << 6,
	MF_JS_OP_ARRAY = 1u << 7,
	MF_JS_OP_OBJECT = 1u << 8,
	MF_JS_OP_APPLICATORS = 1u << 9, /* allOf anyOf oneOf not if */
	MF_JS_OP_UNEVALUATED = 1u << 10,
	/* a boolean schema, or unevaluated*: off the common path */
	MF_JS_OP_SPECIAL = 1u << 11,
};

/* Scalar keywords present (has). */
enum {
	MF_JS_H_MAXIMUM = 1u << 0,
	MF_JS_H_MINIMUM = 1u << 1,
	MF_JS_H_EX_MAXIMUM = 1u << 2,
	MF_JS_H_EX_MINIMUM = 1u << 3,
	MF_JS_H_MULTIPLE_OF = 1u << 4,
	MF_JS_H_MAX_LENGTH = 1u << 5,
	MF_JS_H_MIN_LENGTH = 1u << 6,
	MF_JS_H_MAX_ITEMS = 1u << 7,
	MF_JS_H_MIN_ITEMS = 1u << 8,
	MF_JS_H_MAX_PROPS = 1u << 9,
	MF_JS_H_MIN_PROPS = 1u << 10,
	MF_JS_H_CONST = 1u << 11,
	MF_JS_H_ENUM = 1u << 12,
	MF_JS_H_MAX_CONTAINS = 1u << 13,
	MF_JS_H_NUMERIC = MF_JS_H_MAXIMUM | MF_JS_H_MINIMUM |
	                  MF_JS_H_EX_MAXIMUM | MF_JS_H_EX_MINIMUM |
	                  MF_JS_H_MULTIPLE_OF,
};

struct mf_schema {
	struct mf_js_arena arena;
	struct mf_js_node *root;
	struct mf_js_resource *resources;
	json_t **docs; /* references held */
	size_t ndocs, docs_cap;
	pcre2_code **regexes;
	size_t nregexes, regexes_cap;
	unsigned flags;
	bool has_dynref; /* validation must track the dynamic scope */
};

#endif
