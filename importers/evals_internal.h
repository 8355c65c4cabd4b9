/*
 * What the three harness readers (evals_lmeval.c, evals_inspect.c,
 * evals_helm.c) share: the payload skeleton and the small conversions
 * (evals_import.c). Not for use outside importers/evals_*.
 */
#ifndef MF_EVALS_INTERNAL_H
#define MF_EVALS_INTERNAL_H

#include "importers/evals_import.h"

/* Largest harness file (and archive member) read: 64 MiB. */
#define MF_EVALS_MAX_BYTES (64u << 20)

/*
 * A new payload with the header (type, registry, subject, issued_at,
 * seq, assurance, model_version) and harness {name, version?, url};
 * opt->seq advances. NULL when out of memory.
 */
json_t *mf_evals_payload_new(struct mf_evals_options *opt, const char *harness,
                             const char *version, const char *url);

/*
 * Sets metric {name, scale, lower_is_better} and value. name is
 * sanitised to the schema's pattern. Returns 0 or MF_E_NOMEM.
 */
int mf_evals_set_metric(json_t *p, const char *name, const char *scale,
                        bool lower_is_better, double value);

/* Sets member key to a string (when s is non-NULL and non-empty),
 * trimmed to max bytes at a UTF-8 boundary. */
int mf_evals_set_str(json_t *obj, const char *key, const char *s, size_t max);

/* An id for benchmark.id: [A-Za-z0-9._/-], starting alphanumeric,
 * at most 128 bytes. */
void mf_evals_id(char *out, size_t size, const char *s);

/* The scale a metric name suggests: "fraction" for accuracies and
 * matches, "non_negative" (lower is better) for perplexities, else
 * "unbounded". *lower set for metrics where lower is better. */
const char *mf_evals_scale_of(const char *metric, bool *lower);

/* "YYYY-MM-DD" of a Unix time, or of an RFC 3339 text's date part
 * (out[0] = 0 when neither). */
void mf_evals_date_unix(char out[11], double t);
void mf_evals_date_text(char out[11], const char *s);

/* Parses the harness file's JSON (err names the file). */
json_t *mf_evals_parse(const char *name, const uint8_t *data, size_t len,
                       struct mf_error *err);

/* MF_E_VALIDATION naming the file and the pointer. */
int mf_evals_fail(struct mf_error *err, const char *file, const char *pointer,
                  const char *what);

/* The JSON pointer /a/b/c (NULL parts left out), escaped. */
void mf_evals_pointer(char *out, size_t size, const char *a, const char *b,
                      const char *c);

int mf_evals_lmeval(json_t *out, const struct mf_evals_input *in,
                    struct mf_evals_options *opt, struct mf_error *err);
int mf_evals_inspect(json_t *out, const struct mf_evals_input *in,
                     struct mf_evals_options *opt, struct mf_error *err);
int mf_evals_helm(json_t *out, const struct mf_evals_input *in,
                  struct mf_evals_options *opt, struct mf_error *err);

#endif
