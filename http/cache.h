/*
 * Immutable bytes shared between requests: a reference-counted blob, and
 * a bounded LRU cache of blobs by key. A response holds its own reference,
 * so evicting an entry never frees bytes still being sent. Thread-safe.
 */
#ifndef MF_CACHE_H
#define MF_CACHE_H

#include <stddef.h>

struct mf_blob {
	size_t len;
	char etag[72]; /* "\"<sha256 hex>\"", quoted as HTTP wants */
	char content_type[64];
	int refs;    /* atomic; see mf_blob_ref */
	char data[]; /* len bytes and a NUL */
};

/* A new blob with one reference, its ETag the SHA-256 of the bytes. */
struct mf_blob *mf_blob_new(const void *data, size_t len,
                            const char *content_type);
struct mf_blob *mf_blob_ref(struct mf_blob *b);
/* Drops a reference; the last frees. NULL is fine. */
void mf_blob_unref(struct mf_blob *b);

struct mf_cache;

struct mf_cache *mf_cache_new(size_t max_bytes);
void mf_cache_free(struct mf_cache *c);
/* A new reference to the cached blob, or NULL. */
struct mf_blob *mf_cache_get(struct mf_cache *c, const char *key);
/* Caches b under key (the cache takes its own reference); evicts the
 * least recently used entries beyond max_bytes. */
void mf_cache_put(struct mf_cache *c, const char *key, struct mf_blob *b);

#endif
