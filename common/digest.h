/* SHA-256 helpers on OpenSSL, used for payload digests, key ids and the log. */
#ifndef MF_DIGEST_H
#define MF_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define MF_SHA256_LEN     32
#define MF_SHA256_HEX_LEN 64

void mf_sha256(uint8_t out[MF_SHA256_LEN], const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into out[65]. */
void mf_sha256_hex(char out[MF_SHA256_HEX_LEN + 1], const void *data,
                   size_t len);

#endif
