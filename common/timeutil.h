/* Wall-clock time as Unix milliseconds, and RFC 3339 text. */
#ifndef MF_TIMEUTIL_H
#define MF_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

int64_t mf_time_now_ms(void);
/* Monotonic clock in nanoseconds, for durations. */
int64_t mf_time_mono_ns(void);
/* "2026-11-26T08:53:31.123Z" */
void mf_time_format_ms(char *out, size_t n, int64_t unix_ms);
/* "2026-11-26T08:53:31Z" */
void mf_time_format_s(char *out, size_t n, int64_t unix_s);
/*
 * Parses an RFC 3339 date-time (with 'T' or 't', 'Z' or a numeric offset,
 * optional fraction) into Unix microseconds. Checks calendar validity
 * (month lengths, leap years; a leap second only as :60 at the end of a
 * UTC day). Returns 0 or -1.
 */
int mf_time_parse_rfc3339(const char *s, int64_t *out_us);
/* Parses a full-date "YYYY-MM-DD" into days since 1970-01-01; 0 or -1. */
int mf_time_parse_date(const char *s, int64_t *out_days);

#endif
