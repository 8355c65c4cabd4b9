/*
 * Facts read out of free text (the FMTI transparency reports), only where
 * the text states them unambiguously: a quantity with its unit (tokens,
 * parameters, FLOP, MWh, tCO2e, GPU-hours, days), an accelerator type and
 * count, an architecture type, a license, a date. Nothing is guessed:
 * two different figures, a range ("1-2T tokens"), an upper bound ("up
 * to"), a rate ("FLOPs/GPU-hour") or a number inside a name
 * ("Granite-3-8B") give no value. Pure: no I/O; a copy of the text is
 * normalised on the heap (and nothing is found when that fails).
 */
#ifndef MF_EXTRACT_H
#define MF_EXTRACT_H

#include <stddef.h>

enum mf_extract_result {
	MF_EXTRACT_NONE = 0,      /* the text states no such fact */
	MF_EXTRACT_ONE = 1,       /* exactly one value: *out is set */
	MF_EXTRACT_AMBIGUOUS = 2, /* several values, a range or a bound */
};

enum mf_extract_kind {
	MF_EXTRACT_DATA,       /* tokens, words, documents, images, bytes... */
	MF_EXTRACT_PARAMETERS, /* parameters */
	MF_EXTRACT_FLOP,       /* FLOP (total, not per second or per hour) */
	MF_EXTRACT_ENERGY,     /* kWh, MWh, GWh */
	MF_EXTRACT_EMISSIONS,  /* kgCO2e, tCO2e */
	MF_EXTRACT_ACC_HOURS,  /* GPU-hours, TPU-hours: unit "hours" */
	MF_EXTRACT_DURATION,   /* wall-clock hours, days (weeks as days) */
	MF_EXTRACT__MAX
};

/* A quantity as the schema spells it. unit and basis are static. */
struct mf_extract_qty {
	double amount;
	const char *unit;  /* "tokens", "MWh", "tCO2e", "hours"... */
	const char *basis; /* NULL, "estimated" or "lower_bound" */
};

/* The one quantity of this kind the text states. */
enum mf_extract_result mf_extract_quantity(const char *text,
                                           enum mf_extract_kind kind,
                                           struct mf_extract_qty *out);

/*
 * The accelerator the text names ("NVIDIA H100", "TPUv5p"): *type gets
 * its name as written (at most n-1 bytes), *count the number of them when
 * exactly one count is stated for it, else -1.
 */
enum mf_extract_result mf_extract_hardware(const char *text, char *type,
                                           size_t n, long *count);

/* The architecture type the text names, as the schema's enum word. */
enum mf_extract_result mf_extract_architecture(const char *text,
                                               const char **type);

/* The SPDX identifier of the one license the text names. */
enum mf_extract_result mf_extract_license(const char *text, const char **spdx);

/* A full calendar date (2024-03-12, March 12, 2024, 12 March 2024) as
 * YYYY-MM-DD in out[11]; a month alone ("March 2024") is not a date. */
enum mf_extract_result mf_extract_date(const char *text, char out[11]);

/*
 * Whether an answer says the fact is not disclosed ("Not disclosed",
 * "No information provided about...", "We do not disclose this"): its
 * first sentence says so, or it says nothing at all.
 */
int mf_extract_says_undisclosed(const char *text);

#endif
