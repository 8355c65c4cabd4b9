/*
 * Line-oriented logging to stderr. Every line carries a UTC timestamp, a
 * level and, when there is one, the id of the request it concerns.
 */
#ifndef MF_DIAG_H
#define MF_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mf_diag_level { MF_DIAG_DEBUG, MF_DIAG_INFO, MF_DIAG_WARN, MF_DIAG_ERROR };

void mf_diag_set_level(enum mf_diag_level level);

/*
 * How lines are written (--log-format): text (the default: "TIME LEVEL
 * [req=ID] MESSAGE") or json (one JSON object a line: "time", "level",
 * "request_id" when there is one, "msg", and the access log's fields).
 */
enum mf_diag_format { MF_DIAG_TEXT, MF_DIAG_JSON };
void mf_diag_set_format(enum mf_diag_format format);
/* Parses "text", "json"; -1 when unknown. */
int mf_diag_format_parse(const char *s);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int mf_diag_level_parse(const char *s);

/*
 * reqid may be NULL. One write(2) per line, so lines never interleave.
 * The formatted message is escaped with mf_diag_escape: whatever a
 * request path or a document holds, it stays on its own line.
 */
void mf_diag(enum mf_diag_level level, const char *reqid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Copies len bytes of in to out (cap bytes, NUL-terminated) so that they
 * print as one inert line: a newline as \n, a backslash as \\, other
 * control bytes, C1 controls and bytes that are not UTF-8 as \xNN; valid
 * UTF-8 is kept. Stops before an escape that would not fit. Returns the
 * length written.
 */
size_t mf_diag_escape(char *out, size_t cap, const char *in, size_t len);

/*
 * Copies len bytes of in to out (cap bytes, NUL-terminated) as the body
 * of a JSON string (no quotes): '"' and '\\' escaped, control bytes and
 * the C1 controls as \u00XX, valid UTF-8 kept, and a byte that is not
 * UTF-8 as the six characters \\xNN (which read back as the text
 * "\xNN"), so the line is valid JSON whatever in holds. Stops before an
 * escape that would not fit. Returns the length written.
 */
size_t mf_diag_json_escape(char *out, size_t cap, const char *in, size_t len);

/* One line of the access log: a request as it completed. */
struct mf_diag_access {
	const char *reqid;
	const char *client; /* the address the rate limits and logs name */
	const char *method;
	const char *path;  /* as requested (decoded) */
	const char *route; /* the route template it matched, or NULL */
	unsigned status;
	size_t bytes;
	int64_t duration_us;
	bool aborted;
};
/* Writes it at info level, in the format chosen. */
void mf_diag_access(const struct mf_diag_access *a);

#define mf_diag_info(...)  mf_diag(MF_DIAG_INFO, NULL, __VA_ARGS__)
#define mf_diag_warn(...)  mf_diag(MF_DIAG_WARN, NULL, __VA_ARGS__)
#define mf_diag_error(...) mf_diag(MF_DIAG_ERROR, NULL, __VA_ARGS__)
#define mf_diag_debug(...) mf_diag(MF_DIAG_DEBUG, NULL, __VA_ARGS__)

#endif
