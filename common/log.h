/*
 * Line-oriented logging to stderr. Every line carries a UTC timestamp, a
 * level and, when there is one, the id of the request it concerns.
 */
#ifndef MF_LOG_H
#define MF_LOG_H

enum mf_log_level { MF_LOG_DEBUG, MF_LOG_INFO, MF_LOG_WARN, MF_LOG_ERROR };

void mf_log_set_level(enum mf_log_level level);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int mf_log_level_parse(const char *s);

/* reqid may be NULL. One write(2) per line, so lines never interleave. */
void mf_log(enum mf_log_level level, const char *reqid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define mf_log_info(...)  mf_log(MF_LOG_INFO, NULL, __VA_ARGS__)
#define mf_log_warn(...)  mf_log(MF_LOG_WARN, NULL, __VA_ARGS__)
#define mf_log_error(...) mf_log(MF_LOG_ERROR, NULL, __VA_ARGS__)
#define mf_log_debug(...) mf_log(MF_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
