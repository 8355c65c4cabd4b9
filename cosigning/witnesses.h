/*
 * Which witnesses the registry asks (--witnesses FILE): the `witness
 * NAME VKEY [URL]` lines of a C2SP tlog-policy file
 * (c2sp.org/tlog-policy), the same file clients use for their quorum.
 * This reader takes those lines only (log, group and quorum lines are the
 * clients' business and are skipped unread); a witness without a URL
 * cannot be asked and is skipped too. Whitespace, comments and character
 * set as the specification says. Pure: the caller reads the file.
 *
 * Merger's note: the full policy parser is merkle/policy.{c,h} (the
 * "policy" part of issue 17); this reader can become a call to it.
 */
#ifndef MF_COSIGNING_WITNESSES_H
#define MF_COSIGNING_WITNESSES_H

#include "common/error.h"

#include <stddef.h>

/* tlog-policy's recommended minimum support, and our maximum. */
#define MF_WITNESSES_MAX   32
#define MF_WITNESS_URL_MAX 1024

struct mf_witness_line {
	char *name; /* owned: the policy's name for it */
	char *vkey; /* owned: its verifier key (vkey, type 0x04) */
	char *url;  /* owned: its submission prefix, no trailing '/' */
};

struct mf_witness_list {
	struct mf_witness_line v[MF_WITNESSES_MAX];
	size_t n;
	size_t skipped; /* witness lines without a URL */
};

/*
 * Parses the policy text (len bytes). MF_E_BAD_PARAM, with the line
 * number in err, for a malformed witness line, a disallowed control
 * byte, a URL that is not http(s), a name given twice, or more than
 * MF_WITNESSES_MAX witnesses with URLs. On failure *out holds nothing.
 */
int mf_witnesses_parse(struct mf_witness_list *out, const char *text,
                       size_t len, struct mf_error *err);
void mf_witnesses_dispose(struct mf_witness_list *l);

#endif
