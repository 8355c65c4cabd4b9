/*
 * JSON helpers around jansson: strict decoding of untrusted input (no
 * duplicate keys, valid UTF-8, no NUL), deterministic encoding, and JSON
 * pointers (RFC 6901).
 */
#ifndef MF_JSON_H
#define MF_JSON_H

#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stddef.h>

/*
 * Decodes untrusted JSON text (any value; no duplicate keys, valid UTF-8,
 * no \u0000). Returns a new reference, or NULL with err set to
 * MF_E_DUPLICATE_KEY, MF_E_BAD_UTF8, MF_E_BAD_JSON (the message names line
 * and column) or MF_E_NOMEM, at JSON pointer `pointer` (may be NULL).
 * `what` names the text in messages ("envelope"). The parser
 * (json_parse.c) scans strings a word at a time: long base64 payloads
 * cost a fraction of what jansson's own decoder takes.
 */
json_t *mf_json_parse(const char *text, size_t len, const char *what,
                      const char *pointer, struct mf_error *err);
/*
 * The same with jansson's own decoder: slower (a byte at a time) and kept
 * as the reference the fast parser is tested and fuzzed against.
 */
json_t *mf_json_parse_reference(const char *text, size_t len, const char *what,
                                const char *pointer, struct mf_error *err);

/* Compact, sorted-key encoding; new malloc'd string or NULL. */
char *mf_json_dump(const json_t *v);
/* Appends the compact sorted encoding of v to b. */
int mf_json_dump_buf(struct mf_buf *b, const json_t *v);

/* Appends "/" and the escaped reference token to a pointer buffer. */
int mf_json_pointer_push(struct mf_buf *b, const char *token);
int mf_json_pointer_push_index(struct mf_buf *b, size_t index);
/* Evaluates an RFC 6901 pointer; borrowed reference or NULL. */
json_t *mf_json_pointer_get(json_t *doc, const char *pointer);

/* Borrowed string member, or NULL when absent or not a string. */
const char *mf_json_str(const json_t *obj, const char *key);

#endif
