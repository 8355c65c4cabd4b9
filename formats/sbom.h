/*
 * What the CycloneDX and SPDX writers share: reading facts out of the
 * label.json tree and the disclosure, a deterministic identifier, the
 * registry's timestamps in the one form both formats accept, and a small
 * tree builder whose errors are sticky, so each writer reads as a plain
 * list of the fields it maps.
 *
 * Nothing here does I/O or reads a clock. Every json_t returned by a
 * reader is borrowed from the tree it was read from.
 */
#ifndef MF_FORMATS_SBOM_H
#define MF_FORMATS_SBOM_H

#include "common/buf.h"
#include "common/error.h"
#include "labels/label.h"

#include <jansson.h>
#include <stdbool.h>

/* A tree under construction: the first failure sticks in rc (MF_E_NOMEM)
 * and every later call is a no-op, so the writer checks once at the end. */
struct mf_sbom_builder {
	int rc;
};

/* Marks the build failed (out of memory) unless it already has. */
static inline void
mf_sbom_fail(struct mf_sbom_builder *b)
{
	if (b->rc == 0)
		b->rc = MF_E_NOMEM;
}

/* a, or b when a is NULL. */
static inline const char *
mf_sbom_or(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

/* Sets key of obj to v (stolen). v NULL, or obj NULL, fails the build
 * unless the build has already failed. Returns v (borrowed) or NULL. */
json_t *mf_sbom_set(struct mf_sbom_builder *b, json_t *obj, const char *key,
                    json_t *v);
/* Appends v (stolen) to arr; same rules. */
json_t *mf_sbom_push(struct mf_sbom_builder *b, json_t *arr, json_t *v);
/* mf_sbom_set with a copy of s; s NULL or "" sets nothing. */
void mf_sbom_set_str(struct mf_sbom_builder *b, json_t *obj, const char *key,
                     const char *s);
/* A new string "<a><b>" (a and b may be NULL, read as ""); NULL when out of
 * memory. */
json_t *mf_sbom_cat(const char *a, const char *b);

/*
 * The value of a label.json fact (label[section][key]) when its status is
 * "disclosed", else NULL. status_out (may be NULL) gets the fact's status
 * ("not_disclosed" when the fact is absent).
 */
const json_t *mf_sbom_fact(const json_t *label, const char *section,
                           const char *key, const char **status_out);
/* The fact object itself (status, explanation, ...), or NULL. */
const json_t *mf_sbom_fact_object(const json_t *label, const char *section,
                                  const char *key);

/*
 * A field of the disclosure that the label tree does not carry (data
 * sources, training details, limitations), by JSON pointer, resolved
 * through status wrappers as labels/facts.c does: the value when it is
 * disclosed (inside any disclosed wrapper), NULL when it is withheld,
 * unknown, not applicable, absent or under a section that is.
 */
const json_t *mf_sbom_disclosed(const json_t *disclosure, const char *pointer);

/* The exact text of a number: whole numbers below 1e16 in full
 * ("13200000000"), others as the label writes them ("0.341", "1.6e23");
 * dst holds MF_SBOM_NUM_MAX bytes. */
#define MF_SBOM_NUM_MAX 48
void mf_sbom_num(char *dst, double x);
/* The same as an xsd:decimal lexical form: never an exponent
 * ("540000", "2500.5", "0.0000036"). */
void mf_sbom_decimal(char *dst, double x);

/*
 * A quantity {"amount", "unit"} of energy in kWh: kWh, MWh, GWh, or the
 * joule units; false when it has no amount or an unknown unit.
 */
bool mf_sbom_energy_kwh(const json_t *qty, double *kwh);
/* Emissions in tonnes of CO2 equivalent (tCO2e, kgCO2e). */
bool mf_sbom_emissions_t(const json_t *qty, double *tonnes);

/*
 * An RFC 4122 version-5-shaped UUID (lowercase, 36 characters) from the
 * SHA-256 of "<salt>\n<text>": the same version gives the same serial
 * number, a different format a different one.
 */
void mf_sbom_uuid(char out[37], const char *salt, const char *text);

/*
 * A timestamp in the form "YYYY-MM-DDThh:mm:ssZ" (what SPDX's DateTime
 * requires and CycloneDX accepts): an RFC 3339 time in UTC loses its
 * fraction of a second, a date becomes its midnight. false (out empty)
 * for anything else.
 */
bool mf_sbom_datetime(char out[21], const char *rfc3339);

/*
 * Serialises a finished tree with the label's deterministic writer
 * (sorted keys, exact numbers, HTML-safe strings) and appends it to out;
 * on failure out is left as it was.
 */
int mf_sbom_write(struct mf_buf *out, const json_t *doc);

#endif
