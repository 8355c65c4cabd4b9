/*
 * Line-oriented logging to stderr. Every line carries a UTC timestamp, a
 * level and, when there is one, the id of the request it concerns.
 */
#ifndef MF_DIAG_H
#define MF_DIAG_H

#include <stddef.h>

enum mf_diag_level { MF_DIAG_DEBUG, MF_DIAG_INFO, MF_DIAG_WARN, MF_DIAG_ERROR };

void mf_diag_set_level(enum mf_diag_level level);
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

#define mf_diag_info(...)  mf_diag(MF_DIAG_INFO, NULL, __VA_ARGS__)
#define mf_diag_warn(...)  mf_diag(MF_DIAG_WARN, NULL, __VA_ARGS__)
#define mf_diag_error(...) mf_diag(MF_DIAG_ERROR, NULL, __VA_ARGS__)
#define mf_diag_debug(...) mf_diag(MF_DIAG_DEBUG, NULL, __VA_ARGS__)

#endif
