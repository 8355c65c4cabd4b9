/*
 * Exports: any list as CSV (RFC 4180), JSON Lines or one JSON document,
 * streamed from PostgreSQL (db/rows.h) through a callback response
 * (mf_http_respond_stream), so no export ever sits in memory whatever its
 * size. An endpoint describes its export (a statement whose columns are
 * the export's columns, named by their SQL aliases and typed by their SQL
 * types) and hands it to mf_h_export with the format mf_h_format chose;
 * a result computed in C hands over its rows as a JSON array instead.
 * api/README.md says how to add one.
 */
#ifndef MF_API_EXPORT_H
#define MF_API_EXPORT_H

#include "api/util.h"
#include "db/rows.h"
#include "db/sql.h"
#include "http/http.h"

#include <stddef.h>

struct mf_export_cell {
	const char *name;   /* the column's name */
	const char *source; /* the statement's json column holding it */
	const char *key;    /* its member (compared as written, unescaped) */
};

struct mf_export {
	enum mf_sql stmt; /* one row per exported record */
	/* or, for a statement db/ composes (db/search.h), what opens it */
	int (*open)(struct mf_db_rows **out, const void *arg,
	            struct mf_error *err);
	const void *open_arg;
	int nparams;
	const char *const *params; /* text; read before mf_h_export returns */
	/* the download's name without extension: "models" -> models.csv */
	const char *filename;
	/* format=json: the rows as {"<list_key>": [row, ...]} */
	const char *list_key;
	/*
	 * Optional columns taken from flat JSON objects (indicator columns
	 * named by id): each cell is the member `key` of the json column
	 * `source`, a string, number, boolean or null (absent: null). The
	 * cells stand where the first source column would, in this order;
	 * the source columns themselves are not exported.
	 */
	const struct mf_export_cell *cells; /* copied */
	size_t ncells;
	/*
	 * Or rows computed in C (a small result such as a compare): a JSON
	 * array of flat objects, exported instead of stmt's rows in the
	 * columns named here (a member absent or null: empty / null; a
	 * string, number or boolean as a statement's column of that type;
	 * a list or object as its JSON text). Held until the stream ends
	 * (a reference is taken); no cells.
	 */
	const json_t *rows;
	const char *const *columns; /* copied */
	size_t ncolumns;
};

/*
 * Answers 200 with the export in format fmt: CSV with a header row and
 * CRLF line ends, JSON Lines (one object per line), or JSON. CSV and
 * JSON Lines come with Content-Disposition: attachment. A failing
 * statement is an error response; a failure after the first bytes cuts
 * the body short, so a client never mistakes it for a whole export.
 */
int mf_h_export(struct mf_request *req, const struct mf_export *x,
                enum mf_format fmt);

/*
 * Appends one CSV field (RFC 4180: quoted when it holds a comma, quote,
 * CR or LF, quotes doubled) or one JSON string to b. Exposed for tests.
 */
int mf_export_csv_field(struct mf_buf *b, const char *s, size_t len);
int mf_export_json_string(struct mf_buf *b, const char *s, size_t len);

/*
 * Decodes one JSON string token (with its quotes) into b as UTF-8;
 * MF_E_BAD_JSON when it is not one. Exposed for tests.
 */
int mf_export_json_unescape(struct mf_buf *b, const char *tok, size_t len);

#endif
