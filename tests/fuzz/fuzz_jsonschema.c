/*
 * libFuzzer target for validators/jsonschema: compiles a fuzzed schema
 * and validates a fuzzed instance with it, in both modes, checking that
 * they agree; and holds the fast parser (mf_json_parse, common/json_parse.c) to
 * jansson's answers on the same text. Input: one flags byte, the schema text, a
 * NUL, the instance text (no NUL: the schema validates itself). Built by `make
 * fuzz`.
 */
#include "common/json.h"
#include "validators/jsonschema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A document reachable by absolute $ref, so registry lookups run too. */
static const char common_doc[] =
    "{\"$id\": \"http://fuzz.example/common.json\","
    " \"$defs\": {\"slug\": {\"type\": \"string\", \"pattern\": "
    "\"^[a-z][a-z0-9-]*$\"},"
    "  \"node\": {\"$dynamicAnchor\": \"node\", \"type\": \"object\","
    "   \"properties\": {\"kids\": {\"items\": {\"$dynamicRef\": "
    "\"#node\"}}}}},"
    " \"$anchor\": \"top\"}";

/* Both parsers accept the same texts and build equal values. */
static void
parsers_agree(const char *text, size_t len)
{
	struct mf_error e1, e2;
	json_t *a, *b;

	mf_error_init(&e1);
	mf_error_init(&e2);
	a = mf_json_parse_reference(text, len, "a", NULL, &e1);
	b = mf_json_parse(text, len, "b", NULL, &e2);
	/* The one known difference: jansson lets a NUL byte through right
	 * after a number ("[1\0]"); the fast parser never does. */
	if (b == NULL && a != NULL && memchr(text, '\0', len) != NULL) {
		json_decref(a);
		a = NULL;
	}
	if ((a == NULL) != (b == NULL) || (a != NULL && !json_equal(a, b)))
		abort();
	json_decref(a);
	json_decref(b);
	mf_error_dispose(&e1);
	mf_error_dispose(&e2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_schema_registry *reg = NULL;
	struct mf_schema *s = NULL;
	struct mf_validation v = MF_VALIDATION_INIT;
	struct mf_error err;
	const char *text, *nul;
	json_t *schema = NULL, *inst = NULL, *common;
	unsigned flags;
	size_t slen;
	int rc;
	bool fast;

	/* Bounded input: compilation cost grows with the schema. */
	if (size < 1 || size > 16384)
		return 0;
	flags = data[0] & (MF_SCHEMA_ASSERT_FORMAT | MF_SCHEMA_DEFAULT_DRAFT7);
	text = (const char *)data + 1;
	size--;
	nul = memchr(text, '\0', size);
	slen = nul ? (size_t)(nul - text) : size;
	parsers_agree(text, slen);
	if (nul != NULL)
		parsers_agree(nul + 1, size - slen - 1);
	schema = json_loadb(text, slen,
	                    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (schema == NULL)
		return 0;
	if (nul != NULL)
		inst = json_loadb(nul + 1, size - slen - 1,
		                  JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	else
		inst = json_incref(schema);
	if (inst == NULL)
		goto done;
	if (mf_schema_registry_new(&reg) != 0)
		goto done;
	common = json_loads(common_doc, 0, NULL);
	if (common == NULL)
		abort();
	mf_schema_registry_add(reg, "http://fuzz.example/common.json", common);
	json_decref(common);
	mf_error_init(&err);
	rc = mf_schema_compile(&s, reg, schema, flags, &err);
	if (rc != 0) {
		/* A failed compile always says why. */
		if (s != NULL || err.code == 0 || err.message[0] == '\0')
			abort();
		mf_error_dispose(&err);
		goto done;
	}
	mf_error_dispose(&err);
	rc = mf_schema_validate(s, inst, &v);
	fast = mf_schema_is_valid(s, inst);
	if (rc < 0)
		goto done;
	/* Both modes agree; an invalid result carries its errors. */
	if ((rc == 0) != fast || (rc == 1 && v.count == 0) ||
	    (rc == 0 && v.count != 0) || v.count > MF_SCHEMA_MAX_ERRORS)
		abort();
	json_decref(mf_validation_to_json(&v));
done:
	mf_validation_dispose(&v);
	mf_schema_free(s);
	mf_schema_registry_free(reg);
	json_decref(schema);
	json_decref(inst);
	return 0;
}
