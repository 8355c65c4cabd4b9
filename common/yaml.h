/*
 * YAML in and out for the formats that speak it (Hugging Face model card
 * front matter, the `.eval_results` YAML files). Reading goes through libyaml
 * and gives a jansson tree, so the rest of the code handles one data model;
 * writing quotes every string the JSON way, which YAML reads back as the
 * same double-quoted scalar.
 */
#ifndef MF_YAML_H
#define MF_YAML_H

#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stddef.h>

/* Bounds on what mf_yaml_parse accepts. */
#define MF_YAML_MAX_DEPTH 64
#define MF_YAML_MAX_NODES 100000

/*
 * Parses the first YAML document of text[0..len) into *out (a new
 * reference, caller owns it). Plain scalars are resolved as the YAML 1.2
 * core schema says (null, true/false, integers, floats; anything else a
 * string); quoted and block scalars are strings; mapping keys are strings
 * (a repeated key is an error). Aliases, and documents deeper or larger
 * than the bounds above, are refused. An empty document gives JSON null.
 * Returns 0, or MF_E_BAD_REQUEST with err saying where (line, column),
 * MF_E_TOO_LARGE or MF_E_NOMEM; *out is NULL on failure.
 */
int mf_yaml_parse(json_t **out, const char *text, size_t len,
                  struct mf_error *err);

/*
 * Appends s as a double-quoted YAML scalar (JSON escapes, which YAML's
 * double-quoted style shares). Returns 0, MF_E_NOMEM or MF_E_TOO_LARGE.
 */
int mf_yaml_quote(struct mf_buf *out, const char *s);

/*
 * Appends v as block-style YAML at the given indent (spaces): objects as
 * `key: value` lines, arrays as `- ` items, scalars quoted or as JSON
 * numbers/booleans/null; empty containers as {} and []. Keys are quoted
 * when they are not plain words. Starts at the beginning of a line and
 * ends with a newline. Returns 0, MF_E_BAD_PARAM (nesting deeper than
 * MF_YAML_MAX_DEPTH) or a buffer error.
 */
int mf_yaml_emit(struct mf_buf *out, const json_t *v, int indent);

#endif
