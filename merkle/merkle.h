/*
 * The registry's append-only Merkle tree with RFC 9162 hashing:
 * leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
 *
 * Storage model: the server keeps the hash of every *complete* subtree in a
 * table log_nodes(level, idx, hash), where (level, idx) covers the leaves
 * [idx * 2^level, (idx + 1) * 2^level); level 0 holds the leaf hashes.
 * Roots and proofs for any tree size are computed from O(log n) of those
 * nodes; subtrees on a non-perfect right edge are folded from complete
 * subtrees, so nothing ever has to be stored twice or updated.
 *
 * Two ways to read nodes:
 *  - batch: mf_merkle_plan_*() lists the (level, idx) pairs needed, the
 *    caller fetches them (one SQL query), and mf_merkle_plan_apply() turns
 *    the fetched hashes into the root or proof;
 *  - callback: mf_merkle_root() and friends call get_node per node.
 *
 * The appender (struct mf_merkle_frontier) keeps the right-edge complete
 * subtrees of the current tree; appending a leaf yields exactly the new
 * complete-subtree nodes to insert.
 *
 * Everything here is pure computation on caller-owned memory.
 */
#ifndef MF_MERKLE_H
#define MF_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MF_MERKLE_HASH_LEN 32
/* Longest inclusion (64) or consistency (65) proof for a 64-bit size. */
#define MF_MERKLE_MAX_PROOF 65
/* Most complete-subtree nodes one plan can need. */
#define MF_MERKLE_PLAN_MAX 192
/* Levels of a tree with up to 2^64 - 1 leaves. */
#define MF_MERKLE_MAX_LEVELS 64

struct mf_merkle_node_id {
	unsigned level;
	uint64_t index;
};

struct mf_merkle_node {
	unsigned level;
	uint64_t index;
	uint8_t hash[MF_MERKLE_HASH_LEN];
};

/* SHA-256(0x00 || entry); 0 or MF_E_NOMEM. */
int mf_merkle_leaf_hash(uint8_t out[MF_MERKLE_HASH_LEN], const void *entry,
                        size_t len);
/* SHA-256(0x01 || left || right). */
void mf_merkle_node_hash(uint8_t out[MF_MERKLE_HASH_LEN],
                         const uint8_t left[MF_MERKLE_HASH_LEN],
                         const uint8_t right[MF_MERKLE_HASH_LEN]);
/* The root of the empty tree, SHA-256(""). */
void mf_merkle_empty_root(uint8_t out[MF_MERKLE_HASH_LEN]);

/*
 * A plan: the nodes to fetch, and how to fold them into outputs. Output i
 * is the right fold of nodes[out_first[i] .. out_first[i] + out_count[i]):
 * for a single node its own hash, else node(n0, node(n1, ... n_last)).
 */
struct mf_merkle_plan {
	size_t n_nodes;
	struct mf_merkle_node_id nodes[MF_MERKLE_PLAN_MAX];
	size_t n_out;
	uint16_t out_first[MF_MERKLE_MAX_PROOF];
	uint16_t out_count[MF_MERKLE_MAX_PROOF];
};

/*
 * Plans return 0 or MF_E_BAD_PARAM for impossible arguments:
 *  - root: one output, the root of the tree of `size` leaves (size 0 has
 *    no nodes and its output is the empty root);
 *  - inclusion: the audit path of leaf `index` in the tree of `size`
 *    (index < size), lowest level first, as RFC 9162 §2.1.3.1;
 *  - consistency: the proof that the tree of size `from` is a prefix of
 *    the tree of size `to` (0 < from <= to; empty when from == to), as
 *    RFC 9162 §2.1.4.1.
 */
int mf_merkle_plan_root(struct mf_merkle_plan *p, uint64_t size);
int mf_merkle_plan_inclusion(struct mf_merkle_plan *p, uint64_t index,
                             uint64_t size);
int mf_merkle_plan_consistency(struct mf_merkle_plan *p, uint64_t from,
                               uint64_t to);
/*
 * hashes[i] is the hash of p->nodes[i]; writes p->n_out hashes to out.
 */
void mf_merkle_plan_apply(const struct mf_merkle_plan *p,
                          const uint8_t (*hashes)[MF_MERKLE_HASH_LEN],
                          uint8_t (*out)[MF_MERKLE_HASH_LEN]);

/*
 * Reads the hash of complete subtree (level, index) into out. Returns 0,
 * or a negative MF_E_* code that is passed back unchanged.
 */
typedef int (*mf_merkle_get_node_fn)(void *ctx, unsigned level, uint64_t index,
                                     uint8_t out[MF_MERKLE_HASH_LEN]);

/* Fetches a plan's nodes through get_node and applies it. */
int mf_merkle_plan_fetch(const struct mf_merkle_plan *p,
                         mf_merkle_get_node_fn get_node, void *ctx,
                         uint8_t (*out)[MF_MERKLE_HASH_LEN]);

/* Callback conveniences; proof arrays hold MF_MERKLE_MAX_PROOF hashes. */
int mf_merkle_root(uint8_t out[MF_MERKLE_HASH_LEN], uint64_t size,
                   mf_merkle_get_node_fn get_node, void *ctx);
int mf_merkle_inclusion_proof(uint8_t (*proof)[MF_MERKLE_HASH_LEN], size_t *n,
                              uint64_t index, uint64_t size,
                              mf_merkle_get_node_fn get_node, void *ctx);
int mf_merkle_consistency_proof(uint8_t (*proof)[MF_MERKLE_HASH_LEN], size_t *n,
                                uint64_t from, uint64_t to,
                                mf_merkle_get_node_fn get_node, void *ctx);

/*
 * The right edge of a tree: its maximal complete subtrees, largest (left)
 * first; one per set bit of size.
 */
struct mf_merkle_frontier {
	uint64_t size;
	unsigned n;
	struct mf_merkle_node nodes[MF_MERKLE_MAX_LEVELS];
};

/* The empty tree. */
void mf_merkle_frontier_init(struct mf_merkle_frontier *f);
/*
 * The frontier of a tree of `size` from the hashes of the nodes that
 * mf_merkle_plan_root(size) lists, in that order.
 */
int mf_merkle_frontier_set(struct mf_merkle_frontier *f, uint64_t size,
                           const uint8_t (*hashes)[MF_MERKLE_HASH_LEN]);
/* The same, reading the nodes through get_node. */
int mf_merkle_frontier_load(struct mf_merkle_frontier *f, uint64_t size,
                            mf_merkle_get_node_fn get_node, void *ctx);
/*
 * Appends one leaf hash. out (room for MF_MERKLE_MAX_LEVELS + 1 nodes)
 * gets the nodes to store: the leaf at level 0 and every subtree it
 * completes. MF_E_TOO_LARGE when the tree is full.
 */
int mf_merkle_append(struct mf_merkle_frontier *f,
                     const uint8_t leaf_hash[MF_MERKLE_HASH_LEN],
                     struct mf_merkle_node *out, size_t *n_out);
/* The root of the frontier's tree. */
void mf_merkle_frontier_root(const struct mf_merkle_frontier *f,
                             uint8_t out[MF_MERKLE_HASH_LEN]);

/*
 * Verification (RFC 9162 §2.1.3.2 and §2.1.4.2). Return 0, or
 * MF_E_BAD_PROOF when the proof does not verify or the sizes are
 * impossible. Consistency needs 0 < size1 <= size2 (size1 == size2 needs
 * an empty proof and equal roots).
 */
int mf_merkle_root_from_inclusion(uint8_t out[MF_MERKLE_HASH_LEN],
                                  uint64_t index, uint64_t size,
                                  const uint8_t leaf_hash[MF_MERKLE_HASH_LEN],
                                  const uint8_t (*proof)[MF_MERKLE_HASH_LEN],
                                  size_t n);
int mf_merkle_verify_inclusion(uint64_t index, uint64_t size,
                               const uint8_t leaf_hash[MF_MERKLE_HASH_LEN],
                               const uint8_t (*proof)[MF_MERKLE_HASH_LEN],
                               size_t n,
                               const uint8_t root[MF_MERKLE_HASH_LEN]);
int mf_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                 const uint8_t (*proof)[MF_MERKLE_HASH_LEN],
                                 size_t n,
                                 const uint8_t root1[MF_MERKLE_HASH_LEN],
                                 const uint8_t root2[MF_MERKLE_HASH_LEN]);

/*
 * Subtree proofs (the Merkle Tree Certificates draft's generalisation): a
 * subtree [start, end) is valid when start < end and start is a multiple
 * of the smallest power of two >= end - start. Inclusion of leaf `index`
 * in a subtree is RFC 9162 inclusion relative to the subtree; subtree
 * consistency proves the subtree's hash is part of the tree of `size`.
 * An empty subtree (start == end <= size) is consistent with any tree iff
 * its hash is the empty root and the proof is empty.
 */
int mf_merkle_subtree_valid(uint64_t start, uint64_t end);
int mf_merkle_verify_subtree_inclusion(
    uint64_t index, uint64_t start, uint64_t end,
    const uint8_t leaf_hash[MF_MERKLE_HASH_LEN],
    const uint8_t (*proof)[MF_MERKLE_HASH_LEN], size_t n,
    const uint8_t subtree_root[MF_MERKLE_HASH_LEN]);
int mf_merkle_verify_subtree_consistency(
    uint64_t start, uint64_t end, uint64_t size,
    const uint8_t (*proof)[MF_MERKLE_HASH_LEN], size_t n,
    const uint8_t subtree_root[MF_MERKLE_HASH_LEN],
    const uint8_t root[MF_MERKLE_HASH_LEN]);

#endif
