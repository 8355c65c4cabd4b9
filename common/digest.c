/* SHA-256 via OpenSSL's one-shot function (see digest.h). */
#include "common/digest.h"
#include "common/encoding.h"

#include <openssl/sha.h>

void
mf_sha256(uint8_t out[MF_SHA256_LEN], const void *data, size_t len)
{
	SHA256(data, len, out);
}

void
mf_sha256_hex(char out[MF_SHA256_HEX_LEN + 1], const void *data, size_t len)
{
	uint8_t d[MF_SHA256_LEN];

	mf_sha256(d, data, len);
	mf_hex_encode(out, d, sizeof(d));
}
