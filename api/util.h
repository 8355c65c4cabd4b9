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
/*
 * The same, as a statement's text parameter: *out points into buf (the
 * log index in decimal; -1 when as_of precedes every entry), or is NULL
 * when as_of is absent.
 */
int mf_h_query_as_of_param(struct mf_request *req, char buf[24],
                           const char **out);

/*
 * Response formats (README, "Formats"): one way to ask everywhere, the
 * query parameter format=json|csv|jsonl or the Accept header, the
 * parameter winning. MF_FORMAT_BIT(f) builds the set an endpoint offers.
 */
enum mf_format {
	MF_FORMAT_JSON,
	MF_FORMAT_CSV,
	MF_FORMAT_JSONL,
	MF_FORMAT__MAX
};
#define MF_FORMAT_BIT(f) (1u << (f))
#define MF_FORMATS_ALL                                                         \
	(MF_FORMAT_BIT(MF_FORMAT_JSON) | MF_FORMAT_BIT(MF_FORMAT_CSV) |        \
	 MF_FORMAT_BIT(MF_FORMAT_JSONL))

/* "json", "csv", "jsonl"; the media type; the file name extension. */
const char *mf_format_name(enum mf_format f);
const char *mf_format_media_type(enum mf_format f);

/*
 * The format of the response: format= when given (an unknown or not
 * offered value is MF_E_BAD_PARAM naming it), else the Accept header's
 * most preferred offered type (q-values honoured; * / * and an absent
 * header give def; nothing offered acceptable is MF_E_NOT_ACCEPTABLE,
 * 406), else def. `offered` is a set of MF_FORMAT_BIT.
 */
int mf_h_format(struct mf_request *req, unsigned offered, enum mf_format def,
                enum mf_format *out);
/*
 * The same choice, without a request: format is the parameter (or NULL),
 * accept the header (or NULL). For unit tests and the CLI.
 */
int mf_format_choose(const char *format, const char *accept, unsigned offered,
                     enum mf_format def, enum mf_format *out,
                     struct mf_error *err);

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

/*
 * The index `id` a request names: the built-in modelfacts-v1 (borrowed)
 * or one the registry loaded (*owned, which the caller frees with
 * mf_index_free; *out points to it). MF_E_NOT_FOUND (in req->err) when
 * there is no such index.
 */
struct mf_index;
int mf_h_index(struct mf_request *req, const char *id,
               const struct mf_index **out, struct mf_index **owned);

#endif
