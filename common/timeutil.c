/* Clock readings and strict RFC 3339 parsing (see timeutil.h). */
#include "common/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
mf_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mf_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
mf_time_format_ms(char *out, size_t n, int64_t unix_ms)
{
	time_t s = (time_t)(unix_ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(unix_ms % 1000));
}

void
mf_time_format_s(char *out, size_t n, int64_t unix_s)
{
	time_t s = (time_t)unix_s;
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Reads exactly n digits; -1 when any is missing. */
static int
digits(const char **p, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30,
	                          31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
parse_date(const char **p, int64_t *days)
{
	int y, m, d;

	if ((y = digits(p, 4)) < 0 || *(*p)++ != '-' ||
	    (m = digits(p, 2)) < 0 || *(*p)++ != '-' || (d = digits(p, 2)) < 0)
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

int
mf_time_parse_date(const char *s, int64_t *out_days)
{
	const char *p = s;

	if (parse_date(&p, out_days) != 0 || *p != '\0')
		return -1;
	return 0;
}

int
mf_time_parse_rfc3339(const char *s, int64_t *out_us)
{
	const char *p = s;
	int64_t days, secs, frac = 0;
	int hh, mm, ss, oh = 0, om = 0, sign = 0, scale = 1000000;

	if (parse_date(&p, &days) != 0)
		return -1;
	if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if ((hh = digits(&p, 2)) < 0 || *p++ != ':' ||
	    (mm = digits(&p, 2)) < 0 || *p++ != ':' || (ss = digits(&p, 2)) < 0)
		return -1;
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if ((oh = digits(&p, 2)) < 0 || *p++ != ':' ||
		    (om = digits(&p, 2)) < 0 || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	/* A leap second is only valid at 23:59:60 UTC. */
	if (ss == 60) {
		int utc_min = hh * 60 + mm - sign * (oh * 60 + om);

		utc_min = ((utc_min % 1440) + 1440) % 1440;
		if (utc_min != 23 * 60 + 59)
			return -1;
		ss = 59;
	}
	secs = days * 86400 + hh * 3600 + mm * 60 + ss -
	       sign * (oh * 3600 + om * 60);
	*out_us = secs * 1000000 + frac;
	return 0;
}
