/*
 * Reading facts out of the FMTI reports' prose (see extract.h). The text
 * is first normalised to ASCII where it matters (CO₂, 10²⁵, ×, ≈, dashes,
 * no-break spaces), then scanned number by number: a number counts only
 * when the unit of the asked kind follows it, and every occurrence is
 * kept, so two different figures make the answer ambiguous instead of
 * picking one.
 */
#include "importers/extract.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 16

/* ------------------------------------------------------------------ */
/* Normalisation                                                       */

/* The UTF-8 sequences that matter, as ASCII. */
static const struct {
	const char *utf8, *ascii;
} folds[] = {
    {"\xe2\x82\x82", "2"}, /* subscript two (CO₂) */
    {"\xc3\x97", "x"},     /* multiplication sign */
    {"\xe2\x8b\x85", "x"}, /* dot operator */
    {"\xe2\x89\x88", "~"}, /* almost equal */
    {"\xe2\x88\xbc", "~"}, /* tilde operator */
    {"\xe2\x80\x93", "-"}, /* en dash */
    {"\xe2\x80\x94", "-"}, /* em dash */
    {"\xe2\x88\x92", "-"}, /* minus sign */
    {"\xe2\x80\x99", "'"}, /* right single quote */
    {"\xc2\xa0", " "},     /* no-break space */
    {"\xe2\x80\xaf", " "}, /* narrow no-break space */
    {"\xe2\x80\x89", " "}, /* thin space */
    {"\xe2\x81\xbb", "-"}, /* superscript minus */
};

static const struct {
	const char *utf8;
	char digit;
} superscripts[] = {
    {"\xe2\x81\xb0", '0'}, {"\xc2\xb9", '1'},     {"\xc2\xb2", '2'},
    {"\xc2\xb3", '3'},     {"\xe2\x81\xb4", '4'}, {"\xe2\x81\xb5", '5'},
    {"\xe2\x81\xb6", '6'}, {"\xe2\x81\xb7", '7'}, {"\xe2\x81\xb8", '8'},
    {"\xe2\x81\xb9", '9'},
};

/*
 * ASCII copy of text: the folds above, superscript digits as ^digits,
 * line breaks and tabs as spaces, any other non-ASCII character as '?'.
 * NULL when out of memory.
 */
static char *
normalise(const char *text)
{
	size_t n = strlen(text), i, k, o = 0;
	char *out = malloc(2 * n + 1);
	bool sup = false;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)text[i];
		bool done = false;

		for (k = 0; k < sizeof(superscripts) / sizeof(superscripts[0]);
		     k++) {
			size_t l = strlen(superscripts[k].utf8);

			if (strncmp(text + i, superscripts[k].utf8, l) == 0) {
				if (!sup)
					out[o++] = '^';
				out[o++] = superscripts[k].digit;
				i += l;
				sup = done = true;
				break;
			}
		}
		if (done)
			continue;
		sup = false;
		for (k = 0; k < sizeof(folds) / sizeof(folds[0]); k++) {
			size_t l = strlen(folds[k].utf8);

			if (strncmp(text + i, folds[k].utf8, l) == 0) {
				out[o++] = folds[k].ascii[0];
				i += l;
				done = true;
				break;
			}
		}
		if (done)
			continue;
		if (c < 0x80) {
			out[o++] =
			    c == '\n' || c == '\r' || c == '\t' ? ' ' : (char)c;
			i++;
			continue;
		}
		/* another character: one '?' for its whole sequence */
		out[o++] = '?';
		for (i++; i < n && ((unsigned char)text[i] & 0xc0) == 0x80; i++)
			;
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------ */
/* Words and numbers                                                   */

static bool
word_char(const char *s, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	if (isalnum(c) || c == '_' || c == '\'')
		return true;
	/* inner hyphens and dots: "GPU-hours", "H100-80GB", "v5.1" */
	return (c == '-' || c == '.') && i > 0 &&
	       isalnum((unsigned char)s[i - 1]) &&
	       isalnum((unsigned char)s[i + 1]);
}

/* The word at or after *i (spaces skipped): [start, end). false at the
 * end of the text or at punctuation. */
static bool
next_word(const char *s, size_t *i, size_t *start, size_t *end)
{
	size_t j = *i;

	while (s[j] == ' ')
		j++;
	if (s[j] == '\0' || !word_char(s, j) || s[j] == '\'')
		return false;
	*start = j;
	while (s[j] != '\0' && word_char(s, j))
		j++;
	*end = j;
	*i = j;
	return true;
}

/* The lowercase text's word [a, b) equals w. */
static bool
word_is(const char *l, size_t a, size_t b, const char *w)
{
	return strlen(w) == b - a && strncmp(l + a, w, b - a) == 0;
}

static bool
word_in(const char *l, size_t a, size_t b, const char *const *list)
{
	for (; *list != NULL; list++)
		if (word_is(l, a, b, *list))
			return true;
	return false;
}

struct number {
	double v;
	size_t start, end;
	bool plain_int; /* no decimals, exponent or scale word */
};

/* The lowercase text before position i ends with the phrase p as words. */
static bool
ends_with_phrase(const char *l, size_t i, const char *p)
{
	size_t n = strlen(p);

	while (i > 0 && l[i - 1] == ' ')
		i--;
	if (i < n || strncmp(l + i - n, p, n) != 0)
		return false;
	return i == n || !isalpha((unsigned char)l[i - n - 1]) ||
	       !isalpha((unsigned char)p[0]);
}

/* A number starts at i: a digit not glued to a name or another number. */
static bool
number_starts(const char *s, size_t i)
{
	unsigned char p;

	if (!isdigit((unsigned char)s[i]))
		return false;
	if (i == 0)
		return true;
	p = (unsigned char)s[i - 1];
	if (isalnum(p) || p == '_' || p == '.' || p == ',' || p == '^' ||
	    p == '/' || p == '$')
		return false;
	/* "Granite-3-8B", "Qwen3-235B": a hyphen inside a name */
	if (p == '-' && i >= 2 && isalnum((unsigned char)s[i - 2]))
		return false;
	return true;
}

static const struct {
	const char *word;
	double factor;
} scale_words[] = {
    {"thousand", 1e3},  {"million", 1e6},      {"billion", 1e9},
    {"trillion", 1e12}, {"quadrillion", 1e15},
};

/* Parses the number at i (number_starts(s, i) holds). */
static void
parse_number(const char *s, const char *l, size_t i, struct number *n)
{
	size_t j = i, k, ex = 0;
	double v = 0, frac = 0.1, e10 = 0;
	bool plain = true, bare10 = false;

	n->start = i;
	while (isdigit((unsigned char)s[j])) {
		v = v * 10 + (s[j] - '0');
		j++;
		/* thousands separators: ",ddd" not followed by a digit */
		if (s[j] == ',' && isdigit((unsigned char)s[j + 1]) &&
		    isdigit((unsigned char)s[j + 2]) &&
		    isdigit((unsigned char)s[j + 3]) &&
		    !isdigit((unsigned char)s[j + 4]))
			j++;
	}
	if (s[j] == '.' && isdigit((unsigned char)s[j + 1])) {
		plain = false;
		for (j++; isdigit((unsigned char)s[j]); j++, frac /= 10)
			v += (s[j] - '0') * frac;
	}
	/* 5.66x10^23, 1.2 x 10^24, 10^24, 5.66e23: ex is where the
	 * exponent's digits (or sign) start, 0 when there is none */
	k = j;
	while (s[k] == ' ')
		k++;
	if ((s[k] == 'x' || s[k] == 'X' || s[k] == '*') &&
	    !isalpha((unsigned char)s[k + 1])) {
		for (k++; s[k] == ' '; k++)
			;
		if (s[k] == '1' && s[k + 1] == '0') {
			for (k += 2; s[k] == ' '; k++)
				;
			if (s[k] == '^')
				ex = k + 1;
		}
	} else if (v == 10 && j == i + 2 && s[j] == '^') {
		ex = j + 1;
		bare10 = true;
	} else if ((s[j] == 'e' || s[j] == 'E') &&
	           (isdigit((unsigned char)s[j + 1]) ||
	            ((s[j + 1] == '+' || s[j + 1] == '-') &&
	             isdigit((unsigned char)s[j + 2])))) {
		ex = j + 1;
	}
	if (ex != 0) {
		bool neg;

		if (s[ex] == '{')
			ex++;
		neg = s[ex] == '-';
		if (s[ex] == '+' || s[ex] == '-')
			ex++;
		if (isdigit((unsigned char)s[ex])) {
			for (; isdigit((unsigned char)s[ex]); ex++)
				e10 = e10 * 10 + (s[ex] - '0');
			if (s[ex] == '}')
				ex++;
			v = (bare10 ? 1 : v) * pow(10, neg ? -e10 : e10);
			plain = false;
			j = ex;
		}
	}
	/* 12T, 2.664M, 180K: a scale letter glued to the number */
	if (s[j] != '\0' && strchr("KMBT", s[j]) != NULL &&
	    !isalnum((unsigned char)s[j + 1])) {
		v *= s[j] == 'K'   ? 1e3
		     : s[j] == 'M' ? 1e6
		     : s[j] == 'B' ? 1e9
		                   : 1e12;
		plain = false;
		j++;
	} else {
		size_t a, b, w = j;

		if (next_word(l, &w, &a, &b))
			for (k = 0;
			     k < sizeof(scale_words) / sizeof(scale_words[0]);
			     k++)
				if (word_is(l, a, b, scale_words[k].word)) {
					v *= scale_words[k].factor;
					plain = false;
					j = b;
					break;
				}
	}
	n->v = v;
	n->end = j;
	n->plain_int = plain;
}

/* A four-digit year after "in 2024", "since 2020": not a quantity. */
static bool
looks_like_year(const char *l, const struct number *n)
{
	static const char *const before[] = {"in",    "since", "of",   "from",
	                                     "by",    "until", "year", "the",
	                                     "early", "late",  "mid",  NULL};
	size_t k;

	if (!n->plain_int || n->v < 1900 || n->v > 2100 ||
	    n->end - n->start != 4)
		return false;
	for (k = 0; before[k] != NULL; k++)
		if (ends_with_phrase(l, n->start, before[k]))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Units                                                               */

struct unit {
	enum mf_extract_kind kind;
	const char *words[4]; /* lowercase, one per word */
	const char *unit;     /* as the schema spells it */
	double factor;        /* to the schema unit */
	double base;          /* schema unit to the kind's base unit */
};

static const struct unit units[] = {
    {MF_EXTRACT_DATA, {"tokens"}, "tokens", 1, 1},
    {MF_EXTRACT_DATA, {"token"}, "tokens", 1, 1},
    {MF_EXTRACT_DATA, {"words"}, "words", 1, 1},
    {MF_EXTRACT_DATA, {"documents"}, "documents", 1, 1},
    {MF_EXTRACT_DATA, {"docs"}, "documents", 1, 1},
    {MF_EXTRACT_DATA, {"images"}, "images", 1, 1},
    {MF_EXTRACT_DATA, {"examples"}, "examples", 1, 1},
    {MF_EXTRACT_DATA, {"samples"}, "examples", 1, 1},
    {MF_EXTRACT_DATA, {"bytes"}, "bytes", 1, 1},
    {MF_EXTRACT_DATA, {"gb"}, "bytes", 1e9, 1},
    {MF_EXTRACT_DATA, {"gigabytes"}, "bytes", 1e9, 1},
    {MF_EXTRACT_DATA, {"tb"}, "bytes", 1e12, 1},
    {MF_EXTRACT_DATA, {"terabytes"}, "bytes", 1e12, 1},
    {MF_EXTRACT_DATA, {"pb"}, "bytes", 1e15, 1},
    {MF_EXTRACT_DATA, {"petabytes"}, "bytes", 1e15, 1},
    {MF_EXTRACT_DATA, {"hours", "of", "audio"}, "audio_hours", 1, 1},
    {MF_EXTRACT_DATA, {"hours", "of", "video"}, "video_hours", 1, 1},
    {MF_EXTRACT_PARAMETERS, {"parameters"}, "parameters", 1, 1},
    {MF_EXTRACT_PARAMETERS, {"parameter"}, "parameters", 1, 1},
    {MF_EXTRACT_PARAMETERS, {"params"}, "parameters", 1, 1},
    {MF_EXTRACT_FLOP, {"flop"}, "FLOP", 1, 1},
    {MF_EXTRACT_FLOP, {"flops"}, "FLOP", 1, 1},
    {MF_EXTRACT_ENERGY, {"kwh"}, "kWh", 1, 1e-3},
    {MF_EXTRACT_ENERGY, {"mwh"}, "MWh", 1, 1},
    {MF_EXTRACT_ENERGY, {"gwh"}, "GWh", 1, 1e3},
    {MF_EXTRACT_ENERGY, {"kilowatt-hours"}, "kWh", 1, 1e-3},
    {MF_EXTRACT_ENERGY, {"kilowatt", "hours"}, "kWh", 1, 1e-3},
    {MF_EXTRACT_ENERGY, {"megawatt-hours"}, "MWh", 1, 1},
    {MF_EXTRACT_ENERGY, {"megawatt", "hours"}, "MWh", 1, 1},
    {MF_EXTRACT_ENERGY, {"gigawatt-hours"}, "GWh", 1, 1e3},
    {MF_EXTRACT_ENERGY, {"gigawatt", "hours"}, "GWh", 1, 1e3},
    {MF_EXTRACT_ACC_HOURS, {"gpu-hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"gpu", "hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"gpu", "hrs"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"tpu-hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"tpu", "hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"accelerator", "hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"accelerator-hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"chip-hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"chip", "hours"}, "hours", 1, 1},
    {MF_EXTRACT_ACC_HOURS, {"device", "hours"}, "hours", 1, 1},
    {MF_EXTRACT_DURATION, {"days"}, "days", 1, 24},
    {MF_EXTRACT_DURATION, {"day"}, "days", 1, 24},
    {MF_EXTRACT_DURATION, {"weeks"}, "days", 7, 24},
    {MF_EXTRACT_DURATION, {"week"}, "days", 7, 24},
    {MF_EXTRACT_DURATION, {"hours"}, "hours", 1, 1},
    {MF_EXTRACT_DURATION, {"hour"}, "hours", 1, 1},
};

/* Words that may stand between a number and its unit, per kind: how
 * many, and whether they may contain digits ("2.664M H800 GPU hours"). */
static const struct {
	int max;
	bool digits;
} gaps[MF_EXTRACT__MAX] = {
    [MF_EXTRACT_DATA] = {2, false},      [MF_EXTRACT_PARAMETERS] = {1, false},
    [MF_EXTRACT_FLOP] = {0, false},      [MF_EXTRACT_ENERGY] = {0, false},
    [MF_EXTRACT_EMISSIONS] = {0, false}, [MF_EXTRACT_ACC_HOURS] = {3, true},
    [MF_EXTRACT_DURATION] = {0, false},
};

/* Gap words that end the search: units of other kinds, joins, and
 * words that change what the number counts ("94B active parameters"). */
static const char *const stop_words[] = {
    "and",        "or",        "per",    "in",        "on",
    "with",       "for",       "to",     "by",        "of",
    "active",     "activated", "total",  "embedding", "non-embedding",
    "parameters", "parameter", "params", "tokens",    "token",
    "hours",      "days",      "flop",   "flops",     "gpus",
    "gpu-hours",  "mwh",       "kwh",    "models",    "model",
    NULL};

/* Duration words that cannot be converted: the duration is ambiguous. */
static const char *const vague_durations[] = {"months", "month", "years",
                                              "year", NULL};

enum unit_match { U_NONE, U_FOUND, U_RATE, U_VAGUE };

/* After a unit: "/GPU-hour" or "per kWh" make it a rate. */
static bool
rate_follows(const char *l, size_t j)
{
	size_t a, b;

	while (l[j] == ' ')
		j++;
	if (l[j] == '/')
		return true;
	return next_word(l, &j, &a, &b) && word_is(l, a, b, "per");
}

/* CO2 in "CO2", "CO2e", "CO2eq", "CO2-eq", "CO2-equivalent". */
static bool
is_co2(const char *l, size_t a, size_t b)
{
	static const char *const tails[] = {"",   "e",           "eq", "-eq",
	                                    "-e", "-equivalent", NULL};
	size_t k;

	if (b - a < 3 || strncmp(l + a, "co2", 3) != 0)
		return false;
	for (k = 0; tails[k] != NULL; k++)
		if (strlen(tails[k]) == b - a - 3 &&
		    strncmp(l + a + 3, tails[k], b - a - 3) == 0)
			return true;
	return false;
}

/* tCO2e, "tons CO2eq", "metric tons of CO2", "kg CO2e". */
static enum unit_match
match_emissions(const char *l, size_t j, const struct unit **out)
{
	static const struct unit t = {
	    MF_EXTRACT_EMISSIONS, {""}, "tCO2e", 1, 1};
	static const struct unit kg = {
	    MF_EXTRACT_EMISSIONS, {""}, "kgCO2e", 1, 1e-3};
	static const char *const tonnes[] = {"t",     "ton",    "tons",
	                                     "tonne", "tonnes", NULL};
	static const char *const kilos[] = {"kg", "kgs", "kilograms",
	                                    "kilogram", NULL};
	size_t a, b;
	const struct unit *u = NULL;

	if (!next_word(l, &j, &a, &b))
		return U_NONE;
	if (b - a > 1 && l[a] == 't' && is_co2(l, a + 1, b)) {
		u = &t;
	} else if (b - a > 2 && strncmp(l + a, "kg", 2) == 0 &&
	           is_co2(l, a + 2, b)) {
		u = &kg;
	} else {
		if (word_is(l, a, b, "metric") && !next_word(l, &j, &a, &b))
			return U_NONE;
		if (word_in(l, a, b, tonnes))
			u = &t;
		else if (word_in(l, a, b, kilos))
			u = &kg;
		else
			return U_NONE;
		if (!next_word(l, &j, &a, &b))
			return U_NONE;
		if (word_is(l, a, b, "of") && !next_word(l, &j, &a, &b))
			return U_NONE;
		if (!is_co2(l, a, b))
			return U_NONE;
	}
	*out = u;
	return rate_follows(l, j) ? U_RATE : U_FOUND;
}

/* The unit of this kind after position j, if any. */
static enum unit_match
match_unit(const char *l, size_t j, enum mf_extract_kind kind,
           const struct unit **out)
{
	size_t a, b, k, w, gap;

	/* "8,960-chip", "12-trillion": a hyphen glued to the number */
	if (l[j] == '-' && isalpha((unsigned char)l[j + 1]))
		j++;
	for (gap = 0;; gap++) {
		if (kind == MF_EXTRACT_EMISSIONS)
			return match_emissions(l, j, out);
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t p = j;

			if (units[k].kind != kind)
				continue;
			for (w = 0; w < 4 && units[k].words[w] != NULL; w++)
				if (!next_word(l, &p, &a, &b) ||
				    !word_is(l, a, b, units[k].words[w]))
					break;
			if (w < 4 && units[k].words[w] != NULL)
				continue;
			*out = &units[k];
			return rate_follows(l, p) ? U_RATE : U_FOUND;
		}
		w = j;
		if (kind == MF_EXTRACT_DURATION && next_word(l, &w, &a, &b) &&
		    word_in(l, a, b, vague_durations))
			return U_VAGUE;
		if ((int)gap >= gaps[kind].max || !next_word(l, &j, &a, &b) ||
		    word_in(l, a, b, stop_words))
			return U_NONE;
		if (!gaps[kind].digits)
			for (k = a; k < b; k++)
				if (isdigit((unsigned char)l[k]))
					return U_NONE;
	}
}

/* ------------------------------------------------------------------ */
/* Quantities                                                          */

static const char *const approx_words[] = {
    "~",     "approximately", "approx.",      "approx",
    "about", "around",        "roughly",      "nearly",
    "circa", "estimated",     "an estimated", "est.",
    NULL};
static const char *const lower_words[] = {
    "over",         "more than",    "at least", "above", "exceeding",
    "in excess of", "greater than", ">",        ">=",    NULL};
static const char *const upper_words[] = {
    "up to", "under", "less than", "at most",    "below", "fewer than",
    "<",     "<=",    "within",    "maximum of", "max",   NULL};

static const char *
qualifier(const char *l, size_t at, bool *bounded_above)
{
	size_t k;

	*bounded_above = false;
	for (k = 0; upper_words[k] != NULL; k++)
		if (ends_with_phrase(l, at, upper_words[k]))
			*bounded_above = true;
	for (k = 0; lower_words[k] != NULL; k++)
		if (ends_with_phrase(l, at, lower_words[k]))
			return "lower_bound";
	for (k = 0; approx_words[k] != NULL; k++)
		if (ends_with_phrase(l, at, approx_words[k]))
			return "estimated";
	return NULL;
}

/* "1-2T", "1 to 2 trillion", "between 1 and 2": the second number's
 * start, or 0 when no range follows. */
static size_t
range_follows(const char *s, const char *l, size_t j)
{
	size_t a, b, w;

	while (s[j] == ' ')
		j++;
	if (s[j] == '-') {
		for (w = j + 1; s[w] == ' '; w++)
			;
		return isdigit((unsigned char)s[w]) ? w : 0;
	}
	w = j;
	if (next_word(l, &w, &a, &b) &&
	    (word_is(l, a, b, "to") || word_is(l, a, b, "and"))) {
		while (s[w] == ' ')
			w++;
		return isdigit((unsigned char)s[w]) ? w : 0;
	}
	return 0;
}

enum mf_extract_result
mf_extract_quantity(const char *text, enum mf_extract_kind kind,
                    struct mf_extract_qty *out)
{
	struct mf_extract_qty found[MAX_VALUES];
	double base[MAX_VALUES];
	char *s = NULL, *l = NULL;
	size_t i, k, n = 0;
	bool ambiguous = false;
	enum mf_extract_result res = MF_EXTRACT_NONE;

	if (text == NULL || kind < 0 || kind >= MF_EXTRACT__MAX ||
	    (s = normalise(text)) == NULL || (l = strdup(s)) == NULL)
		goto done;
	for (i = 0; l[i]; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	for (i = 0; s[i]; i++) {
		struct number num, second;
		const struct unit *u = NULL;
		const char *basis;
		bool upper;
		size_t r;
		enum unit_match m;
		double amount, b;

		if (!number_starts(s, i))
			continue;
		parse_number(s, l, i, &num);
		basis = qualifier(l, num.start, &upper);
		r = range_follows(s, l, num.end);
		if (r != 0) {
			parse_number(s, l, r, &second);
			m = match_unit(l, second.end, kind, &u);
			if (m == U_FOUND || m == U_VAGUE)
				ambiguous = true;
			i = second.end - 1;
			continue;
		}
		i = num.end - 1;
		if (looks_like_year(l, &num))
			continue;
		m = match_unit(l, num.end, kind, &u);
		if (m == U_VAGUE && num.v > 0)
			ambiguous = true;
		if (m != U_FOUND)
			continue;
		amount = num.v * u->factor;
		if (upper || (amount <= 0 && kind != MF_EXTRACT_EMISSIONS)) {
			ambiguous = true;
			continue;
		}
		b = amount * u->base;
		for (k = 0; k < n; k++)
			if (fabs(base[k] - b) <= 1e-9 * fmax(fabs(b), 1e-300) &&
			    strcmp(found[k].unit, u->unit) == 0)
				break;
		if (k < n) {
			if (found[k].basis == NULL)
				found[k].basis = basis;
			continue;
		}
		if (n == MAX_VALUES) {
			ambiguous = true;
			continue;
		}
		found[n].amount = amount;
		found[n].unit = u->unit;
		found[n].basis = basis;
		base[n++] = b;
	}
	/* "17B (activated) 109B (total)": which one is the model's size? */
	if (kind == MF_EXTRACT_PARAMETERS && n > 0 &&
	    (strstr(l, "activ") != NULL || strstr(l, "expert") != NULL))
		ambiguous = true;
	if (ambiguous || n > 1)
		res = MF_EXTRACT_AMBIGUOUS;
	else if (n == 1) {
		*out = found[0];
		res = MF_EXTRACT_ONE;
	}
done:
	free(s);
	free(l);
	return res;
}

/* ------------------------------------------------------------------ */
/* Hardware                                                            */

static const char *const accelerators[] = {
    "a100",      "h100",   "h200",   "h800", "h20",  "b200",
    "b100",      "gb200",  "v100",   "a800", "l40s", "a10g",
    "mi300x",    "mi250x", "mi325x", "tpu",  "tpus", "trainium",
    "trainium2", "gaudi2", "gaudi3", NULL};
static const char *const vendors[] = {"nvidia", "google", "google's", "amd",
                                      "intel",  "aws",    NULL};

/* The word before position i: [*start, end), end returned; a number's
 * thousands separators ("2,048") are part of it. */
static size_t
word_before(const char *l, size_t i, size_t *start)
{
	size_t q = i, p;

	while (q > 0 && l[q - 1] == ' ')
		q--;
	for (p = q; p > 0 &&
	            (word_char(l, p - 1) || (l[p - 1] == ',' && p >= 2 &&
	                                     isdigit((unsigned char)l[p - 2]) &&
	                                     isdigit((unsigned char)l[p])));
	     p--)
		;
	*start = p;
	return q;
}

/* The accelerator's key (lowercase, no plural, no "-80GB") into key. */
static bool
accelerator_key(const char *l, size_t a, size_t b, char *key, size_t n)
{
	size_t k, len = b - a;

	if (len >= n)
		return false;
	memcpy(key, l + a, len);
	key[len] = '\0';
	if (strchr(key, '-') != NULL)
		*strchr(key, '-') = '\0';
	len = strlen(key);
	/* "H100s": a plural after a digit */
	if (len > 1 && key[len - 1] == 's' &&
	    isdigit((unsigned char)key[len - 2]))
		key[--len] = '\0';
	/* "TPUv5p", "TPUv4": the TPU family with its version */
	if (strncmp(key, "tpu", 3) == 0 && key[3] == 'v')
		return true;
	for (k = 0; accelerators[k] != NULL; k++)
		if (strcmp(key, accelerators[k]) == 0)
			return true;
	return false;
}

enum mf_extract_result
mf_extract_hardware(const char *text, char *type, size_t n, long *count)
{
	char keys[MAX_VALUES][32], *s = NULL, *l = NULL;
	size_t n_keys = 0, i, k;
	long the_count = -1;
	bool counts_differ = false;
	enum mf_extract_result res = MF_EXTRACT_NONE;

	*count = -1;
	if (text == NULL || n == 0 || (s = normalise(text)) == NULL ||
	    (l = strdup(s)) == NULL)
		goto done;
	for (i = 0; l[i]; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	for (i = 0; l[i];) {
		size_t a, b, w = i, va = 0, ta, tb, p, q;
		char key[32];
		bool hours = false;
		struct number num;

		if (!next_word(l, &w, &a, &b)) {
			i++;
			continue;
		}
		i = w;
		if (!accelerator_key(l, a, b, key, sizeof(key)))
			continue;
		ta = a;
		tb = b;
		/* "TPU v4": the version as a word of its own */
		p = b;
		if ((strcmp(key, "tpu") == 0 || strcmp(key, "tpus") == 0) &&
		    next_word(l, &p, &a, &b) && l[a] == 'v' &&
		    isdigit((unsigned char)l[a + 1]) && b - a < 8) {
			snprintf(key, sizeof(key), "tpu%.*s", (int)(b - a),
			         l + a);
			tb = b;
			i = p;
		} else if (strcmp(key, "tpus") == 0) {
			key[3] = '\0';
		}
		/* "H800 GPU hours": hours, not a number of chips */
		p = tb;
		if (next_word(l, &p, &a, &b) &&
		    (word_is(l, a, b, "gpu-hours") ||
		     word_is(l, a, b, "hours") ||
		     ((word_is(l, a, b, "gpu") || word_is(l, a, b, "tpu")) &&
		      next_word(l, &p, &a, &b) &&
		      (word_is(l, a, b, "hours") || word_is(l, a, b, "hrs")))))
			hours = true;
		/* a vendor word just before belongs to the name */
		q = word_before(l, ta, &p);
		if (p < q && word_in(l, p, q, vendors)) {
			va = p;
			q = word_before(l, p, &p);
		} else {
			va = ta;
		}
		for (k = 0; k < n_keys; k++)
			if (strcmp(keys[k], key) == 0)
				break;
		if (k == n_keys) {
			if (n_keys == MAX_VALUES)
				continue;
			snprintf(keys[n_keys++], sizeof(keys[0]), "%s", key);
			if (n_keys == 1) {
				size_t len = tb - va;

				/* as written, without a plural "s" */
				if (len > 1 && s[tb - 1] == 's' &&
				    isdigit((unsigned char)s[tb - 2]))
					len--;
				if (len >= n)
					len = n - 1;
				memcpy(type, s + va, len);
				type[len] = '\0';
			}
		}
		/* the count: a plain integer right before the name */
		if (hours || p >= q || !number_starts(s, p) ||
		    (parse_number(s, l, p, &num), num.end != q) ||
		    !num.plain_int || num.v < 1 || looks_like_year(l, &num))
			continue;
		{
			bool upper;

			(void)qualifier(l, num.start, &upper);
			if (upper)
				continue;
		}
		if (the_count < 0)
			the_count = (long)num.v;
		else if (the_count != (long)num.v)
			counts_differ = true;
	}
	if (n_keys > 1) {
		res = MF_EXTRACT_AMBIGUOUS;
	} else if (n_keys == 1) {
		*count = counts_differ ? -1 : the_count;
		res = MF_EXTRACT_ONE;
	}
done:
	free(s);
	free(l);
	return res;
}

/* ------------------------------------------------------------------ */
/* Architecture, license, date                                         */

static bool
has_word(const char *l, const char *w)
{
	const char *p = l;
	size_t n = strlen(w);

	while ((p = strstr(p, w)) != NULL) {
		if ((p == l || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return true;
		p++;
	}
	return false;
}

enum mf_extract_result
mf_extract_architecture(const char *text, const char **type)
{
	static const struct {
		const char *phrase, *type;
	} phrases[] = {
	    {"mixture-of-experts", "mixture_of_experts_transformer"},
	    {"mixture of experts", "mixture_of_experts_transformer"},
	    {"moe", "mixture_of_experts_transformer"},
	    {"decoder-only", "decoder_only_transformer"},
	    {"decoder only", "decoder_only_transformer"},
	    {"encoder-decoder", "encoder_decoder_transformer"},
	    {"encoder-only", "encoder_only_transformer"},
	    {"diffusion", "diffusion"},
	    {"state space", "state_space"},
	    {"state-space", "state_space"},
	    {"mamba", "state_space"},
	    {"mamba2", "state_space"},
	};
	const char *seen = NULL;
	char *l;
	size_t i;
	enum mf_extract_result res = MF_EXTRACT_NONE;

	if (text == NULL || (l = normalise(text)) == NULL)
		return MF_EXTRACT_NONE;
	for (i = 0; l[i]; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
		if (!has_word(l, phrases[i].phrase))
			continue;
		if (seen != NULL && strcmp(seen, phrases[i].type) != 0)
			res = MF_EXTRACT_AMBIGUOUS;
		else if (res == MF_EXTRACT_NONE)
			res = MF_EXTRACT_ONE;
		seen = phrases[i].type;
	}
	if (res == MF_EXTRACT_ONE)
		*type = seen;
	free(l);
	return res;
}

enum mf_extract_result
mf_extract_license(const char *text, const char **spdx)
{
	static const struct {
		const char *phrase, *spdx;
	} licenses[] = {
	    {"apache 2.0", "Apache-2.0"},
	    {"apache-2.0", "Apache-2.0"},
	    {"apache license 2.0", "Apache-2.0"},
	    {"apache license, version 2.0", "Apache-2.0"},
	    {"apache license version 2.0", "Apache-2.0"},
	    {"mit license", "MIT"},
	    {"cc by 4.0", "CC-BY-4.0"},
	    {"cc-by-4.0", "CC-BY-4.0"},
	    {"cc by-nc 4.0", "CC-BY-NC-4.0"},
	    {"cc-by-nc-4.0", "CC-BY-NC-4.0"},
	    {"cc by-sa 4.0", "CC-BY-SA-4.0"},
	    {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
	    {"bsd-3-clause", "BSD-3-Clause"},
	    {"bsd 3-clause", "BSD-3-Clause"},
	    {"bigscience openrail-m", "BigScience-OpenRAIL-M"},
	    {"bigscience rail license", "BigScience-OpenRAIL-M"},
	    {"creativeml openrail-m", "CreativeML-OpenRAIL-M"},
	};
	const char *seen = NULL;
	char *l;
	size_t i;
	enum mf_extract_result res = MF_EXTRACT_NONE;

	if (text == NULL || (l = normalise(text)) == NULL)
		return MF_EXTRACT_NONE;
	for (i = 0; l[i]; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	for (i = 0; i < sizeof(licenses) / sizeof(licenses[0]); i++) {
		if (!has_word(l, licenses[i].phrase))
			continue;
		if (seen != NULL && strcmp(seen, licenses[i].spdx) != 0)
			res = MF_EXTRACT_AMBIGUOUS;
		else if (res == MF_EXTRACT_NONE)
			res = MF_EXTRACT_ONE;
		seen = licenses[i].spdx;
	}
	if (res == MF_EXTRACT_ONE)
		*spdx = seen;
	free(l);
	return res;
}

static const char *const months[] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

static bool
valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
	                            31, 31, 30, 31, 30, 31};

	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return false;
	return m != 2 || d < 29 ||
	       (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* Month name at l+i (whole word): 1-12, else 0; *end after it. */
static int
month_at(const char *l, size_t i, size_t *end)
{
	size_t k, n;

	if (i > 0 && isalpha((unsigned char)l[i - 1]))
		return 0;
	for (k = 0; k < 12; k++) {
		n = strlen(months[k]);
		if (strncmp(l + i, months[k], n) == 0 &&
		    !isalpha((unsigned char)l[i + n])) {
			*end = i + n;
			return (int)k + 1;
		}
	}
	return 0;
}

static int
digits_at(const char *l, size_t i, size_t min, size_t max, size_t *end)
{
	size_t j = i;
	int v = 0;

	while (isdigit((unsigned char)l[j]) && j - i < max)
		v = v * 10 + (l[j++] - '0');
	if (j - i < min || isdigit((unsigned char)l[j]))
		return -1;
	*end = j;
	return v;
}

enum mf_extract_result
mf_extract_date(const char *text, char out[11])
{
	char *l, first[11] = "";
	size_t i, e, e2;
	int y, m, d, found = 0;
	bool differ = false;

	if (text == NULL || (l = normalise(text)) == NULL)
		return MF_EXTRACT_NONE;
	for (i = 0; l[i]; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	for (i = 0; l[i]; i++) {
		char buf[11];

		y = m = d = -1;
		if ((i == 0 || !isalnum((unsigned char)l[i - 1])) &&
		    (y = digits_at(l, i, 4, 4, &e)) >= 0 && l[e] == '-' &&
		    (m = digits_at(l, e + 1, 2, 2, &e)) >= 0 && l[e] == '-' &&
		    (d = digits_at(l, e + 1, 2, 2, &e)) >= 0) {
			/* 2024-03-12 */
		} else if ((m = month_at(l, i, &e)) > 0 && l[e] == ' ' &&
		           (d = digits_at(l, e + 1, 1, 2, &e)) > 0) {
			/* March 12, 2024 / March 12th 2024 */
			if (strncmp(l + e, "st", 2) == 0 ||
			    strncmp(l + e, "nd", 2) == 0 ||
			    strncmp(l + e, "rd", 2) == 0 ||
			    strncmp(l + e, "th", 2) == 0)
				e += 2;
			if (l[e] == ',')
				e++;
			if (l[e] != ' ' ||
			    (y = digits_at(l, e + 1, 4, 4, &e)) < 0)
				continue;
		} else if ((i == 0 || !isalnum((unsigned char)l[i - 1])) &&
		           (d = digits_at(l, i, 1, 2, &e)) > 0 && l[e] == ' ' &&
		           (m = month_at(l, e + 1, &e2)) > 0 && l[e2] == ' ' &&
		           (y = digits_at(l, e2 + 1, 4, 4, &e)) >= 0) {
			/* 12 March 2024 */
		} else {
			continue;
		}
		if (!valid_date(y, m, d))
			continue;
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y % 10000, m % 100,
		         d % 100);
		if (found++ == 0)
			memcpy(first, buf, sizeof(first));
		else if (strcmp(first, buf) != 0)
			differ = true;
		i = e - 1;
	}
	free(l);
	if (found == 0)
		return MF_EXTRACT_NONE;
	if (differ)
		return MF_EXTRACT_AMBIGUOUS;
	memcpy(out, first, sizeof(first));
	return MF_EXTRACT_ONE;
}

/* ------------------------------------------------------------------ */

int
mf_extract_says_undisclosed(const char *text)
{
	static const char *const phrases[] = {"not disclosed",
	                                      "not been disclosed",
	                                      "not publicly disclosed",
	                                      "not specifically disclosed",
	                                      "not disclose",
	                                      "not publicly disclose",
	                                      "don't disclose",
	                                      "no information",
	                                      "no public information",
	                                      "information is proprietary",
	                                      "is not public",
	                                      "undisclosed",
	                                      "not provided",
	                                      "not publicly shared",
	                                      "not shared publicly",
	                                      "we do not share",
	                                      "not publicly available",
	                                      "no disclosure",
	                                      NULL};
	static const char *const alone[] = {
	    "",        "no",      "none", "n/a", "na", "-", "not applicable",
	    "nothing", "unknown", NULL};
	char *l;
	size_t i, n, k;
	int res = 0;

	if (text == NULL || (l = normalise(text)) == NULL)
		return 1;
	for (i = 0; l[i]; i++)
		l[i] = (char)tolower((unsigned char)l[i]);
	/* the whole answer, trimmed of spaces and a final full stop */
	for (i = 0; l[i] == ' '; i++)
		;
	n = strlen(l + i);
	while (n > 0 && (l[i + n - 1] == ' ' || l[i + n - 1] == '.'))
		n--;
	for (k = 0; alone[k] != NULL; k++)
		if (strlen(alone[k]) == n && strncmp(l + i, alone[k], n) == 0)
			res = 1;
	/* the first sentence */
	for (n = i; l[n] && n - i < 400; n++)
		if (l[n] == '.' && (l[n + 1] == ' ' || l[n + 1] == '\0'))
			break;
	l[n] = '\0';
	for (k = 0; res == 0 && phrases[k] != NULL; k++)
		if (strstr(l + i, phrases[k]) != NULL)
			res = 1;
	free(l);
	return res;
}
