/*
 * The log's leaf entry: a small line-based text record, hashed as an
 * RFC 9162 leaf. It names what was accepted without repeating it: the
 * payload's and the envelope's SHA-256 tie the entry to the signed bytes.
 *
 *   modelfacts-log-entry/v1
 *   origin <registry origin>
 *   kind <disclosure|eval-result|assessment|key-event>
 *   org <signer organisation>
 *   keyid <hex>              (one line per verifying key)
 *   seq <decimal>
 *   subject <org>[/<model>]
 *   payload-type <DSSE payloadType>
 *   payload-sha256 <hex>
 *   envelope-sha256 <hex>
 *   accepted-at <RFC 3339 UTC, microseconds>
 *
 * Every line ends in "\n"; no value contains a space or a newline.
 */
#ifndef MF_LOG_ENTRY_H
#define MF_LOG_ENTRY_H

#include "common/buf.h"

struct mf_log_entry {
	const char *origin;
	const char *kind;
	const char *org;
	const char *keyids; /* space-separated */
	const char *seq;
	const char *subject_org;
	const char *subject_model; /* "" for key events */
	const char *payload_type;
	const char *payload_sha256;
	const char *envelope_sha256;
	const char *accepted_at;
};

/*
 * Appends the entry text to b. MF_E_BAD_PARAM when a value is empty or
 * holds a space, newline or control character (it would be ambiguous).
 */
int mf_log_entry_format(struct mf_buf *b, const struct mf_log_entry *e);

/*
 * Finds the value of `key` in an entry text (the first line "key value");
 * copies it NUL-terminated into out. 0, or -1 when absent or too long.
 */
int mf_log_entry_get(const char *text, const char *key, char *out, size_t n);

#endif
