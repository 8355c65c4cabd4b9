/*
 * Reading one member of a ZIP archive held in memory (Inspect's .eval
 * logs are ZIP archives of JSON): the central directory, then the member
 * stored or raw-deflated (zlib), every size bounded and the CRC-32
 * checked. No ZIP64, no encryption: Inspect writes neither for logs of
 * this size.
 */
#ifndef MF_EVALS_ZIP_H
#define MF_EVALS_ZIP_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>

/*
 * *out gets a new buffer (NUL-terminated, *out_len bytes without the NUL)
 * with the member called name, at most max bytes. MF_E_NOT_FOUND when
 * there is no such member; MF_E_BAD_REQUEST for a damaged or unsupported
 * archive; MF_E_TOO_LARGE beyond max. Messages name what (the file).
 */
int mf_zip_member(uint8_t **out, size_t *out_len, const uint8_t *zip,
                  size_t len, const char *name, size_t max, const char *what,
                  struct mf_error *err);

#endif
