/*
 * The registry's own signing keys, kept in the state directory with mode
 * 0600 and created on first start: log.key (a C2SP signed-note Ed25519
 * key that signs checkpoints) and commit.key (an Ed25519 key that signs
 * git commits as SSH signatures). Their public halves are recorded in
 * the database, so every server process and client agrees on them.
 */
#ifndef MF_REGISTRY_KEYS_H
#define MF_REGISTRY_KEYS_H

#include "common/error.h"
#include "envelope/keys.h"
#include "merkle/note.h"

struct mf_config;

struct mf_registry_keys {
	/* NULL when this process has no key file: it then serves and
	 * accepts, and another process sequences and publishes. */
	struct mf_note_signer *log_signer;
	struct mf_key *commit_key;
	char *log_verifier_key; /* "<origin>+<hash>+<key>" */
	char *commit_public;    /* "ssh-ed25519 AAAA... <comment>" */
};

/*
 * Loads the key files, creating them on the very first start. Refuses
 * (MF_E_BAD_KEY) a key file that does not match the public key the
 * database recorded: a registry's keys never change silently.
 */
int mf_registry_keys_load(struct mf_registry_keys *k,
                          const struct mf_config *cfg, struct mf_error *err);
void mf_registry_keys_dispose(struct mf_registry_keys *k);

/* The principal in allowed_signers and the committer's e-mail. */
#define MF_REGISTRY_PRINCIPAL "registry@modelfacts"

#endif
