/*
 * SSH signatures (OpenSSH PROTOCOL.sshsig), as made by
 * `ssh-keygen -Y sign -n NAMESPACE`, for Ed25519 keys: parsing and
 * verifying SSHSIG blobs, signing, and the armored text form
 * ("-----BEGIN SSH SIGNATURE-----", base64 in 70-column lines).
 *
 * The registry accepts SSHSIG over DSSE PAE bytes with namespace
 * "modelfacts", and signs its git commits with namespace "git".
 */
#ifndef MF_SSHSIG_H
#define MF_SSHSIG_H

#include "common/error.h"
#include "envelope/keys.h"

#include <stddef.h>
#include <stdint.h>

#define MF_SSHSIG_NAMESPACE     "modelfacts"
#define MF_SSHSIG_GIT_NAMESPACE "git"
#define MF_SSHSIG_LINE_LEN      70

/*
 * Verifies an SSHSIG blob over msg: magic "SSHSIG", version 1, the embedded
 * public key must be the registered Ed25519 key, the namespace must equal
 * `ns`, hash sha256 or sha512, and the Ed25519 signature must verify over
 * the signed-data structure. Returns 0, MF_E_BAD_SIGNATURE (malformed or
 * not verifying; the message says which) or MF_E_NOMEM.
 */
int mf_sshsig_verify(const struct mf_key *key, const char *ns,
                     const uint8_t *msg, size_t msg_len, const uint8_t *blob,
                     size_t blob_len, struct mf_error *err);

/*
 * Signs msg with an Ed25519 private key (hash sha512, as ssh-keygen does)
 * into a new SSHSIG blob (*out, free() it).
 */
int mf_sshsig_sign(uint8_t **out, size_t *out_len, const struct mf_key *key,
                   const char *ns, const uint8_t *msg, size_t msg_len,
                   struct mf_error *err);

/* The armored text exactly as ssh-keygen writes it, ending in "\n". */
int mf_sshsig_armor(char **out, const uint8_t *blob, size_t blob_len);
/* Strips the armor and decodes the base64 lines into a new blob. */
int mf_sshsig_dearmor(uint8_t **out, size_t *out_len, const char *text,
                      size_t len, struct mf_error *err);

#endif
