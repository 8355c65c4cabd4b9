/*
 * A small open-addressing table of parsed keys (see keycache.h). Parsing
 * PEM costs tens of microseconds; a lookup under a mutex costs far less.
 */
#include "ingest/keycache.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define SLOTS  16384
#define PROBES 32 /* beyond this, keys are parsed per request */

struct slot {
	char keyid[MF_KEYID_HEX_LEN + 1];
	struct mf_key *key;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t
slot_of(const char *keyid)
{
	uint32_t h = 2166136261u;

	for (; *keyid; keyid++)
		h = (h ^ (unsigned char)*keyid) * 16777619u;
	return h % SLOTS;
}

int
mf_keycache_get(const struct mf_key **out, int *owned, const char *keyid,
                const char *alg, const char *public_key, struct mf_error *err)
{
	struct mf_key *key = NULL;
	enum mf_key_alg want;
	size_t i, probe;
	int rc;

	*out = NULL;
	*owned = 0;
	if (strlen(keyid) != MF_KEYID_HEX_LEN ||
	    mf_key_alg_from_name(&want, alg) != 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "bad key record");
	pthread_mutex_lock(&lock);
	for (probe = 0, i = slot_of(keyid); probe < PROBES;
	     probe++, i = (i + 1) % SLOTS) {
		if (slots[i].key == NULL)
			break;
		if (strcmp(slots[i].keyid, keyid) == 0 &&
		    mf_key_alg(slots[i].key) == want) {
			*out = slots[i].key;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (*out != NULL)
		return 0;

	rc = mf_key_parse_public(&key, public_key, strlen(public_key), err);
	if (rc != 0)
		return rc;
	if (mf_key_alg(key) != want && mf_key_set_alg(key, want) != 0) {
		mf_key_free(key);
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "key algorithm mismatch");
	}
	pthread_mutex_lock(&lock);
	for (probe = 0, i = slot_of(keyid); probe < PROBES;
	     probe++, i = (i + 1) % SLOTS) {
		if (slots[i].key == NULL) {
			memcpy(slots[i].keyid, keyid, MF_KEYID_HEX_LEN + 1);
			slots[i].key = key;
			*out = key;
			break;
		}
		if (strcmp(slots[i].keyid, keyid) == 0 &&
		    mf_key_alg(slots[i].key) == want) {
			*out = slots[i].key; /* parsed meanwhile */
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (*out == NULL) { /* no room: the caller owns this one */
		*out = key;
		*owned = 1;
	} else if (*out != key) {
		mf_key_free(key);
	}
	return 0;
}

void
mf_keycache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < SLOTS; i++) {
		mf_key_free(slots[i].key);
		slots[i].key = NULL;
	}
	pthread_mutex_unlock(&lock);
}
