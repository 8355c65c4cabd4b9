/*
 * Line-oriented logging to stderr. Every line carries a UTC timestamp, a
 * level and, when there is one, the id of the request it concerns.
 */
#ifndef MF_DIAG_H
#define MF_DIAG_H

enum mf_diag_level { MF_DIAG_DEBUG, MF_DIAG_INFO, MF_DIAG_WARN, MF_DIAG_ERROR };

void mf_diag_set_level(enum mf_diag_level level);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int mf_diag_level_parse(const char *s);

/* reqid may be NULL. One write(2) per line, so lines never interleave. */
void mf_diag(enum mf_diag_level level, const char *reqid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define mf_diag_info(...)  mf_diag(MF_DIAG_INFO, NULL, __VA_ARGS__)
#define mf_diag_warn(...)  mf_diag(MF_DIAG_WARN, NULL, __VA_ARGS__)
#define mf_diag_error(...) mf_diag(MF_DIAG_ERROR, NULL, __VA_ARGS__)
#define mf_diag_debug(...) mf_diag(MF_DIAG_DEBUG, NULL, __VA_ARGS__)

#endif
