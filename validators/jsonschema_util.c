/*
 * Small building blocks of the JSON Schema validator: the arena that holds
 * a compiled schema, string and pointer hash maps, and JSON Schema's own
 * notion of equality (1 == 1.0) with a matching hash.
 */
#include "validators/jsonschema_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

#define ARENA_BLOCK 16384

struct mf_js_arena_block {
	struct mf_js_arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *
mf_js_arena_alloc(struct mf_js_arena *a, size_t size)
{
	struct mf_js_arena_block *b = a->head;
	size_t cap;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (size == 0)
		size = 16;
	if (b == NULL || b->cap - b->used < size) {
		cap = size > ARENA_BLOCK / 2 ? size : ARENA_BLOCK;
		b = calloc(1, sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->cap = cap;
		if (size > ARENA_BLOCK / 2 && a->head != NULL) {
			/* A big block goes behind the current one so that
			 * the current block's free space stays usable. */
			b->next = a->head->next;
			a->head->next = b;
			b->used = size;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += size;
	return p;
}

char *
mf_js_arena_strndup(struct mf_js_arena *a, const char *s, size_t n)
{
	char *p = mf_js_arena_alloc(a, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
mf_js_arena_dispose(struct mf_js_arena *a)
{
	struct mf_js_arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

/* ---- string map ---- */

void
mf_js_map_init(struct mf_js_map *m, struct mf_js_arena *arena)
{
	memset(m, 0, sizeof(*m));
	m->arena = arena;
}

void
mf_js_map_dispose(struct mf_js_map *m)
{
	if (m->arena == NULL)
		free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}

static struct mf_js_map_slot *
map_find(const struct mf_js_map *m, const char *key, size_t len, uint32_t h)
{
	size_t i, mask = m->cap - 1;
	struct mf_js_map_slot *s;

	for (i = h & mask;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (s->key == NULL)
			return s;
		if (s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

static int
map_grow(struct mf_js_map *m)
{
	struct mf_js_map_slot *old = m->slots, *s;
	size_t oldcap = m->cap, i, cap = oldcap ? oldcap * 2 : 8;

	if (m->arena != NULL)
		m->slots = mf_js_arena_alloc(m->arena, cap * sizeof(*s));
	else
		m->slots = calloc(cap, sizeof(*s));
	if (m->slots == NULL) {
		m->slots = old;
		return MF_E_NOMEM;
	}
	m->cap = cap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		s = map_find(m, old[i].key, old[i].len, old[i].hash);
		*s = old[i];
	}
	if (m->arena == NULL)
		free(old);
	return 0;
}

int
mf_js_map_put(struct mf_js_map *m, const char *key, size_t len, void *value)
{
	struct mf_js_map_slot *s;
	uint32_t h = mf_js_hash(key, len);

	/* Keep the load factor at or below one half. */
	if ((m->count + 1) * 2 > m->cap && map_grow(m) != 0)
		return MF_E_NOMEM;
	s = map_find(m, key, len, h);
	if (s->key == NULL) {
		s->key = key;
		s->len = len;
		s->hash = h;
		m->count++;
	}
	s->value = value;
	return 0;
}

/* ---- pointer map ---- */

static size_t
ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t
pmap_slot(const struct mf_js_pmap *m, const void *key)
{
	size_t i, mask = m->cap - 1;

	for (i = ptr_hash(key) & mask;; i = (i + 1) & mask)
		if (m->slots[i].key == NULL || m->slots[i].key == key)
			return i;
}

int
mf_js_pmap_put(struct mf_js_pmap *m, const void *key, void *value)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap) {
		struct mf_js_pmap bigger = {NULL, m->cap ? m->cap * 2 : 16, 0};

		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (bigger.slots == NULL)
			return MF_E_NOMEM;
		for (i = 0; i < m->cap; i++) {
			if (m->slots[i].key != NULL) {
				size_t j = pmap_slot(&bigger, m->slots[i].key);

				bigger.slots[j] = m->slots[i];
				bigger.count++;
			}
		}
		free(m->slots);
		*m = bigger;
	}
	i = pmap_slot(m, key);
	if (m->slots[i].key == NULL)
		m->count++;
	m->slots[i].key = key;
	m->slots[i].value = value;
	return 0;
}

void *
mf_js_pmap_get(const struct mf_js_pmap *m, const void *key)
{
	if (m->cap == 0)
		return NULL;
	return m->slots[pmap_slot(m, key)].value;
}

void
mf_js_pmap_dispose(struct mf_js_pmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- JSON values ---- */

bool
mf_js_is_integral(const json_t *v)
{
	double d;

	if (json_is_integer(v))
		return true;
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	return isfinite(d) && floor(d) == d;
}

static bool
numbers_equal(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	/* long double holds every int64 exactly, so this is exact. */
	return (json_is_integer(a) ? (long double)json_integer_value(a)
	                           : (long double)json_real_value(a)) ==
	       (json_is_integer(b) ? (long double)json_integer_value(b)
	                           : (long double)json_real_value(b));
}

bool
mf_js_equal(const json_t *a, const json_t *b)
{
	size_t i, n;

	if (a == b)
		return true;
	if (json_is_number(a) && json_is_number(b))
		return numbers_equal(a, b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b),
		              json_string_length(a)) == 0;
	case JSON_ARRAY:
		n = json_array_size(a);
		if (n != json_array_size(b))
			return false;
		for (i = 0; i < n; i++)
			if (!mf_js_equal(json_array_get(a, i),
			                 json_array_get(b, i)))
				return false;
		return true;
	case JSON_OBJECT: {
		void *it;

		if (json_object_size(a) != json_object_size(b))
			return false;
		for (it = json_object_iter((json_t *)a); it != NULL;
		     it = json_object_iter_next((json_t *)a, it)) {
			const json_t *bv =
			    json_object_getn(b, json_object_iter_key(it),
			                     json_object_iter_key_len(it));

			if (bv == NULL ||
			    !mf_js_equal(json_object_iter_value(it), bv))
				return false;
		}
		return true;
	}
	default: /* null, true, false: equal types are equal values */
		return true;
	}
}

uint32_t
mf_js_value_hash(const json_t *v)
{
	uint32_t h;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return mf_js_hash(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
	case JSON_REAL: {
		double d = json_is_integer(v) ? (double)json_integer_value(v)
		                              : json_real_value(v);

		/* Equal numbers give equal doubles (an int64 rounds to
		 * one double), so hashing the double is consistent. */
		if (d == 0)
			d = 0; /* -0.0 */
		return mf_js_hash(&d, sizeof(d)) ^ 0x9e3779b9u;
	}
	case JSON_ARRAY:
		h = 0x12345u;
		n = json_array_size(v);
		for (i = 0; i < n; i++)
			h = h * 31u + mf_js_value_hash(json_array_get(v, i));
		return h;
	case JSON_OBJECT: {
		void *it;

		/* Order-independent: sum of the members' hashes. */
		h = 0x6789u;
		for (it = json_object_iter((json_t *)v); it != NULL;
		     it = json_object_iter_next((json_t *)v, it))
			h += mf_js_hash(json_object_iter_key(it),
			                json_object_iter_key_len(it)) *
			         7u +
			     mf_js_value_hash(json_object_iter_value(it));
		return h;
	}
	default:
		return (uint32_t)json_typeof(v) * 2654435761u;
	}
}

size_t
mf_js_utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	/* Every byte that is not a continuation byte starts a code point. */
	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}
