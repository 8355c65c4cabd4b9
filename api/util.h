/*
 * What handlers share: checked query parameters, and answering with JSON
 * that PostgreSQL builds (read endpoints are one statement each).
 */
#ifndef MF_HANDLERS_UTIL_H
#define MF_HANDLERS_UTIL_H

#include "http/http.h"
#include "db/sql.h"

#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>

/*
 * Reads query parameter `name` as an integer in [min, max]; absent gives
 * def. MF_E_BAD_PARAM (with the parameter named) when malformed.
 */
int mf_h_query_int(struct mf_request *req, const char *name, int64_t min,
                   int64_t max, int64_t def, int64_t *out);

/*
 * Reads query parameter as_of: a log index (digits), or an RFC 3339
 * instant, which stands for the last log entry accepted at or before it
 * (-1: none was). Absent gives -1 in *out and *given false.
 * MF_E_BAD_PARAM (with the parameter named) when malformed.
 */
int mf_h_query_as_of(struct mf_request *req, int64_t *out, bool *given);

/* Path parameter i as a slug; MF_E_NOT_FOUND when it is not one. */
int mf_h_param_slug(struct mf_request *req, int i, const char **out);

/*
 * Runs stmt (text parameters) and answers 200 with its single json
 * column, byte for byte as PostgreSQL produced it. No row, or a NULL
 * value: 404 with `missing` as the message.
 */
int mf_h_respond_sql_json(struct mf_request *req, enum mf_sql stmt,
                          const char *missing, int nparams,
                          const char *const *params);

/*
 * MF_E_BAD_PARAM naming the first query parameter not in `allowed`
 * (NULL-terminated), or any of them given twice unless listed in
 * `repeatable` (NULL-terminated, may be NULL). 0 when all are known.
 */
int mf_h_query_allowed(struct mf_request *req, const char *const *allowed,
                       const char *const *repeatable);

/*
 * Runs stmt (text parameters) and parses its single json column into
 * *out (new reference; NULL when there was no row or a NULL value).
 */
int mf_h_sql_json(struct mf_request *req, enum mf_sql stmt, int nparams,
                  const char *const *params, json_t **out);

#endif
