/*
 * Token buckets in a fixed-size table and the trusted-proxy address rule
 * (see ratelimit.h). The table never grows: a name hashes to a short run
 * of slots and, when every one is taken by another name, the one used
 * longest ago is forgotten, so a flood of new names costs memory once.
 */
#include "http/ratelimit.h"
#include "common/error.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PROBES 8

struct bucket {
	char name[MF_RATELIMIT_NAME_MAX];
	double tokens;
	int64_t last_ms;
	bool used;
};

struct mf_ratelimit {
	pthread_mutex_t lock;
	double per_ms;   /* tokens added per millisecond */
	double capacity; /* the burst */
	struct bucket *slots;
	size_t nslots;
};

int
mf_ratelimit_new(struct mf_ratelimit **out, unsigned long per_minute,
                 size_t max_names)
{
	struct mf_ratelimit *rl;
	int rc = 0;

	*out = NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return MF_E_NOMEM;
	rl->per_ms = (double)per_minute / 60000.0;
	rl->capacity = per_minute / 10 > 0 ? (double)(per_minute / 10) : 1.0;
	rl->nslots =
	    per_minute > 0 ? (max_names < PROBES ? PROBES : max_names) : 0;
	if (rl->nslots > 0 &&
	    (rl->slots = calloc(rl->nslots, sizeof(*rl->slots))) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	pthread_mutex_init(&rl->lock, NULL);
	*out = rl;
	rl = NULL;
done:
	free(rl);
	return rc;
}

void
mf_ratelimit_free(struct mf_ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slots);
	free(rl);
}

unsigned long
mf_ratelimit_share(unsigned long per_minute, unsigned long nodes)
{
	if (nodes <= 1 || per_minute == 0)
		return per_minute;
	return per_minute / nodes + (per_minute % nodes != 0);
}

bool
mf_ratelimit_enabled(const struct mf_ratelimit *rl)
{
	return rl != NULL && rl->nslots > 0;
}

static uint64_t
hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The bucket of name, refilled to now_ms; found, free or evicted. */
static struct bucket *
bucket_get(struct mf_ratelimit *rl, const char *name, int64_t now_ms)
{
	char key[MF_RATELIMIT_NAME_MAX];
	size_t i, at, oldest = 0;
	struct bucket *b = NULL;

	snprintf(key, sizeof(key), "%s", name);
	at = (size_t)(hash_name(key) % rl->nslots);
	for (i = 0; i < PROBES; i++) {
		struct bucket *s = &rl->slots[(at + i) % rl->nslots];

		if (s->used && strcmp(s->name, key) == 0) {
			b = s;
			break;
		}
		if (!s->used) {
			b = s;
			break;
		}
		if (s->last_ms < rl->slots[(at + oldest) % rl->nslots].last_ms)
			oldest = i;
	}
	if (b == NULL)
		b = &rl->slots[(at + oldest) % rl->nslots];
	if (!b->used || strcmp(b->name, key) != 0) {
		/* a new name starts with a full bucket */
		memcpy(b->name, key, sizeof(key));
		b->tokens = rl->capacity;
		b->last_ms = now_ms;
		b->used = true;
	}
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * rl->per_ms;
		if (b->tokens > rl->capacity)
			b->tokens = rl->capacity;
		b->last_ms = now_ms;
	}
	return b;
}

static unsigned
retry_seconds(const struct mf_ratelimit *rl, const struct bucket *b)
{
	double ms = (1.0 - b->tokens) / rl->per_ms;
	unsigned s = (unsigned)(ms / 1000.0);

	if ((double)s * 1000.0 < ms)
		s++;
	return s < 1 ? 1 : s;
}

/* Step 1 look the bucket up; 2 decide; 3 take when asked to. */
static bool
bucket_use(struct mf_ratelimit *rl, const char *name, int64_t now_ms,
           unsigned *retry_s, bool take)
{
	struct bucket *b;
	bool ok;

	if (retry_s != NULL)
		*retry_s = 0;
	if (!mf_ratelimit_enabled(rl))
		return true;
	pthread_mutex_lock(&rl->lock);
	b = bucket_get(rl, name, now_ms);
	ok = b->tokens >= 1.0;
	if (ok && take)
		b->tokens -= 1.0;
	else if (!ok && retry_s != NULL)
		*retry_s = retry_seconds(rl, b);
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

bool
mf_ratelimit_take(struct mf_ratelimit *rl, const char *name, int64_t now_ms,
                  unsigned *retry_s)
{
	return bucket_use(rl, name, now_ms, retry_s, true);
}

bool
mf_ratelimit_peek(struct mf_ratelimit *rl, const char *name, int64_t now_ms,
                  unsigned *retry_s)
{
	return bucket_use(rl, name, now_ms, retry_s, false);
}

void
mf_ratelimit_charge(struct mf_ratelimit *rl, const char *name, int64_t now_ms)
{
	struct bucket *b;

	if (!mf_ratelimit_enabled(rl))
		return;
	pthread_mutex_lock(&rl->lock);
	b = bucket_get(rl, name, now_ms);
	b->tokens -= 1.0;
	if (b->tokens < -1.0)
		b->tokens = -1.0;
	pthread_mutex_unlock(&rl->lock);
}

/* Parses one "addr[/bits]" item of length len into *c. */
static int
cidr_parse_one(struct mf_cidr *c, const char *item, size_t len)
{
	char text[64], *slash, *end;
	unsigned long bits;
	unsigned maxbits;

	if (len == 0 || len >= sizeof(text))
		return MF_E_BAD_PARAM;
	memcpy(text, item, len);
	text[len] = '\0';
	if ((slash = strchr(text, '/')) != NULL)
		*slash++ = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, text, c->addr) == 1) {
		c->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, text, c->addr) == 1) {
		c->family = AF_INET6;
		maxbits = 128;
	} else {
		return MF_E_BAD_PARAM;
	}
	bits = maxbits;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			return MF_E_BAD_PARAM;
		bits = strtoul(slash, &end, 10);
		if (*end != '\0' || bits > maxbits)
			return MF_E_BAD_PARAM;
	}
	c->bits = (unsigned)bits;
	return 0;
}

int
mf_cidrs_parse(struct mf_cidrs *out, const char *list, char *why,
               size_t why_len)
{
	const char *p = list, *comma;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (why_len > 0)
		why[0] = '\0';
	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && *p == ' ')
			p++, len--;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (out->n >= MF_CIDR_MAX ||
		    cidr_parse_one(&out->nets[out->n], p, len) != 0) {
			snprintf(why, why_len,
			         "'%.*s' is not an IPv4 or IPv6 "
			         "network (ADDRESS[/BITS], at most %d)",
			         (int)(len > 64 ? 64 : len), p, MF_CIDR_MAX);
			return MF_E_BAD_PARAM;
		}
		out->n++;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static bool
cidr_match(const struct mf_cidr *c, int family, const unsigned char *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (family != c->family || memcmp(a, c->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ c->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

bool
mf_cidrs_contains(const struct mf_cidrs *c, const char *addr)
{
	unsigned char a[16];
	int family, i;

	if (c == NULL || c->n == 0)
		return false;
	if (inet_pton(AF_INET, addr, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1)
		family = AF_INET6;
	else
		return false;
	/* an IPv4 peer of a dual-stack socket reads ::ffff:a.b.c.d: it is
	 * that IPv4 address (127.0.0.1 is loopback however it arrives) */
	if (family == AF_INET6 &&
	    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);
		family = AF_INET;
	}
	for (i = 0; i < c->n; i++)
		if (cidr_match(&c->nets[i], family, a))
			return true;
	return false;
}

/* Whether text is a numeric IPv4 or IPv6 address. */
static bool
is_address(const char *text)
{
	unsigned char a[16];

	return inet_pton(AF_INET, text, a) == 1 ||
	       inet_pton(AF_INET6, text, a) == 1;
}

void
mf_client_address(const struct mf_cidrs *trusted, const char *peer,
                  const char *xff, char *out, size_t n)
{
	char hop[64];
	const char *end, *start, *seg;
	size_t len;

	snprintf(out, n, "%s", peer);
	if (xff == NULL || !mf_cidrs_contains(trusted, peer))
		return;
	/* Step 1: walk the entries right to left. */
	end = xff + strlen(xff);
	for (;;) {
		seg = end;
		while (seg > xff && seg[-1] != ',')
			seg--;
		/* Step 2: trim the entry and check it is an address. */
		start = seg;
		len = (size_t)(end - seg);
		while (len > 0 && (*start == ' ' || *start == '\t'))
			start++, len--;
		while (len > 0 &&
		       (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof(hop))
			return;
		memcpy(hop, start, len);
		hop[len] = '\0';
		if (!is_address(hop))
			return; /* the last good hop stays the client */
		snprintf(out, n, "%s", hop);
		/* Step 3: an untrusted hop is the client. */
		if (!mf_cidrs_contains(trusted, hop) || seg == xff)
			return;
		end = seg - 1; /* before the comma */
	}
}
