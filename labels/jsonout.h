/*
 * The deterministic JSON text of label.json (mf_label_json_write() in
 * label.h): sorted keys, fixed indent, exact reals, HTML-safe escapes.
 */
#ifndef MF_LABEL_JSONOUT_H
#define MF_LABEL_JSONOUT_H

#include "common/buf.h"

#include <jansson.h>

/* Deeper trees are refused with MF_E_TOO_LARGE. */
#define MF_LABEL_JSON_MAX_DEPTH 256

/* Appends the JSON text of a string (quotes included) to out. */
int mf_label_json_string(struct mf_buf *out, const char *s, size_t len);

#endif
