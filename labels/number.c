/*
 * Number formatting for labels (see number.h): exact forms for label.json
 * and eval values, readable forms for the spec sheet.
 */
#include "labels/number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * printf uses the locale's decimal point; labels must not. Whatever is
 * not a digit, sign or exponent letter in printf's numeric output is the
 * decimal point (possibly several bytes), so it becomes one '.'.
 */
static void
fix_point(char *s)
{
	char *r = s, *w = s;
	int in_point = 0;

	for (; *r; r++) {
		if ((*r >= '0' && *r <= '9') || *r == '-' || *r == '+' ||
		    *r == 'e') {
			*w++ = *r;
			in_point = 0;
		} else if (!in_point) {
			*w++ = '.';
			in_point = 1;
		}
	}
	*w = '\0';
}

enum style { G, F, E }; /* printf's %g, %f, %e */

static void
fmt(char *dst, enum style style, int prec, double x)
{
	if (style == G)
		snprintf(dst, MF_LABEL_NUM_MAX, "%.*g", prec, x);
	else if (style == F)
		snprintf(dst, MF_LABEL_NUM_MAX, "%.*f", prec, x);
	else
		snprintf(dst, MF_LABEL_NUM_MAX, "%.*e", prec, x);
	fix_point(dst);
}

/* "1.6e+23" -> "1.6e23", "2.5e-04" -> "2.5e-4". */
static void
tidy_exponent(char *s)
{
	char *e = strchr(s, 'e'), *d;

	if (e == NULL)
		return;
	d = e + 1;
	if (*d == '+')
		memmove(d, d + 1, strlen(d + 1) + 1);
	else if (*d == '-')
		d++;
	while (d[0] == '0' && d[1] != '\0')
		memmove(d, d + 1, strlen(d + 1) + 1);
}

/* Drops trailing zeros after the point, keeping `keep` decimals. */
static void
strip_zeros(char *s, int keep)
{
	char *p = strchr(s, '.');
	char *end;

	if (p == NULL || strchr(s, 'e') != NULL)
		return;
	end = s + strlen(s);
	while (end > p + 1 + keep && end[-1] == '0')
		*--end = '\0';
	if (end == p + 1)
		*p = '\0';
}

static void
shortest(char *dst, double x)
{
	int p;

	for (p = 1; p < 17; p++) {
		fmt(dst, G, p, x);
		if (strtod(dst, NULL) == x)
			return;
	}
	fmt(dst, G, 17, x);
}

void
mf_label_num_exact(char *dst, double x)
{
	if (!isfinite(x)) {
		strcpy(dst, "0");
		return;
	}
	shortest(dst, x);
	tidy_exponent(dst);
}

void
mf_label_num_json(char *dst, double x)
{
	if (!isfinite(x)) {
		strcpy(dst, "0.0"); /* jansson never holds these */
		return;
	}
	if (x == floor(x) && fabs(x) < 1e16) {
		fmt(dst, F, 0, x);
		strcat(dst, ".0");
		return;
	}
	shortest(dst, x);
	if (strpbrk(dst, ".e") == NULL)
		strcat(dst, ".0");
}

/* Inserts a ',' between groups of three digits of the integer part. */
static void
group(char *s)
{
	char tmp[MF_LABEL_NUM_MAX];
	size_t start = (s[0] == '-') ? 1 : 0, digits = 0, i, o = 0;

	while (s[start + digits] >= '0' && s[start + digits] <= '9')
		digits++;
	if (digits <= 3 || strlen(s) + digits / 3 >= sizeof(tmp))
		return;
	for (i = 0; s[i]; i++) {
		if (i > start && i < start + digits &&
		    (start + digits - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = s[i];
	}
	tmp[o] = '\0';
	strcpy(s, tmp);
}

void
mf_label_num_sci(char *dst, double x)
{
	if (!isfinite(x)) {
		strcpy(dst, "0");
		return;
	}
	fmt(dst, E, 1, x);
	tidy_exponent(dst);
}

void
mf_label_num_plain(char *dst, double x)
{
	double a = fabs(x);

	if (!isfinite(x)) {
		strcpy(dst, "0");
		return;
	}
	if (a >= 1e15) {
		mf_label_num_sci(dst, x);
		return;
	}
	if ((x == floor(x)) || a >= 100) {
		fmt(dst, F, 0, x);
		if (strcmp(dst, "-0") == 0)
			strcpy(dst, "0");
		group(dst);
		return;
	}
	if (a >= 10) {
		fmt(dst, F, 1, x);
		strip_zeros(dst, 0);
	} else if (a >= 1) {
		fmt(dst, F, 2, x);
		strip_zeros(dst, 0);
	} else if (a >= 0.001) {
		fmt(dst, F, 3 - (int)floor(log10(a)) - 1, x);
		strip_zeros(dst, 0);
	} else {
		mf_label_num_sci(dst, x);
	}
}

/* value/scale with the scaled count rules; suffix is appended. */
static void
scaled(char *dst, double s, const char *suffix)
{
	double a = fabs(s);

	if (a < 10) {
		fmt(dst, F, 2, s);
		strip_zeros(dst, 1);
	} else if (a < 100) {
		fmt(dst, F, 1, s);
		strip_zeros(dst, 0);
	} else {
		fmt(dst, F, 0, s);
	}
	strcat(dst, suffix);
}

void
mf_label_num_scaled(char *dst, double x)
{
	static const char *const suffix[] = {"M", "B", "T"};
	double a = fabs(x), s;
	size_t i;

	if (!isfinite(x) || a < 1e6) {
		mf_label_num_plain(dst, x);
		return;
	}
	for (i = 0, s = x / 1e6; i < 3; i++, s /= 1000)
		if (fabs(s) < 999.5) {
			scaled(dst, s, suffix[i]);
			return;
		}
	mf_label_num_sci(dst, x);
}

void
mf_label_num_bytes(char *dst, double x)
{
	static const char *const unit[] = {" B",  " KB", " MB", " GB",
	                                   " TB", " PB", " EB"};
	double s = x;
	size_t i;

	if (!isfinite(x)) {
		strcpy(dst, "0 B");
		return;
	}
	if (fabs(x) < 1000) {
		mf_label_num_plain(dst, x);
		strcat(dst, " B");
		return;
	}
	for (i = 0; i < 6 && fabs(s) >= 999.5; i++)
		s /= 1000;
	if (fabs(s) >= 999.5) { /* beyond exabytes */
		mf_label_num_sci(dst, x);
		strcat(dst, " B");
		return;
	}
	scaled(dst, s, unit[i]);
}
