/*
 * C2SP tlog-policy files (see policy.h), written from the spec: a strict
 * line parser with line-numbered errors, the quorum as a tree of k-of-n
 * groups evaluated in definition order, and the check of one signed
 * checkpoint that `verify-log --policy` and `verify --policy` rely on.
 */
#include "merkle/policy.h"
#include "common/encoding.h"
#include "merkle/cosignature.h"
#include "merkle/note.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#define KEY_ED25519       0x01 /* signed-note Ed25519: logs */
#define KEY_COSIG_ED25519 0x04 /* cosignature/v1: witnesses */
#define KEY_COSIG_MLDSA   0x06 /* subtree/v1 ML-DSA-44: not supported */
#define MAX_NODES         (MF_POLICY_MAX_WITNESSES + MF_POLICY_MAX_GROUPS)
#define MAX_TOKENS        (3 + MAX_NODES + 1)
#define NO_QUORUM         SIZE_MAX

/* A name the quorum may use: a witness or a group, in definition order. */
struct node {
	char *name;     /* owned */
	size_t witness; /* for a witness: its index; groups: SIZE_MAX */
	size_t k, n;
	size_t members[MAX_NODES];
	int used; /* already listed as a member somewhere */
};

struct log_def {
	char *vkey, *origin, *url; /* owned; url may be NULL */
	uint8_t key[32];
	struct mf_note_verifier *v;
};

struct witness_def {
	char *vkey, *key_name, *url; /* owned; url may be NULL */
	uint8_t key[32];
	size_t node;
	struct mf_cosig_verifier *v;
};

struct mf_policy {
	struct log_def logs[MF_POLICY_MAX_LOGS];
	size_t n_logs;
	struct witness_def witnesses[MF_POLICY_MAX_WITNESSES];
	size_t n_witnesses;
	struct node nodes[MAX_NODES];
	size_t n_nodes, n_groups;
	size_t quorum; /* a node, or NO_QUORUM for "none" */
	int has_quorum;
};

/* One line's whitespace-separated items (pointers into a copy). */
struct line {
	size_t no;
	char *tok[MAX_TOKENS];
	size_t n;
};

/* The parts of "<name>+<hex key id>+<base64(type || key)>". */
struct vkey {
	char name[MF_NOTE_NAME_MAX + 1];
	uint8_t type;
	uint8_t key[32];
};

static int bad(struct mf_error *err, const struct line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct mf_error *err, const struct line *l, const char *fmt, ...)
{
	char msg[MF_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mf_error_set(err, MF_E_BAD_PARAM, NULL, "policy line %zu: %s",
	                    l->no, msg);
}

/*
 * Splits a vkey and checks what the policy needs of it: a known type with
 * a 32-byte key, and the key id that name, type and key give (the
 * signed-note recommendation, which tlog-cosignature makes a must).
 */
static int
split_vkey(struct vkey *k, const char *s, const struct line *l,
           struct mf_error *err)
{
	const char *p1 = strchr(s, '+'), *p2;
	uint8_t *raw = NULL, buf[MF_NOTE_NAME_MAX + 2 + 32];
	uint8_t d[SHA256_DIGEST_LENGTH], id[4];
	char *canon = NULL, hex[9] = "";
	size_t n = 0, name_len;
	int rc;

	if (p1 == NULL || (p2 = strchr(p1 + 1, '+')) == NULL)
		return bad(err, l,
		           "\"%.80s\" is not a verifier key "
		           "(<name>+<key id>+<base64 key>)",
		           s);
	name_len = (size_t)(p1 - s);
	if (name_len == 0 || name_len > MF_NOTE_NAME_MAX)
		return bad(err, l, "the key's name must have 1 to %d bytes",
		           MF_NOTE_NAME_MAX);
	memcpy(k->name, s, name_len);
	k->name[name_len] = '\0';
	if (p2 - p1 - 1 == 8) {
		memcpy(hex, p1 + 1, 8);
		hex[8] = '\0';
	}
	if (p2 - p1 - 1 != 8 || !mf_hex_is_lower(hex, 8) ||
	    mf_hex_decode(id, 4, hex) != 0)
		return bad(err, l,
		           "the key id of %.80s must be 8 lowercase hex "
		           "digits",
		           k->name);
	if (mf_base64_decode(&raw, &n, p2 + 1, strlen(p2 + 1)) != 0 || n < 1) {
		rc = bad(err, l, "the key material of %.80s is not base64",
		         k->name);
		goto done;
	}
	if ((canon = mf_base64_encode_alloc(raw, n)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (strcmp(canon, p2 + 1) != 0) {
		rc = bad(err, l,
		         "the key material of %.80s must be padded standard "
		         "base64",
		         k->name);
		goto done;
	}
	k->type = raw[0];
	if (k->type == KEY_COSIG_MLDSA) {
		rc = bad(err, l,
		         "%.80s is an ML-DSA-44 key (type 0x06): not "
		         "supported, only Ed25519 (0x01 logs, 0x04 witnesses)",
		         k->name);
		goto done;
	}
	if ((k->type != KEY_ED25519 && k->type != KEY_COSIG_ED25519) ||
	    n != 33) {
		rc = bad(err, l,
		         "%.80s has key type 0x%02x and %zu bytes of key: "
		         "want 0x01 or 0x04 and 32",
		         k->name, k->type, n - 1);
		goto done;
	}
	memcpy(k->key, raw + 1, 32);
	memcpy(buf, k->name, name_len);
	buf[name_len] = '\n';
	buf[name_len + 1] = k->type;
	memcpy(buf + name_len + 2, k->key, 32);
	SHA256(buf, name_len + 2 + 32, d);
	if (memcmp(d, id, 4) != 0) {
		rc = bad(err, l,
		         "the key id of %.80s does not match its name, type "
		         "and key",
		         k->name);
		goto done;
	}
	rc = 0;
done:
	free(raw);
	free(canon);
	return rc;
}

/* The node called name[0..), or SIZE_MAX. */
static size_t
find_node(const struct mf_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_nodes; i++)
		if (strcmp(p->nodes[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static int
new_name(struct mf_policy *p, const char *name, const struct line *l,
         struct mf_error *err)
{
	if (strcmp(name, "none") == 0)
		return bad(err, l,
		           "\"none\" is predefined and cannot be "
		           "defined again");
	if (find_node(p, name) != SIZE_MAX)
		return bad(err, l, "the name \"%.80s\" is already defined",
		           name);
	return 0;
}

/* Appends a node for a witness or group; the name is copied. */
static int
add_node(struct mf_policy *p, const char *name, struct node **out,
         struct mf_error *err)
{
	struct node *nd = &p->nodes[p->n_nodes];

	memset(nd, 0, sizeof(*nd));
	if ((nd->name = strdup(name)) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	nd->witness = SIZE_MAX;
	p->n_nodes++;
	*out = nd;
	return 0;
}

/* Copies s (may be NULL) into *out; 0 or MF_E_NOMEM. */
static int
dup_opt(char **out, const char *s, struct mf_error *err)
{
	*out = NULL;
	if (s != NULL && (*out = strdup(s)) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	return 0;
}

/* log <vkey> [<url>] */
static int
parse_log(struct mf_policy *p, const struct line *l, struct mf_error *err)
{
	struct log_def *d;
	struct mf_error inner;
	struct vkey k;
	size_t i;
	int rc;

	if (l->n < 2 || l->n > 3)
		return bad(err, l, "want \"log <vkey> [<url>]\"");
	if (p->n_logs == MF_POLICY_MAX_LOGS)
		return bad(err, l, "more than %d logs", MF_POLICY_MAX_LOGS);
	if ((rc = split_vkey(&k, l->tok[1], l, err)) != 0)
		return rc;
	if (k.type != KEY_ED25519)
		return bad(err, l,
		           "a log key must be a signed-note Ed25519 key "
		           "(type 0x01), not 0x%02x",
		           k.type);
	for (i = 0; i < p->n_logs; i++)
		if (memcmp(p->logs[i].key, k.key, 32) == 0)
			return bad(err, l,
			           "log %.80s has the same public key as log "
			           "%.80s",
			           k.name, p->logs[i].origin);
	d = &p->logs[p->n_logs];
	memset(d, 0, sizeof(*d));
	p->n_logs++;
	memcpy(d->key, k.key, 32);
	if ((rc = dup_opt(&d->vkey, l->tok[1], err)) != 0 ||
	    (rc = dup_opt(&d->origin, k.name, err)) != 0 ||
	    (rc = dup_opt(&d->url, l->n == 3 ? l->tok[2] : NULL, err)) != 0)
		return rc;
	mf_error_init(&inner);
	if ((rc = mf_note_verifier_new(&d->v, l->tok[1], &inner)) != 0)
		rc = bad(err, l, "log key %.80s: %s", k.name, inner.message);
	mf_error_dispose(&inner);
	return rc;
}

/* witness <name> <vkey> [<url>] */
static int
parse_witness(struct mf_policy *p, const struct line *l, struct mf_error *err)
{
	struct witness_def *w;
	struct mf_error inner;
	struct node *nd = NULL;
	struct vkey k;
	size_t i;
	int rc;

	if (l->n < 3 || l->n > 4)
		return bad(err, l, "want \"witness <name> <vkey> [<url>]\"");
	if (p->n_witnesses == MF_POLICY_MAX_WITNESSES)
		return bad(err, l, "more than %d witnesses",
		           MF_POLICY_MAX_WITNESSES);
	if ((rc = new_name(p, l->tok[1], l, err)) != 0 ||
	    (rc = split_vkey(&k, l->tok[2], l, err)) != 0)
		return rc;
	if (k.type != KEY_COSIG_ED25519)
		return bad(err, l,
		           "a witness key must be a cosignature/v1 Ed25519 "
		           "key (type 0x04), not 0x%02x",
		           k.type);
	for (i = 0; i < p->n_witnesses; i++)
		if (memcmp(p->witnesses[i].key, k.key, 32) == 0)
			return bad(err, l,
			           "witness %.80s has the same public key as "
			           "witness %.80s",
			           l->tok[1],
			           p->nodes[p->witnesses[i].node].name);
	w = &p->witnesses[p->n_witnesses];
	memset(w, 0, sizeof(*w));
	p->n_witnesses++;
	memcpy(w->key, k.key, 32);
	if ((rc = add_node(p, l->tok[1], &nd, err)) != 0)
		return rc;
	nd->witness = p->n_witnesses - 1;
	w->node = p->n_nodes - 1;
	if ((rc = dup_opt(&w->vkey, l->tok[2], err)) != 0 ||
	    (rc = dup_opt(&w->key_name, k.name, err)) != 0 ||
	    (rc = dup_opt(&w->url, l->n == 4 ? l->tok[3] : NULL, err)) != 0)
		return rc;
	mf_error_init(&inner);
	if ((rc = mf_cosig_verifier_new(&w->v, l->tok[2], &inner)) != 0)
		rc =
		    bad(err, l, "witness key %.80s: %s", k.name, inner.message);
	mf_error_dispose(&inner);
	return rc;
}

/* A threshold: decimal digits only, at most 1..n. */
static int
parse_k(const char *s, size_t n, size_t *k)
{
	size_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (size_t)(*s - '0');
		if (v > MAX_NODES)
			v = MAX_NODES + 1; /* too large either way */
	}
	if (v < 1 || v > n)
		return -2;
	*k = v;
	return 0;
}

/* group <name> all|any|<k> <name>... */
static int
parse_group(struct mf_policy *p, const struct line *l, struct mf_error *err)
{
	struct node *nd = NULL;
	size_t i, j, m, n = l->n >= 3 ? l->n - 3 : 0, k = 0;
	int rc;

	if (l->n < 4)
		return bad(err, l,
		           "want \"group <name> all|any|<k> <member>...\" "
		           "with at least one member");
	if (p->n_groups == MF_POLICY_MAX_GROUPS)
		return bad(err, l, "more than %d groups", MF_POLICY_MAX_GROUPS);
	if ((rc = new_name(p, l->tok[1], l, err)) != 0)
		return rc;
	if (strcmp(l->tok[2], "all") == 0)
		k = n;
	else if (strcmp(l->tok[2], "any") == 0)
		k = 1;
	else if ((rc = parse_k(l->tok[2], n, &k)) == -1)
		return bad(err, l,
		           "the threshold \"%.40s\" is not all, any or a "
		           "decimal number",
		           l->tok[2]);
	else if (rc == -2)
		return bad(err, l,
		           "the threshold %.40s is not between 1 and the %zu "
		           "members",
		           l->tok[2], n);
	/* 1. Every member defined before, and never listed before. */
	for (i = 0; i < n; i++) {
		const char *name = l->tok[3 + i];

		if (strcmp(name, "none") == 0)
			return bad(err, l, "\"none\" cannot be a group member");
		if ((m = find_node(p, name)) == SIZE_MAX)
			return bad(err, l,
			           "member \"%.80s\" is not a witness or group "
			           "defined on an earlier line",
			           name);
		for (j = 0; j < i; j++)
			if (strcmp(l->tok[3 + j], name) == 0)
				return bad(err, l,
				           "member \"%.80s\" is listed twice",
				           name);
		if (p->nodes[m].used)
			return bad(err, l,
			           "member \"%.80s\" is already a member of "
			           "another group (a name may be listed once)",
			           name);
	}
	/* 2. The group. */
	if ((rc = add_node(p, l->tok[1], &nd, err)) != 0)
		return rc;
	p->n_groups++;
	nd->k = k;
	nd->n = n;
	for (i = 0; i < n; i++) {
		m = find_node(p, l->tok[3 + i]);
		nd->members[i] = m;
		p->nodes[m].used = 1;
	}
	return 0;
}

/* quorum <name>|none */
static int
parse_quorum(struct mf_policy *p, const struct line *l, struct mf_error *err)
{
	if (l->n != 2)
		return bad(err, l, "want \"quorum <name>\"");
	if (p->has_quorum)
		return bad(err, l, "a second quorum line (a policy has one)");
	p->has_quorum = 1;
	if (strcmp(l->tok[1], "none") == 0) {
		p->quorum = NO_QUORUM;
		return 0;
	}
	if ((p->quorum = find_node(p, l->tok[1])) == SIZE_MAX)
		return bad(err, l,
		           "the quorum \"%.80s\" is not a witness or group "
		           "defined on an earlier line",
		           l->tok[1]);
	return 0;
}

/* Splits s (NUL-terminated, modified) at spaces and tabs. */
static int
tokenize(struct line *l, char *s, struct mf_error *err)
{
	l->n = 0;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return 0;
		if (l->n == MAX_TOKENS)
			return bad(err, l, "more than %d items", MAX_TOKENS);
		l->tok[l->n++] = s;
		s += strcspn(s, " \t");
		if (*s != '\0')
			*s++ = '\0';
	}
}

int
mf_policy_parse(struct mf_policy **out, const char *text, size_t len, int flags,
                struct mf_error *err)
{
	struct mf_policy *p = NULL;
	struct line l = {0};
	char *copy = NULL, *s, *nl;
	size_t i;
	int rc;

	*out = NULL;
	if (len > MF_POLICY_MAX_SIZE)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "policy is larger than %d bytes",
		                    MF_POLICY_MAX_SIZE);
	/* 1. Only tab, newline, 0x20-0x7e and the high octets. */
	for (i = 0, l.no = 1; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			l.no++;
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			return bad(err, &l,
			           "control character 0x%02x (only tab and "
			           "newline are allowed)",
			           c);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (copy = malloc(len + 1)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	p->quorum = NO_QUORUM;
	/* 2. Line by line; a last line may lack its newline. */
	for (s = copy, l.no = 1; *s != '\0'; s = nl + 1, l.no++) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		else
			nl = s + strlen(s) - 1;
		if ((rc = tokenize(&l, s, err)) != 0)
			goto done;
		if (l.n == 0 || l.tok[0][0] == '#')
			continue;
		if (strcmp(l.tok[0], "log") == 0)
			rc = parse_log(p, &l, err);
		else if (strcmp(l.tok[0], "witness") == 0)
			rc = parse_witness(p, &l, err);
		else if (strcmp(l.tok[0], "group") == 0)
			rc = parse_group(p, &l, err);
		else if (strcmp(l.tok[0], "quorum") == 0)
			rc = parse_quorum(p, &l, err);
		else
			rc = bad(err, &l,
			         "unknown keyword \"%.40s\" (want log, "
			         "witness, group or quorum)",
			         l.tok[0]);
		if (rc != 0)
			goto done;
	}
	/* 3. Exactly one quorum line. */
	if (!p->has_quorum && !(flags & MF_POLICY_QUORUM_OPTIONAL)) {
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "policy has no quorum line (\"quorum none\" "
		                  "requires no cosignature)");
		goto done;
	}
	*out = p;
	p = NULL;
	rc = 0;
done:
	mf_policy_free(p);
	free(copy);
	return rc;
}

void
mf_policy_free(struct mf_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_logs; i++) {
		free(p->logs[i].vkey);
		free(p->logs[i].origin);
		free(p->logs[i].url);
		mf_note_verifier_free(p->logs[i].v);
	}
	for (i = 0; i < p->n_witnesses; i++) {
		free(p->witnesses[i].vkey);
		free(p->witnesses[i].key_name);
		free(p->witnesses[i].url);
		mf_cosig_verifier_free(p->witnesses[i].v);
	}
	for (i = 0; i < p->n_nodes; i++)
		free(p->nodes[i].name);
	free(p);
}

size_t
mf_policy_log_count(const struct mf_policy *p)
{
	return p->n_logs;
}

const char *
mf_policy_log_vkey(const struct mf_policy *p, size_t i)
{
	return i < p->n_logs ? p->logs[i].vkey : NULL;
}

const char *
mf_policy_log_origin(const struct mf_policy *p, size_t i)
{
	return i < p->n_logs ? p->logs[i].origin : NULL;
}

const char *
mf_policy_log_url(const struct mf_policy *p, size_t i)
{
	return i < p->n_logs ? p->logs[i].url : NULL;
}

size_t
mf_policy_witness_count(const struct mf_policy *p)
{
	return p->n_witnesses;
}

const char *
mf_policy_witness_name(const struct mf_policy *p, size_t i)
{
	return i < p->n_witnesses ? p->nodes[p->witnesses[i].node].name : NULL;
}

const char *
mf_policy_witness_vkey(const struct mf_policy *p, size_t i)
{
	return i < p->n_witnesses ? p->witnesses[i].vkey : NULL;
}

const char *
mf_policy_witness_key_name(const struct mf_policy *p, size_t i)
{
	return i < p->n_witnesses ? p->witnesses[i].key_name : NULL;
}

const char *
mf_policy_witness_url(const struct mf_policy *p, size_t i)
{
	return i < p->n_witnesses ? p->witnesses[i].url : NULL;
}

const char *
mf_policy_quorum(const struct mf_policy *p)
{
	return p->quorum == NO_QUORUM ? "none" : p->nodes[p->quorum].name;
}

/* witnessed[i] for every node, in definition order (members come first). */
static void
evaluate(const struct mf_policy *p, const unsigned char *cosigned,
         unsigned char witnessed[MAX_NODES])
{
	size_t i, j, have;

	for (i = 0; i < p->n_nodes; i++) {
		const struct node *nd = &p->nodes[i];

		if (nd->witness != SIZE_MAX) {
			witnessed[i] = cosigned[nd->witness] != 0;
			continue;
		}
		for (j = 0, have = 0; j < nd->n; j++)
			have += witnessed[nd->members[j]];
		witnessed[i] = have >= nd->k;
	}
}

int
mf_policy_quorum_met(const struct mf_policy *p, const unsigned char *cosigned)
{
	unsigned char witnessed[MAX_NODES];

	if (p->quorum == NO_QUORUM)
		return 1;
	evaluate(p, cosigned, witnessed);
	return witnessed[p->quorum];
}

void
mf_policy_result_init(struct mf_policy_result *r)
{
	memset(r, 0, sizeof(*r));
	mf_checkpoint_init(&r->cp);
}

void
mf_policy_result_dispose(struct mf_policy_result *r)
{
	if (r == NULL)
		return;
	mf_checkpoint_dispose(&r->cp);
	mf_policy_result_init(r);
}

/* Appends to out[0..n) as snprintf would, never past the end. */
static void put(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
put(char *out, size_t n, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;

	if (used + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, n - used, fmt, ap);
	va_end(ap);
}

/* ", "-separated names of the witnesses in state s. */
static size_t
list_state(const struct mf_policy *p, const struct mf_policy_result *r,
           enum mf_policy_cosig s, char *out, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < r->n_witnesses; i++) {
		if (r->cosig[i] != s)
			continue;
		put(out, n, "%s%s", count ? ", " : "",
		    p->nodes[p->witnesses[i].node].name);
		count++;
	}
	return count;
}

void
mf_policy_describe(const struct mf_policy *p, const struct mf_policy_result *r,
                   char *out, size_t n)
{
	unsigned char cosigned[MF_POLICY_MAX_WITNESSES] = {0};
	unsigned char witnessed[MAX_NODES];
	size_t i, j, have, gaps = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < r->n_witnesses; i++)
		cosigned[i] = r->cosig[i] == MF_POLICY_VALID;
	evaluate(p, cosigned, witnessed);
	put(out, n, "quorum %s %s: %zu of %zu witnesses cosigned",
	    mf_policy_quorum(p), r->quorum_met ? "met" : "NOT met", r->n_valid,
	    r->n_witnesses);
	if (r->n_valid > 0) {
		put(out, n, " (");
		list_state(p, r, MF_POLICY_VALID, out, n);
		put(out, n, ")");
	}
	for (i = 0; i < r->n_witnesses; i++)
		if (r->cosig[i] == MF_POLICY_MISSING) {
			put(out, n, "; missing: ");
			list_state(p, r, MF_POLICY_MISSING, out, n);
			break;
		}
	for (i = 0; i < r->n_witnesses; i++)
		if (r->cosig[i] == MF_POLICY_INVALID) {
			put(out, n, "; INVALID (does not verify): ");
			list_state(p, r, MF_POLICY_INVALID, out, n);
			break;
		}
	/* Each group that falls short, and what it needs. */
	for (i = 0; !r->quorum_met && i < p->n_nodes; i++) {
		const struct node *nd = &p->nodes[i];

		if (witnessed[i])
			continue;
		if (nd->witness != SIZE_MAX) {
			if (i == p->quorum)
				put(out, n, "; the quorum needs witness %s",
				    nd->name);
			continue;
		}
		for (j = 0, have = 0; j < nd->n; j++)
			have += witnessed[nd->members[j]];
		put(out, n, "%s group %s has %zu of the %zu it needs of",
		    gaps++ ? ";" : "; needed:", nd->name, have, nd->k);
		for (j = 0; j < nd->n; j++)
			put(out, n, " %s", p->nodes[nd->members[j]].name);
	}
}

/*
 * Step 1 of mf_policy_check: the keys named after the checkpoint's origin
 * (the policy's logs, the extra key) must have signed, and every one of
 * them that signed must verify (merkle/note.c); a key of another log
 * signing this checkpoint does not count.
 */
static int
check_log(const struct mf_policy *p, const char *note, size_t len,
          const char *extra_vkey, struct mf_policy_result *r,
          struct mf_error *err)
{
	const struct mf_note_verifier *vs[MF_POLICY_MAX_LOGS + 1];
	size_t which[MF_POLICY_MAX_LOGS + 1];
	struct mf_note_verifier *extra = NULL;
	struct mf_checkpoint cp;
	const char *nl = memchr(note, '\n', len);
	char origin[MF_NOTE_NAME_MAX + 1];
	size_t i, n = 0, text_len;
	int rc;

	mf_checkpoint_init(&cp);
	if (nl == NULL || nl == note || (size_t)(nl - note) > MF_NOTE_NAME_MAX)
		return mf_error_set(err, MF_E_BAD_NOTE, NULL,
		                    "checkpoint: missing or overlong origin "
		                    "line");
	memcpy(origin, note, (size_t)(nl - note));
	origin[nl - note] = '\0';
	if (extra_vkey != NULL &&
	    (rc = mf_note_verifier_new(&extra, extra_vkey, err)) != 0)
		return rc;
	for (i = 0; i < p->n_logs; i++)
		if (strcmp(p->logs[i].origin, origin) == 0) {
			which[n] = i;
			vs[n++] = p->logs[i].v;
		}
	if (extra != NULL &&
	    strcmp(mf_note_verifier_name(extra), origin) == 0) {
		which[n] = SIZE_MAX;
		vs[n++] = extra;
	}
	if (n == 0) {
		rc = mf_error_set(err, MF_E_UNKNOWN_KEY, NULL,
		                  "no log key for the checkpoint's origin "
		                  "\"%.80s\" (the policy's log lines%s)",
		                  origin,
		                  extra != NULL ? " and the key given" : "");
		goto done;
	}
	if ((rc = mf_note_verify(note, len, vs, n, &text_len, err)) != 0 ||
	    (rc = mf_checkpoint_parse(&cp, note, text_len, err)) != 0)
		goto done;
	r->log = which[0];
	r->cp = cp;
	mf_checkpoint_init(&cp);
	r->log_ok = 1;
	rc = 0;
done:
	mf_checkpoint_dispose(&cp);
	mf_note_verifier_free(extra);
	return rc;
}

int
mf_policy_check(const struct mf_policy *p, const char *note, size_t len,
                const char *extra_log_vkey, struct mf_policy_result *r,
                struct mf_error *err)
{
	unsigned char cosigned[MF_POLICY_MAX_WITNESSES] = {0};
	char msg[MF_ERROR_MESSAGE_MAX], why[160] = "";
	struct mf_error inner;
	size_t i, forged = SIZE_MAX;
	int rc;

	mf_policy_result_dispose(r);
	/* 1. The log's signature. */
	if ((rc = check_log(p, note, len, extra_log_vkey, r, err)) != 0)
		return rc;
	/* 2. Every witness: valid, missing, or a forgery. */
	r->n_witnesses = p->n_witnesses;
	for (i = 0; i < p->n_witnesses; i++) {
		mf_error_init(&inner);
		rc = mf_cosig_verify_note(note, len, p->witnesses[i].v,
		                          &r->timestamp[i], &inner);
		if (rc < 0 && rc != MF_E_NOMEM && forged == SIZE_MAX)
			snprintf(why, sizeof(why), "%.150s", inner.message);
		mf_error_dispose(&inner);
		if (rc == 1) {
			r->cosig[i] = MF_POLICY_VALID;
			cosigned[i] = 1;
			r->n_valid++;
		} else if (rc == 0) {
			r->cosig[i] = MF_POLICY_MISSING;
		} else if (rc == MF_E_NOMEM) {
			return mf_error_set(err, rc, NULL, "out of memory");
		} else {
			r->cosig[i] = MF_POLICY_INVALID;
			if (forged == SIZE_MAX)
				forged = i;
		}
	}
	/* 3. The quorum over the valid ones. */
	r->quorum_met = mf_policy_quorum_met(p, cosigned);
	mf_policy_describe(p, r, msg, sizeof(msg));
	if (forged != SIZE_MAX)
		return mf_error_set(err, MF_E_BAD_SIGNATURE, NULL,
		                    "the cosignature by witness %s (%s) does "
		                    "not verify: forged or corrupt (%s); %s",
		                    p->nodes[p->witnesses[forged].node].name,
		                    p->witnesses[forged].key_name, why, msg);
	if (!r->quorum_met)
		return mf_error_set(err, MF_E_FORBIDDEN, NULL, "%s", msg);
	return 0;
}
