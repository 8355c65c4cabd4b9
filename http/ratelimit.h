/*
 * Token buckets and the address rules they key on (issue 15): a bounded
 * table of buckets by name (a client address, a signing key, a token's
 * hash) that answer "may this one go now, else in how many seconds", and
 * the trusted-proxy CIDR list that decides whose X-Forwarded-For is
 * believed. Pure: no sockets, no libmicrohttpd; http.c applies them.
 */
#ifndef MF_RATELIMIT_H
#define MF_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest bucket name kept (longer names are cut: still one bucket). */
#define MF_RATELIMIT_NAME_MAX 112

struct mf_ratelimit;

/*
 * A table of at most max_names buckets (the oldest is forgotten when it
 * is full), each allowing per_minute takes a minute in bursts of
 * max(1, per_minute / 10). per_minute 0 makes every take succeed.
 * *out is owned by the caller (mf_ratelimit_free). 0 or MF_E_NOMEM.
 */
int mf_ratelimit_new(struct mf_ratelimit **out, unsigned long per_minute,
                     size_t max_names);
void mf_ratelimit_free(struct mf_ratelimit *rl);
/*
 * One node's share of a limit meant for a fleet (issue 16, --rate-nodes):
 * per_minute divided among nodes API nodes behind one load balancer,
 * rounded up so that a limit that is on stays on (0 stays 0: off;
 * nodes 0 or 1: the whole limit). Buckets are per node, not shared:
 * with the balancer spreading a client's requests evenly the fleet
 * allows about per_minute, and at most that many with all of them on
 * one node.
 */
unsigned long mf_ratelimit_share(unsigned long per_minute, unsigned long nodes);
bool mf_ratelimit_enabled(const struct mf_ratelimit *rl);

/*
 * Takes one token from name's bucket at now_ms (a monotonic clock).
 * Returns true when there was one; else false and *retry_s (when not
 * NULL) is the whole seconds until there is, at least 1. Thread-safe.
 */
bool mf_ratelimit_take(struct mf_ratelimit *rl, const char *name,
                       int64_t now_ms, unsigned *retry_s);
/* Whether a take would succeed now, without taking (same *retry_s). */
bool mf_ratelimit_peek(struct mf_ratelimit *rl, const char *name,
                       int64_t now_ms, unsigned *retry_s);
/* Takes one token even when there is none (the bucket goes into debt
 * by at most one token): for a cost known only afterwards. */
void mf_ratelimit_charge(struct mf_ratelimit *rl, const char *name,
                         int64_t now_ms);

/* A list of IPv4/IPv6 networks. */
#define MF_CIDR_MAX 32
struct mf_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};
struct mf_cidrs {
	struct mf_cidr nets[MF_CIDR_MAX];
	int n;
};

/*
 * Parses "CIDR[,CIDR]..." (a bare address is a /32 or /128) into *out.
 * 0, or MF_E_BAD_PARAM with the offending item in why (why_len bytes).
 */
int mf_cidrs_parse(struct mf_cidrs *out, const char *list, char *why,
                   size_t why_len);
/* Whether the numeric address text lies in one of the networks. */
bool mf_cidrs_contains(const struct mf_cidrs *c, const char *addr);

/*
 * The client behind a chain of proxies: peer is the connecting address,
 * xff the X-Forwarded-For header (may be NULL). Only when peer is
 * trusted, the header is walked right to left past trusted hops and the
 * first untrusted address is the client; an entry that is not a numeric
 * address stops the walk at the last address known good. Writes the
 * client's address text to out (n bytes).
 */
void mf_client_address(const struct mf_cidrs *trusted, const char *peer,
                       const char *xff, char *out, size_t n);

#endif
