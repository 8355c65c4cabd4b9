/*
 * Signature verification and signing with registered keys, over raw
 * messages and over DSSE envelopes (the PAE bytes).
 *
 * The algorithm always comes from the registered key, never from the
 * envelope: Ed25519 (pure), ECDSA P-256 with SHA-256 and strict DER
 * signatures, RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, and
 * for ssh-ed25519 keys an SSHSIG blob with the given namespace. See
 * envelope/README.md for the exact acceptance policy.
 */
#ifndef MF_VERIFY_H
#define MF_VERIFY_H

#include "common/error.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"

#include <stddef.h>
#include <stdint.h>

#define MF_RSA_PSS_SALT_LEN 32

/*
 * Verifies sig over msg with key. ssh_namespace is used for ssh-ed25519
 * keys (NULL: MF_SSHSIG_NAMESPACE). Returns 0, MF_E_BAD_SIGNATURE (with a
 * message saying why) or MF_E_NOMEM.
 */
int mf_verify_message(const struct mf_key *key, const uint8_t *msg,
                      size_t msg_len, const uint8_t *sig, size_t sig_len,
                      const char *ssh_namespace, struct mf_error *err);

/*
 * Signs msg with a private key in the format mf_verify_message expects
 * (an SSHSIG blob for ssh-ed25519 keys). *sig is new (free() it).
 */
int mf_sign_message(uint8_t **sig, size_t *sig_len, const struct mf_key *key,
                    const uint8_t *msg, size_t msg_len,
                    const char *ssh_namespace, struct mf_error *err);

/*
 * Verifies the envelope's signature number `index` over
 * PAE(payloadType, payload) with key.
 */
int mf_dsse_verify_sig(const struct mf_dsse *env, size_t index,
                       const struct mf_key *key, const char *ssh_namespace,
                       struct mf_error *err);

/*
 * Accepts the envelope if any of its signatures verifies with key. The
 * keyid is only a hint: signatures whose keyid names this key are tried
 * first, then the others. *which (may be NULL) gets the index of the
 * signature that verified. MF_E_BAD_SIGNATURE when none does; the message
 * is the first failure of a signature whose keyid names this key.
 */
int mf_dsse_verify(const struct mf_dsse *env, const struct mf_key *key,
                   const char *ssh_namespace, size_t *which,
                   struct mf_error *err);

/*
 * Signs payload into a new one-signature envelope (the JSON text, *out,
 * free() it) with keyid = mf_key_id(key).
 */
int mf_dsse_sign(char **out, const struct mf_key *key, const char *payload_type,
                 const uint8_t *payload, size_t payload_len,
                 const char *ssh_namespace, struct mf_error *err);

#endif
