/*
 * RFC 9162 Merkle tree hashing, proof generation over stored complete
 * subtrees, the appender, and proof verification (see merkle.h). Proof
 * generation follows the recursive definitions of RFC 9162 §2.1.3.1 and
 * §2.1.4.1, with every MTH(D[a:b]) expressed as complete subtrees.
 */
#include "merkle/merkle.h"
#include "common/error.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define H MF_MERKLE_HASH_LEN

int
mf_merkle_leaf_hash(uint8_t out[H], const void *entry, size_t len)
{
	static const uint8_t prefix = 0x00;
	EVP_MD_CTX *c;
	int ok;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return MF_E_NOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(c, &prefix, 1) == 1 &&
	     EVP_DigestUpdate(c, entry, len) == 1 &&
	     EVP_DigestFinal_ex(c, out, NULL) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : MF_E_INTERNAL;
}

void
mf_merkle_node_hash(uint8_t out[H], const uint8_t left[H],
                    const uint8_t right[H])
{
	uint8_t buf[1 + 2 * H];

	buf[0] = 0x01;
	memcpy(buf + 1, left, H);
	memcpy(buf + 1 + H, right, H);
	SHA256(buf, sizeof(buf), out);
}

void
mf_merkle_empty_root(uint8_t out[H])
{
	SHA256((const uint8_t *)"", 0, out);
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

static void
plan_init(struct mf_merkle_plan *p)
{
	p->n_nodes = 0;
	p->n_out = 0;
}

/*
 * Adds one output: MTH(D[lo:hi]) where lo is aligned to the subtree that
 * holds the range, so the range splits into complete subtrees of strictly
 * decreasing size from left to right (the binary digits of hi - lo).
 */
static int
plan_range(struct mf_merkle_plan *p, uint64_t lo, uint64_t hi)
{
	uint64_t len = hi - lo, pos = lo;
	int level;

	if (p->n_out >= MF_MERKLE_MAX_PROOF)
		return MF_E_INTERNAL;
	p->out_first[p->n_out] = (uint16_t)p->n_nodes;
	for (level = MF_MERKLE_MAX_LEVELS - 1; level >= 0; level--) {
		if ((len >> level & 1) == 0)
			continue;
		if (p->n_nodes >= MF_MERKLE_PLAN_MAX)
			return MF_E_INTERNAL;
		p->nodes[p->n_nodes].level = (unsigned)level;
		p->nodes[p->n_nodes].index = pos >> level;
		p->n_nodes++;
		pos += (uint64_t)1 << level;
	}
	p->out_count[p->n_out] =
	    (uint16_t)(p->n_nodes - p->out_first[p->n_out]);
	p->n_out++;
	return 0;
}

int
mf_merkle_plan_root(struct mf_merkle_plan *p, uint64_t size)
{
	plan_init(p);
	return plan_range(p, 0, size);
}

/* PATH(m, D[lo:hi]), RFC 9162 §2.1.3.1, lowest level first. */
static int
plan_path(struct mf_merkle_plan *p, uint64_t m, uint64_t lo, uint64_t hi)
{
	uint64_t k;
	int rc;

	if (hi - lo <= 1)
		return 0;
	k = split_point(hi - lo);
	if (m < lo + k) {
		if ((rc = plan_path(p, m, lo, lo + k)) != 0)
			return rc;
		return plan_range(p, lo + k, hi);
	}
	if ((rc = plan_path(p, m, lo + k, hi)) != 0)
		return rc;
	return plan_range(p, lo, lo + k);
}

int
mf_merkle_plan_inclusion(struct mf_merkle_plan *p, uint64_t index,
                         uint64_t size)
{
	plan_init(p);
	if (index >= size)
		return MF_E_BAD_PARAM;
	return plan_path(p, index, 0, size);
}

/* SUBPROOF(m, D[lo:hi], b), RFC 9162 §2.1.4.1; m is the absolute size. */
static int
plan_subproof(struct mf_merkle_plan *p, uint64_t m, uint64_t lo, uint64_t hi,
              int b)
{
	uint64_t k;
	int rc;

	if (m == hi)
		return b ? 0 : plan_range(p, lo, hi);
	k = split_point(hi - lo);
	if (m - lo <= k) {
		if ((rc = plan_subproof(p, m, lo, lo + k, b)) != 0)
			return rc;
		return plan_range(p, lo + k, hi);
	}
	if ((rc = plan_subproof(p, m, lo + k, hi, 0)) != 0)
		return rc;
	return plan_range(p, lo, lo + k);
}

int
mf_merkle_plan_consistency(struct mf_merkle_plan *p, uint64_t from, uint64_t to)
{
	plan_init(p);
	if (from == 0 || from > to)
		return MF_E_BAD_PARAM;
	return plan_subproof(p, from, 0, to, 1);
}

void
mf_merkle_plan_apply(const struct mf_merkle_plan *p, const uint8_t (*hashes)[H],
                     uint8_t (*out)[H])
{
	size_t i, j, first, count;
	uint8_t acc[H];

	for (i = 0; i < p->n_out; i++) {
		first = p->out_first[i];
		count = p->out_count[i];
		if (count == 0) {
			mf_merkle_empty_root(out[i]);
			continue;
		}
		memcpy(acc, hashes[first + count - 1], H);
		for (j = count - 1; j-- > 0;)
			mf_merkle_node_hash(acc, hashes[first + j], acc);
		memcpy(out[i], acc, H);
	}
}

int
mf_merkle_plan_fetch(const struct mf_merkle_plan *p,
                     mf_merkle_get_node_fn get_node, void *ctx,
                     uint8_t (*out)[H])
{
	uint8_t hashes[MF_MERKLE_PLAN_MAX][H];
	size_t i;
	int rc;

	for (i = 0; i < p->n_nodes; i++) {
		rc = get_node(ctx, p->nodes[i].level, p->nodes[i].index,
		              hashes[i]);
		if (rc != 0)
			return rc;
	}
	mf_merkle_plan_apply(p, (const uint8_t(*)[H])hashes, out);
	return 0;
}

int
mf_merkle_root(uint8_t out[H], uint64_t size, mf_merkle_get_node_fn get_node,
               void *ctx)
{
	struct mf_merkle_plan p;
	uint8_t res[1][H];
	int rc;

	if ((rc = mf_merkle_plan_root(&p, size)) != 0 ||
	    (rc = mf_merkle_plan_fetch(&p, get_node, ctx, res)) != 0)
		return rc;
	memcpy(out, res[0], H);
	return 0;
}

int
mf_merkle_inclusion_proof(uint8_t (*proof)[H], size_t *n, uint64_t index,
                          uint64_t size, mf_merkle_get_node_fn get_node,
                          void *ctx)
{
	struct mf_merkle_plan p;
	int rc;

	*n = 0;
	if ((rc = mf_merkle_plan_inclusion(&p, index, size)) != 0 ||
	    (rc = mf_merkle_plan_fetch(&p, get_node, ctx, proof)) != 0)
		return rc;
	*n = p.n_out;
	return 0;
}

int
mf_merkle_consistency_proof(uint8_t (*proof)[H], size_t *n, uint64_t from,
                            uint64_t to, mf_merkle_get_node_fn get_node,
                            void *ctx)
{
	struct mf_merkle_plan p;
	int rc;

	*n = 0;
	if ((rc = mf_merkle_plan_consistency(&p, from, to)) != 0 ||
	    (rc = mf_merkle_plan_fetch(&p, get_node, ctx, proof)) != 0)
		return rc;
	*n = p.n_out;
	return 0;
}

void
mf_merkle_frontier_init(struct mf_merkle_frontier *f)
{
	f->size = 0;
	f->n = 0;
}

int
mf_merkle_frontier_set(struct mf_merkle_frontier *f, uint64_t size,
                       const uint8_t (*hashes)[H])
{
	struct mf_merkle_plan p;
	size_t i;
	int rc;

	mf_merkle_frontier_init(f);
	if ((rc = mf_merkle_plan_root(&p, size)) != 0)
		return rc;
	for (i = 0; i < p.n_nodes; i++) {
		f->nodes[i].level = p.nodes[i].level;
		f->nodes[i].index = p.nodes[i].index;
		memcpy(f->nodes[i].hash, hashes[i], H);
	}
	f->n = (unsigned)p.n_nodes;
	f->size = size;
	return 0;
}

int
mf_merkle_frontier_load(struct mf_merkle_frontier *f, uint64_t size,
                        mf_merkle_get_node_fn get_node, void *ctx)
{
	struct mf_merkle_plan p;
	uint8_t hashes[MF_MERKLE_MAX_LEVELS][H];
	size_t i;
	int rc;

	if ((rc = mf_merkle_plan_root(&p, size)) != 0)
		return rc;
	for (i = 0; i < p.n_nodes; i++) {
		rc = get_node(ctx, p.nodes[i].level, p.nodes[i].index,
		              hashes[i]);
		if (rc != 0)
			return rc;
	}
	return mf_merkle_frontier_set(f, size, (const uint8_t(*)[H])hashes);
}

int
mf_merkle_append(struct mf_merkle_frontier *f, const uint8_t leaf_hash[H],
                 struct mf_merkle_node *out, size_t *n_out)
{
	struct mf_merkle_node *l, *r;

	*n_out = 0;
	if (f->size == UINT64_MAX)
		return MF_E_TOO_LARGE;
	r = &f->nodes[f->n++];
	r->level = 0;
	r->index = f->size;
	memcpy(r->hash, leaf_hash, H);
	out[(*n_out)++] = *r;
	/* Equal neighbours merge into the subtree they complete. */
	while (f->n >= 2 &&
	       f->nodes[f->n - 2].level == f->nodes[f->n - 1].level) {
		l = &f->nodes[f->n - 2];
		r = &f->nodes[f->n - 1];
		mf_merkle_node_hash(l->hash, l->hash, r->hash);
		l->level++;
		l->index >>= 1;
		f->n--;
		out[(*n_out)++] = *l;
	}
	f->size++;
	return 0;
}

void
mf_merkle_frontier_root(const struct mf_merkle_frontier *f, uint8_t out[H])
{
	uint8_t acc[H];
	unsigned i;

	if (f->n == 0) {
		mf_merkle_empty_root(out);
		return;
	}
	memcpy(acc, f->nodes[f->n - 1].hash, H);
	for (i = f->n - 1; i-- > 0;)
		mf_merkle_node_hash(acc, f->nodes[i].hash, acc);
	memcpy(out, acc, H);
}

/* Constant-time comparison; proofs are public, but it costs nothing. */
static int
hash_eq(const uint8_t a[H], const uint8_t b[H])
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < H; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

int
mf_merkle_root_from_inclusion(uint8_t out[H], uint64_t index, uint64_t size,
                              const uint8_t leaf_hash[H],
                              const uint8_t (*proof)[H], size_t n)
{
	uint64_t fn, sn;
	uint8_t r[H];
	size_t i;

	if (index >= size || n > MF_MERKLE_MAX_PROOF)
		return MF_E_BAD_PROOF;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, H);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return MF_E_BAD_PROOF;
		if ((fn & 1) == 1 || fn == sn) {
			mf_merkle_node_hash(r, proof[i], r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mf_merkle_node_hash(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return MF_E_BAD_PROOF;
	memcpy(out, r, H);
	return 0;
}

int
mf_merkle_verify_inclusion(uint64_t index, uint64_t size,
                           const uint8_t leaf_hash[H],
                           const uint8_t (*proof)[H], size_t n,
                           const uint8_t root[H])
{
	uint8_t r[H];
	int rc;

	rc = mf_merkle_root_from_inclusion(r, index, size, leaf_hash, proof, n);
	if (rc != 0)
		return rc;
	return hash_eq(r, root) ? 0 : MF_E_BAD_PROOF;
}

int
mf_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                             const uint8_t (*proof)[H], size_t n,
                             const uint8_t root1[H], const uint8_t root2[H])
{
	uint64_t fn, sn;
	uint8_t fr[H], sr[H];
	size_t i;

	/* RFC 9162 defines consistency proofs only for 0 < size1. */
	if (size1 == 0 || size1 > size2 || n > MF_MERKLE_MAX_PROOF)
		return MF_E_BAD_PROOF;
	if (size1 == size2)
		return n == 0 && hash_eq(root1, root2) ? 0 : MF_E_BAD_PROOF;
	if (n == 0)
		return MF_E_BAD_PROOF;
	fn = size1 - 1;
	sn = size2 - 1;
	/* A power-of-two first tree is itself a node of the second. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, H);
		i = 0;
	} else {
		memcpy(fr, proof[0], H);
		i = 1;
	}
	memcpy(sr, fr, H);
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return MF_E_BAD_PROOF;
		if ((fn & 1) == 1 || fn == sn) {
			mf_merkle_node_hash(fr, proof[i], fr);
			mf_merkle_node_hash(sr, proof[i], sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mf_merkle_node_hash(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !hash_eq(fr, root1) || !hash_eq(sr, root2))
		return MF_E_BAD_PROOF;
	return 0;
}

int
mf_merkle_subtree_valid(uint64_t start, uint64_t end)
{
	uint64_t len, ceil = 1;

	if (start >= end)
		return 0;
	len = end - start;
	while (ceil < len) {
		if (ceil > UINT64_MAX / 2)
			return 0;
		ceil <<= 1;
	}
	return start % ceil == 0;
}

int
mf_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
                                   const uint8_t leaf_hash[H],
                                   const uint8_t (*proof)[H], size_t n,
                                   const uint8_t subtree_root[H])
{
	if (!mf_merkle_subtree_valid(start, end) || index < start ||
	    index >= end)
		return MF_E_BAD_PROOF;
	return mf_merkle_verify_inclusion(index - start, end - start, leaf_hash,
	                                  proof, n, subtree_root);
}

int
mf_merkle_verify_subtree_consistency(uint64_t start, uint64_t end,
                                     uint64_t size, const uint8_t (*proof)[H],
                                     size_t n, const uint8_t subtree_root[H],
                                     const uint8_t root[H])
{
	uint64_t fn, sn, tn;
	uint8_t fr[H], sr[H], empty[H];
	size_t i = 0;

	if (start == end) {
		mf_merkle_empty_root(empty);
		return end <= size && n == 0 && hash_eq(subtree_root, empty)
		           ? 0
		           : MF_E_BAD_PROOF;
	}
	if (!mf_merkle_subtree_valid(start, end) || end > size ||
	    n > MF_MERKLE_MAX_PROOF)
		return MF_E_BAD_PROOF;
	/* fn, sn, tn: the subtree's first and last leaf, the tree's last. */
	fn = start;
	sn = end - 1;
	tn = size - 1;
	/* Climb the levels that need no proof hash. */
	if (sn == tn) {
		while (fn != sn) {
			fn >>= 1;
			sn >>= 1;
			tn >>= 1;
		}
	} else {
		while (fn != sn && (sn & 1) == 1) {
			fn >>= 1;
			sn >>= 1;
			tn >>= 1;
		}
	}
	/* fr rebuilds the subtree hash, sr the tree root. */
	if (fn == sn) {
		memcpy(fr, subtree_root, H);
	} else {
		if (n == 0)
			return MF_E_BAD_PROOF;
		memcpy(fr, proof[0], H);
		i = 1;
	}
	memcpy(sr, fr, H);
	for (; i < n; i++) {
		if (tn == 0)
			return MF_E_BAD_PROOF;
		if ((sn & 1) == 1 || sn == tn) {
			if (fn < sn)
				mf_merkle_node_hash(fr, proof[i], fr);
			mf_merkle_node_hash(sr, proof[i], sr);
			while ((sn & 1) == 0) {
				fn >>= 1;
				sn >>= 1;
				tn >>= 1;
			}
		} else {
			mf_merkle_node_hash(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
		tn >>= 1;
	}
	if (tn != 0 || !hash_eq(fr, subtree_root) || !hash_eq(sr, root))
		return MF_E_BAD_PROOF;
	return 0;
}
