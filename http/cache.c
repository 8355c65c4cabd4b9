/*
 * Reference-counted blobs and an LRU cache (see cache.h): a chained hash
 * table for lookup and a doubly linked list for recency, under one mutex;
 * the critical sections are a few pointer moves.
 */
#include "http/cache.h"
#include "common/digest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096

struct entry {
	char *key;
	struct mf_blob *blob;
	struct entry *next_in_bucket;
	struct entry *prev, *next; /* recency: head is the newest */
};

struct mf_cache {
	pthread_mutex_t lock;
	struct entry *buckets[BUCKETS];
	struct entry *head, *tail;
	size_t bytes, max_bytes;
};

struct mf_blob *
mf_blob_new(const void *data, size_t len, const char *content_type)
{
	struct mf_blob *b = malloc(sizeof(*b) + len + 1);
	char hex[MF_SHA256_HEX_LEN + 1];

	if (b == NULL)
		return NULL;
	b->len = len;
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	mf_sha256_hex(hex, data, len);
	snprintf(b->etag, sizeof(b->etag), "\"%s\"", hex);
	snprintf(b->content_type, sizeof(b->content_type), "%s", content_type);
	atomic_init((_Atomic int *)&b->refs, 1);
	return b;
}

struct mf_blob *
mf_blob_ref(struct mf_blob *b)
{
	atomic_fetch_add((_Atomic int *)&b->refs, 1);
	return b;
}

void
mf_blob_unref(struct mf_blob *b)
{
	if (b != NULL && atomic_fetch_sub((_Atomic int *)&b->refs, 1) == 1)
		free(b);
}

static size_t
bucket_of(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % BUCKETS;
}

struct mf_cache *
mf_cache_new(size_t max_bytes)
{
	struct mf_cache *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		pthread_mutex_init(&c->lock, NULL);
		c->max_bytes = max_bytes;
	}
	return c;
}

static void
unlink_recency(struct mf_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
push_front(struct mf_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void
remove_entry(struct mf_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[bucket_of(e->key)];

	while (*pp != e)
		pp = &(*pp)->next_in_bucket;
	*pp = e->next_in_bucket;
	unlink_recency(c, e);
	c->bytes -= e->blob->len;
	mf_blob_unref(e->blob);
	free(e->key);
	free(e);
}

struct mf_blob *
mf_cache_get(struct mf_cache *c, const char *key)
{
	struct mf_blob *b = NULL;
	struct entry *e;

	pthread_mutex_lock(&c->lock);
	for (e = c->buckets[bucket_of(key)]; e; e = e->next_in_bucket)
		if (strcmp(e->key, key) == 0) {
			unlink_recency(c, e);
			push_front(c, e);
			b = mf_blob_ref(e->blob);
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return b;
}

void
mf_cache_put(struct mf_cache *c, const char *key, struct mf_blob *b)
{
	struct entry *e;
	size_t k;

	if (b->len > c->max_bytes || (e = calloc(1, sizeof(*e))) == NULL)
		return;
	if ((e->key = strdup(key)) == NULL) {
		free(e);
		return;
	}
	e->blob = mf_blob_ref(b);
	k = bucket_of(key);
	pthread_mutex_lock(&c->lock);
	{
		struct entry *old;

		for (old = c->buckets[k]; old; old = old->next_in_bucket)
			if (strcmp(old->key, key) == 0) {
				remove_entry(c, old);
				break;
			}
	}
	e->next_in_bucket = c->buckets[k];
	c->buckets[k] = e;
	push_front(c, e);
	c->bytes += b->len;
	while (c->bytes > c->max_bytes && c->tail != NULL && c->tail != e)
		remove_entry(c, c->tail);
	pthread_mutex_unlock(&c->lock);
}

void
mf_cache_free(struct mf_cache *c)
{
	if (c == NULL)
		return;
	while (c->head != NULL)
		remove_entry(c, c->head);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
