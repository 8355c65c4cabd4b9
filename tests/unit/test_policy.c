/*
 * Tests for merkle/policy: C2SP tlog-policy files (the spec's example,
 * k-of-n, any/all, nested groups, "quorum none", opaque names, and every
 * kind of malformed line refused with its line number), and the check of
 * signed checkpoints whose cosignatures this file makes itself from the
 * c2sp.org/tlog-cosignature text with OpenSSL (so the witness code is
 * tested against an independent signer, not against itself).
 */
#include "common/buf.h"
#include "common/encoding.h"
#include "common/error.h"
#include "merkle/checkpoint.h"
#include "merkle/note.h"
#include "merkle/policy.h"
#include "merkle/tlog_proof.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define ORIGIN "example.com/log"
#define EM     "\xe2\x80\x94"

/* A witness made here: its name, Ed25519 key, key id and vkey. */
struct wkey {
	char name[64];
	EVP_PKEY *pkey;
	uint8_t pub[32];
	uint8_t id[4];
	char vkey[160];
};

/* "<name>+<id>+<base64(type || pub)>" with the id of that name and type. */
static void
vkey_of(char *out, size_t n, const char *name, uint8_t type, const uint8_t *pub,
        size_t pub_len, uint8_t id[4])
{
	uint8_t buf[2048], d[SHA256_DIGEST_LENGTH];
	char *b64;
	size_t nl = strlen(name);

	memcpy(buf, name, nl);
	buf[nl] = '\n';
	buf[nl + 1] = type;
	memcpy(buf + nl + 2, pub, pub_len);
	SHA256(buf, nl + 2 + pub_len, d);
	memcpy(id, d, 4);
	buf[0] = type;
	memcpy(buf + 1, pub, pub_len);
	b64 = mf_base64_encode_alloc(buf, pub_len + 1);
	assert_non_null(b64);
	snprintf(out, n, "%s+%02x%02x%02x%02x+%s", name, d[0], d[1], d[2], d[3],
	         b64);
	free(b64);
}

static void
wkey_make(struct wkey *w, const char *name)
{
	size_t n = 32;

	snprintf(w->name, sizeof(w->name), "%s", name);
	w->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(w->pkey);
	assert_int_equal(EVP_PKEY_get_raw_public_key(w->pkey, w->pub, &n), 1);
	vkey_of(w->vkey, sizeof(w->vkey), name, 0x04, w->pub, 32, w->id);
}

/*
 * A cosignature line from the spec: Ed25519 over "cosignature/v1\n",
 * "time <t>\n" and the checkpoint body; the signature field is key id,
 * the timestamp (8 bytes, big-endian) and the signature.
 */
static void
cosign(char *line, size_t n, const struct wkey *w, const char *body, uint64_t t)
{
	char msg[4096];
	uint8_t sig[4 + 8 + 64];
	size_t len, sl = 64, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *b64;

	len =
	    (size_t)snprintf(msg, sizeof(msg), "cosignature/v1\ntime %llu\n%s",
	                     (unsigned long long)t, body);
	memcpy(sig, w->id, 4);
	for (i = 0; i < 8; i++)
		sig[4 + i] = (uint8_t)(t >> (56 - 8 * i));
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, w->pkey), 1);
	assert_int_equal(
	    EVP_DigestSign(ctx, sig + 12, &sl, (uint8_t *)msg, len), 1);
	EVP_MD_CTX_free(ctx);
	b64 = mf_base64_encode_alloc(sig, sizeof(sig));
	snprintf(line, n, EM " %s %s\n", w->name, b64);
	free(b64);
}

static struct mf_policy *
parse_ok(const char *text)
{
	struct mf_policy *p = NULL;
	struct mf_error err;

	mf_error_init(&err);
	if (mf_policy_parse(&p, text, strlen(text), 0, &err) != 0)
		fail_msg("refused: %s\n%s", err.message, text);
	mf_error_dispose(&err);
	return p;
}

/* Refused, with a message that contains want. */
static void
parse_bad(const char *text, const char *want)
{
	struct mf_policy *p = NULL;
	struct mf_error err;

	mf_error_init(&err);
	if (mf_policy_parse(&p, text, strlen(text), 0, &err) == 0)
		fail_msg("accepted:\n%s", text);
	assert_null(p);
	assert_int_equal(err.code, MF_E_BAD_PARAM);
	if (strstr(err.message, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
	mf_error_dispose(&err);
}

/* Six witnesses for the spec's example and the tests below. */
static struct wkey W[6];
static char log_vkey[256];
static struct mf_note_signer *log_signer;

static int
setup(void **state)
{
	const char *names[] = {"x1.example", "x2.example", "x3.example",
	                       "y1.example", "y2.example", "y3.example"};
	char *skey = NULL, *vkey = NULL;
	struct mf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++)
		wkey_make(&W[i], names[i]);
	mf_error_init(&err);
	if (mf_note_generate_key(&skey, &vkey, ORIGIN, &err) != 0 ||
	    mf_note_signer_new(&log_signer, skey, &err) != 0)
		return -1;
	snprintf(log_vkey, sizeof(log_vkey), "%s", vkey);
	free(skey);
	free(vkey);
	mf_error_dispose(&err);
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++)
		EVP_PKEY_free(W[i].pkey);
	mf_note_signer_free(log_signer);
	return 0;
}

/* The spec's example with our keys: X-witnesses 2 of 3, Y any, both. */
static char *
spec_example(void)
{
	char *s = malloc(8192);

	snprintf(s, 8192,
	         "log %s\n\n"
	         "witness X1 %s\nwitness X2 %s\nwitness X3 %s\n"
	         "group X-witnesses 2 X1 X2 X3\n\n"
	         "witness Y1 %s\nwitness Y2 %s\nwitness Y3 %s\n"
	         "group Y-witnesses any Y1 Y2 Y3\n\n"
	         "group X-and-Y all X-witnesses Y-witnesses\n"
	         "quorum X-and-Y\n",
	         log_vkey, W[0].vkey, W[1].vkey, W[2].vkey, W[3].vkey,
	         W[4].vkey, W[5].vkey);
	return s;
}

/* Quorum over the witnesses named by a string of '0'/'1' flags. */
static int
met(const struct mf_policy *p, const char *flags)
{
	unsigned char c[MF_POLICY_MAX_WITNESSES] = {0};
	size_t i;

	assert_int_equal(strlen(flags), mf_policy_witness_count(p));
	for (i = 0; flags[i]; i++)
		c[i] = flags[i] == '1';
	return mf_policy_quorum_met(p, c);
}

static void
test_spec_example(void **state)
{
	char *text = spec_example();
	struct mf_policy *p = parse_ok(text);

	(void)state;
	assert_int_equal(mf_policy_log_count(p), 1);
	assert_string_equal(mf_policy_log_origin(p, 0), ORIGIN);
	assert_string_equal(mf_policy_log_vkey(p, 0), log_vkey);
	assert_null(mf_policy_log_url(p, 0));
	assert_int_equal(mf_policy_witness_count(p), 6);
	assert_string_equal(mf_policy_witness_name(p, 3), "Y1");
	assert_string_equal(mf_policy_witness_key_name(p, 3), "y1.example");
	assert_string_equal(mf_policy_witness_vkey(p, 3), W[3].vkey);
	assert_string_equal(mf_policy_quorum(p), "X-and-Y");
	/* Order X1 X2 X3 Y1 Y2 Y3. */
	assert_true(met(p, "110100"));
	assert_true(met(p, "011001"));
	assert_true(met(p, "111111"));
	assert_false(met(p, "100100")); /* one X only */
	assert_false(met(p, "111000")); /* no Y */
	assert_false(met(p, "000111"));
	assert_false(met(p, "000000"));
	mf_policy_free(p);
	free(text);
}

static void
test_thresholds(void **state)
{
	char text[4096];
	struct mf_policy *p;

	(void)state;
	/* k of n, written in decimal. */
	snprintf(text, sizeof(text),
	         "witness a %s\nwitness b %s\nwitness c %s\n"
	         "group g 2 a b c\nquorum g\n",
	         W[0].vkey, W[1].vkey, W[2].vkey);
	p = parse_ok(text);
	assert_false(met(p, "000"));
	assert_false(met(p, "001"));
	assert_true(met(p, "011"));
	assert_true(met(p, "101"));
	assert_true(met(p, "111"));
	assert_int_equal(mf_policy_log_count(p), 0);
	mf_policy_free(p);
	/* all = n, any = 1. */
	snprintf(text, sizeof(text),
	         "witness a %s\nwitness b %s\nwitness c %s\n"
	         "group g all a b c\nquorum g\n",
	         W[0].vkey, W[1].vkey, W[2].vkey);
	p = parse_ok(text);
	assert_false(met(p, "011"));
	assert_true(met(p, "111"));
	mf_policy_free(p);
	snprintf(text, sizeof(text),
	         "witness a %s\nwitness b %s\nwitness c %s\n"
	         "group g any a b c\nquorum g\n",
	         W[0].vkey, W[1].vkey, W[2].vkey);
	p = parse_ok(text);
	assert_false(met(p, "000"));
	assert_true(met(p, "010"));
	mf_policy_free(p);
	/* n of n written as a number; k = 1 of one. */
	snprintf(text, sizeof(text),
	         "witness a %s\nwitness b %s\ngroup g 2 a b\n"
	         "group h 1 g\nquorum h\n",
	         W[0].vkey, W[1].vkey);
	p = parse_ok(text);
	assert_false(met(p, "10"));
	assert_true(met(p, "11"));
	mf_policy_free(p);
	/* A single witness as the quorum; the others do not matter. */
	snprintf(text, sizeof(text), "witness a %s\nwitness b %s\nquorum b\n",
	         W[0].vkey, W[1].vkey);
	p = parse_ok(text);
	assert_false(met(p, "10"));
	assert_true(met(p, "01"));
	mf_policy_free(p);
	/* quorum none: nothing needed, no witness needed either. */
	p = parse_ok("quorum none\n");
	assert_string_equal(mf_policy_quorum(p), "none");
	assert_true(mf_policy_quorum_met(p, NULL));
	mf_policy_free(p);
}

static void
test_nested(void **state)
{
	char text[8192];
	struct mf_policy *p;

	(void)state;
	/* ((x1 and x2) or x3) and (2 of y1 y2 y3): three levels. */
	snprintf(text, sizeof(text),
	         "witness x1 %s\nwitness x2 %s\nwitness x3 %s\n"
	         "witness y1 %s\nwitness y2 %s\nwitness y3 %s\n"
	         "group x12 all x1 x2\n"
	         "group xs any x12 x3\n"
	         "group ys 2 y1 y2 y3\n"
	         "group top all xs ys\n"
	         "quorum top\n",
	         W[0].vkey, W[1].vkey, W[2].vkey, W[3].vkey, W[4].vkey,
	         W[5].vkey);
	p = parse_ok(text);
	assert_true(met(p, "110110"));
	assert_true(met(p, "001011"));
	assert_false(met(p, "100110")); /* x1 alone is not x12 */
	assert_false(met(p, "111100")); /* one y */
	assert_true(met(p, "101101"));
	mf_policy_free(p);
}

static void
test_syntax(void **state)
{
	char text[8192];
	struct mf_policy *p;

	(void)state;
	/* Comments, blank and whitespace-only lines, tabs, leading and
	 * trailing blanks, URLs, and no newline at the very end. */
	snprintf(text, sizeof(text),
	         "# a policy\n"
	         "   \t \n"
	         "  # an indented comment\n"
	         "\tlog\t%s  https://log.example/  \n"
	         "witness   w1 %s https://w1.example/\n"
	         "quorum\tw1",
	         log_vkey, W[0].vkey);
	p = parse_ok(text);
	assert_string_equal(mf_policy_log_url(p, 0), "https://log.example/");
	assert_string_equal(mf_policy_witness_url(p, 0), "https://w1.example/");
	mf_policy_free(p);
	/* Names are opaque octets: "K" and a Kelvin sign are two names. */
	snprintf(text, sizeof(text),
	         "witness K %s\nwitness \xe2\x84\xaa %s\n"
	         "group \xc3\xa9quipe all K \xe2\x84\xaa\n"
	         "quorum \xc3\xa9quipe\n",
	         W[0].vkey, W[1].vkey);
	p = parse_ok(text);
	assert_string_equal(mf_policy_witness_name(p, 1), "\xe2\x84\xaa");
	assert_false(met(p, "10"));
	assert_true(met(p, "11"));
	mf_policy_free(p);
	/* Lines may come in any order as long as names are defined first. */
	snprintf(text, sizeof(text),
	         "witness a %s\nquorum a\nlog %s\nwitness b %s\n", W[0].vkey,
	         log_vkey, W[1].vkey);
	p = parse_ok(text);
	assert_int_equal(mf_policy_witness_count(p), 2);
	mf_policy_free(p);
	/* Without a quorum line only when the caller allows it. */
	snprintf(text, sizeof(text), "witness a %s\n", W[0].vkey);
	{
		struct mf_error err;

		mf_error_init(&err);
		assert_int_equal(mf_policy_parse(&p, text, strlen(text),
		                                 MF_POLICY_QUORUM_OPTIONAL,
		                                 &err),
		                 0);
		assert_string_equal(mf_policy_quorum(p), "none");
		mf_policy_free(p);
		mf_error_dispose(&err);
	}
}

static void
test_malformed(void **state)
{
	char t[8192], other[200], mldsa[2000];
	uint8_t id[4], raw[1312];
	const char *a = W[0].vkey, *b = W[1].vkey, *c = W[2].vkey;

	(void)state;
#define BAD(want, ...)                                                         \
	do {                                                                   \
		snprintf(t, sizeof(t), __VA_ARGS__);                           \
		parse_bad(t, want);                                            \
	} while (0)
	BAD("policy has no quorum line", "witness a %s\n", a);
	BAD("policy has no quorum line", "# nothing\n");
	BAD("line 2: unknown keyword \"witnesses\"",
	    "quorum none\nwitnesses a %s\n", a);
	BAD("line 1: want \"log <vkey> [<url>]\"", "log\nquorum none\n");
	BAD("line 1: want \"log <vkey> [<url>]\"",
	    "log %s http://a/ extra\nquorum none\n", log_vkey);
	BAD("line 1: want \"witness <name> <vkey> [<url>]\"",
	    "witness a\nquorum a\n");
	BAD("line 1: \"nokey\" is not a verifier key",
	    "witness a nokey\nquorum a\n");
	BAD("line 1: the key id of x1.example must be 8 lowercase hex",
	    "witness a x1.example+123+AAAA\nquorum a\n");
	/* The key id of another name. */
	snprintf(other, sizeof(other), "x9.example%s", strchr(a, '+'));
	BAD("line 1: the key id of x9.example does not match",
	    "witness a %s\nquorum a\n", other);
	/* Keys of the wrong kind for the line. */
	BAD("line 1: a log key must be a signed-note Ed25519 key", "log %s\n",
	    a);
	BAD("line 1: a witness key must be a cosignature/v1 Ed25519 key",
	    "witness a %s\nquorum a\n", log_vkey);
	memset(raw, 7, sizeof(raw));
	vkey_of(mldsa, sizeof(mldsa), "ml.example", 0x06, raw, sizeof(raw), id);
	BAD("line 2: ml.example is an ML-DSA-44 key (type 0x06): not supported",
	    "quorum none\nwitness m %s\n", mldsa);
	vkey_of(other, sizeof(other), "odd.example", 0x09, raw, 32, id);
	BAD("line 1: odd.example has key type 0x09", "witness m %s\n", other);
	/* Base64 that is not canonical padded standard base64. */
	snprintf(other, sizeof(other), "%s", a);
	other[strlen(other) - 1] = '\0'; /* drop the '=' */
	BAD("line 1: the key material of x1.example",
	    "witness a %s\nquorum a\n", other);
	/* Duplicate keys, whatever the names, and duplicate names. */
	vkey_of(other, sizeof(other), "x1-again.example", 0x04, W[0].pub, 32,
	        id);
	BAD("line 2: witness b has the same public key as witness a",
	    "witness a %s\nwitness b %s\nquorum a\n", a, other);
	BAD("line 2: log example.com/log has the same public key",
	    "log %s\nlog %s\nquorum none\n", log_vkey, log_vkey);
	BAD("line 2: the name \"a\" is already defined",
	    "witness a %s\nwitness a %s\nquorum a\n", a, b);
	BAD("line 2: the name \"a\" is already defined",
	    "witness a %s\ngroup a any a\nquorum a\n", a);
	BAD("line 1: \"none\" is predefined", "witness none %s\nquorum none\n",
	    a);
	BAD("line 2: \"none\" is predefined",
	    "witness a %s\ngroup none any a\nquorum a\n", a);
	/* Groups. */
	BAD("line 2: want \"group <name> all|any|<k> <member>...\"",
	    "witness a %s\ngroup g any\nquorum g\n", a);
	BAD("line 2: want \"group", "witness a %s\ngroup g\nquorum a\n", a);
	BAD("line 3: the threshold 0 is not between 1 and the 2 members",
	    "witness a %s\nwitness b %s\ngroup g 0 a b\nquorum g\n", a, b);
	BAD("line 3: the threshold 3 is not between 1 and the 2 members",
	    "witness a %s\nwitness b %s\ngroup g 3 a b\nquorum g\n", a, b);
	BAD("line 3: the threshold 99999999999999999999999 is not between",
	    "witness a %s\nwitness b %s\n"
	    "group g 99999999999999999999999 a b\nquorum g\n",
	    a, b);
	BAD("line 3: the threshold \"two\" is not all, any or a decimal",
	    "witness a %s\nwitness b %s\ngroup g two a b\nquorum g\n", a, b);
	BAD("line 3: the threshold \"-1\" is not all, any",
	    "witness a %s\nwitness b %s\ngroup g -1 a b\nquorum g\n", a, b);
	BAD("line 2: member \"b\" is not a witness or group defined on an "
	    "earlier line",
	    "witness a %s\ngroup g any a b\nwitness b %s\nquorum g\n", a, b);
	BAD("line 2: member \"a\" is listed twice",
	    "witness a %s\ngroup g 1 a a\nquorum g\n", a);
	BAD("line 4: member \"a\" is already a member of another group",
	    "witness a %s\nwitness b %s\ngroup g any a\ngroup h any a b\n"
	    "quorum h\n",
	    a, b);
	BAD("line 2: \"none\" cannot be a group member",
	    "witness a %s\ngroup g any a none\nquorum g\n", a);
	BAD("line 1: member \"g\" is not a witness or group",
	    "group g any g\nquorum none\n");
	/* The quorum. */
	BAD("line 1: the quorum \"a\" is not a witness or group defined on "
	    "an earlier line",
	    "quorum a\nwitness a %s\n", a);
	BAD("line 3: a second quorum line",
	    "witness a %s\nquorum a\nquorum none\n", a);
	BAD("line 1: want \"quorum <name>\"", "quorum\n");
	BAD("line 2: want \"quorum <name>\"", "witness a %s\nquorum a b\n", a);
	/* Characters: CR (a CRLF file), other controls, DEL. */
	BAD("line 2: control character 0x0d", "witness a %s\nquorum a\r\n", a);
	BAD("line 1: control character 0x0b", "quorum\vnone\n");
	BAD("line 3: control character 0x7f",
	    "witness a %s\nwitness b %s\n#\x7f\nquorum a\n", a, c);
	{
		struct mf_policy *p = NULL;
		struct mf_error err;
		const char nul[] = "quorum none\n\0\n";

		mf_error_init(&err);
		assert_int_equal(
		    mf_policy_parse(&p, nul, sizeof(nul) - 1, 0, &err),
		    MF_E_BAD_PARAM);
		assert_non_null(strstr(err.message, "line 2: control "
		                                    "character 0x00"));
		mf_error_dispose(&err);
	}
#undef BAD
}

static void
test_limits(void **state)
{
	struct mf_policy *p = NULL;
	struct mf_error err;
	char *text = malloc(MF_POLICY_MAX_SIZE + 16), *s;
	struct wkey w;
	char name[32];
	int i;

	(void)state;
	/* 65 witnesses: one more than supported, refused on line 65. */
	s = text;
	for (i = 0; i <= MF_POLICY_MAX_WITNESSES; i++) {
		snprintf(name, sizeof(name), "w%d.example", i);
		wkey_make(&w, name);
		s += sprintf(s, "witness w%d %s\n", i, w.vkey);
		EVP_PKEY_free(w.pkey);
	}
	strcpy(s, "quorum w0\n");
	mf_error_init(&err);
	assert_int_equal(mf_policy_parse(&p, text, strlen(text), 0, &err),
	                 MF_E_BAD_PARAM);
	assert_non_null(strstr(err.message, "line 65: more than 64 witnesses"));
	mf_error_dispose(&err);
	/* 64 of them, all in one group of 33 of 64: accepted. */
	s = strstr(text, "witness w64 ");
	s += sprintf(s, "group all64 33");
	for (i = 0; i < MF_POLICY_MAX_WITNESSES; i++)
		s += sprintf(s, " w%d", i);
	strcpy(s, "\nquorum all64\n");
	mf_error_init(&err);
	if (mf_policy_parse(&p, text, strlen(text), 0, &err) != 0)
		fail_msg("%s", err.message);
	mf_error_dispose(&err);
	{
		unsigned char c[MF_POLICY_MAX_WITNESSES] = {0};

		memset(c, 1, 32);
		assert_false(mf_policy_quorum_met(p, c));
		c[40] = 1;
		assert_true(mf_policy_quorum_met(p, c));
	}
	mf_policy_free(p);
	/* Larger than the limit. */
	memset(text, '#', MF_POLICY_MAX_SIZE + 1);
	mf_error_init(&err);
	assert_int_equal(
	    mf_policy_parse(&p, text, MF_POLICY_MAX_SIZE + 1, 0, &err),
	    MF_E_BAD_PARAM);
	mf_error_dispose(&err);
	free(text);
}

/*
 * Robustness: 20,000 mutations (byte replacements, insertions, deleted
 * and duplicated runs) of the spec's example, with a fixed seed. Each
 * either parses (and its quorum can be evaluated) or is refused with a
 * policy message; `make test` runs this under ASan and UBSan.
 */
static void
test_mutations(void **state)
{
	char *base = spec_example(), *buf = malloc(16384);
	const char alphabet[] = " \t\n#+=0123456789abcdefgnoquyrlmw-"
	                        "\x01\x7f\xe2\x80\x94";
	uint64_t x = 88172645463325252u;
	unsigned char c[MF_POLICY_MAX_WITNESSES];
	size_t len, i, k, pos, n, ok = 0;
	struct mf_policy *p;
	struct mf_error err;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = strlen(base);
		memcpy(buf, base, len);
		for (k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			pos = len ? (size_t)(x >> 8) % len : 0;
			n = (size_t)(x >> 40) % 120;
			switch (x % 4) {
			case 0: /* replace a byte */
				if (len)
					buf[pos] =
					    alphabet[(x >> 32) %
					             (sizeof(alphabet) - 1)];
				break;
			case 1: /* insert one */
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = alphabet[(x >> 32) %
				                    (sizeof(alphabet) - 1)];
				len++;
				break;
			case 2: /* delete a run */
				n = n > len - pos ? len - pos : n;
				memmove(buf + pos, buf + pos + n,
				        len - pos - n);
				len -= n;
				break;
			default: /* append a copy of a run */
				n = n > len - pos ? len - pos : n;
				if (len + n < 16000) {
					memmove(buf + len, buf + pos, n);
					len += n;
				}
			}
		}
		mf_error_init(&err);
		p = NULL;
		if (mf_policy_parse(&p, buf, len, 0, &err) == 0) {
			ok++;
			memset(c, (int)(i & 1), sizeof(c));
			(void)mf_policy_quorum_met(p, c);
			assert_non_null(mf_policy_quorum(p));
			mf_policy_free(p);
		} else {
			assert_null(p);
			assert_true(err.code == MF_E_BAD_PARAM);
			assert_true(strncmp(err.message, "policy", 6) == 0);
		}
		mf_error_dispose(&err);
	}
	/* Some mutations (in comments, say) leave a valid policy. */
	assert_true(ok > 0 && ok < 20000);
	free(buf);
	free(base);
}

/* The log's signed checkpoint with the given cosignature lines after. */
static char *
signed_checkpoint(const char *body, const char *cosigs)
{
	char *note = NULL, *out;
	size_t n;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(
	    mf_note_sign(&note, &n, body, strlen(body), log_signer, &err), 0);
	out = malloc(n + strlen(cosigs) + 1);
	memcpy(out, note, n);
	strcpy(out + n, cosigs);
	free(note);
	mf_error_dispose(&err);
	return out;
}

static const char body[] =
    ORIGIN "\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

/* The policy of three witnesses, two needed. */
static struct mf_policy *
two_of_three(int with_log)
{
	char text[4096];

	snprintf(text, sizeof(text),
	         "%s%s%s"
	         "witness w1 %s\nwitness w2 %s\nwitness w3 %s\n"
	         "group two 2 w1 w2 w3\nquorum two\n",
	         with_log ? "log " : "", with_log ? log_vkey : "",
	         with_log ? "\n" : "", W[0].vkey, W[1].vkey, W[2].vkey);
	return parse_ok(text);
}

/* mf_policy_check's code for cosignature lines, and its message. */
static int
check(const struct mf_policy *p, const char *cosigs, const char *extra,
      struct mf_policy_result *r, char *msg, size_t n)
{
	char *note = signed_checkpoint(body, cosigs);
	struct mf_error err;
	int rc;

	mf_error_init(&err);
	rc = mf_policy_check(p, note, strlen(note), extra, r, &err);
	snprintf(msg, n, "%s", err.message);
	mf_error_dispose(&err);
	free(note);
	return rc;
}

static void
test_check(void **state)
{
	struct mf_policy *p = two_of_three(1);
	struct mf_policy_result r;
	char l1[300], l2[300], l3[300], cs[1200], msg[600], line[600];

	(void)state;
	mf_policy_result_init(&r);
	cosign(l1, sizeof(l1), &W[0], body, 1700000000);
	cosign(l2, sizeof(l2), &W[1], body, 1700000001);
	cosign(l3, sizeof(l3), &W[2], body, 1700000002);
	/* 1. Two of three: met, whichever two, whatever their order. */
	snprintf(cs, sizeof(cs), "%s%s", l1, l2);
	assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)), 0);
	assert_true(r.log_ok && r.quorum_met);
	assert_int_equal(r.log, 0);
	assert_int_equal(r.cp.size, 42);
	assert_string_equal(r.cp.origin, ORIGIN);
	assert_int_equal(r.n_valid, 2);
	assert_int_equal(r.cosig[0], MF_POLICY_VALID);
	assert_int_equal(r.cosig[1], MF_POLICY_VALID);
	assert_int_equal(r.cosig[2], MF_POLICY_MISSING);
	assert_true(r.timestamp[0] == 1700000000);
	assert_true(r.timestamp[1] == 1700000001);
	mf_policy_describe(p, &r, line, sizeof(line));
	assert_string_equal(line, "quorum two met: 2 of 3 witnesses cosigned "
	                          "(w1, w2); missing: w3");
	snprintf(cs, sizeof(cs), "%s%s%s", l3, l1, l2);
	assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)), 0);
	assert_int_equal(r.n_valid, 3);
	/* 2. One of three: not met, and the message says who and what. */
	assert_int_equal(check(p, l3, NULL, &r, msg, sizeof(msg)),
	                 MF_E_FORBIDDEN);
	assert_true(r.log_ok);
	assert_false(r.quorum_met);
	assert_string_equal(msg, "quorum two NOT met: 1 of 3 witnesses "
	                         "cosigned (w3); missing: w1, w2; needed: "
	                         "group two has 1 of the 2 it needs of w1 "
	                         "w2 w3");
	assert_int_equal(check(p, "", NULL, &r, msg, sizeof(msg)),
	                 MF_E_FORBIDDEN);
	assert_int_equal(r.n_valid, 0);
	/* 3. A forged cosignature (w2's name and key id, w3's key) is an
	 * error even where the quorum is met without it. */
	{
		struct wkey forger = W[2];

		memcpy(forger.name, W[1].name, sizeof(forger.name));
		memcpy(forger.id, W[1].id, 4);
		cosign(line, sizeof(line), &forger, body, 1700000005);
		snprintf(cs, sizeof(cs), "%s%s%s", l1, line, l3);
		assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)),
		                 MF_E_BAD_SIGNATURE);
		assert_int_equal(r.cosig[1], MF_POLICY_INVALID);
		assert_true(r.quorum_met);
		assert_non_null(strstr(msg, "the cosignature by witness w2 "
		                            "(x2.example) does not verify"));
		assert_non_null(strstr(msg, "INVALID (does not verify): w2"));
	}
	/* 4. A cosignature of another checkpoint does not verify here. */
	cosign(line, sizeof(line), &W[0],
	       ORIGIN "\n43\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
	       1700000000);
	snprintf(cs, sizeof(cs), "%s%s", line, l2);
	assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)),
	                 MF_E_BAD_SIGNATURE);
	assert_int_equal(r.cosig[0], MF_POLICY_INVALID);
	/* 5. A tampered timestamp does not verify either. */
	{
		char *sp = strrchr(l1, ' '), tampered[300];
		uint8_t *raw;
		size_t n;
		char *b64;

		assert_int_equal(
		    mf_base64_decode(&raw, &n, sp + 1, strlen(sp + 1) - 1), 0);
		raw[11] ^= 1;
		b64 = mf_base64_encode_alloc(raw, n);
		snprintf(tampered, sizeof(tampered), EM " %s %s\n", W[0].name,
		         b64);
		free(b64);
		free(raw);
		snprintf(cs, sizeof(cs), "%s%s", tampered, l2);
		assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)),
		                 MF_E_BAD_SIGNATURE);
	}
	/* 6. A line with w1's name but another key id is somebody else's:
	 * ignored, so w1 is missing. */
	{
		struct wkey stranger;

		wkey_make(&stranger, W[0].name);
		cosign(line, sizeof(line), &stranger, body, 1700000000);
		EVP_PKEY_free(stranger.pkey);
		snprintf(cs, sizeof(cs), "%s%s", line, l2);
		assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)),
		                 MF_E_FORBIDDEN);
		assert_int_equal(r.cosig[0], MF_POLICY_MISSING);
		assert_int_equal(r.cosig[1], MF_POLICY_VALID);
	}
	/* 7. (Review of issue 17.) w1's valid line twice (a proof file
	 * edited by hand): refused, and the message says why, not only
	 * "forged or corrupt". */
	snprintf(cs, sizeof(cs), "%s%s%s", l1, l1, l2);
	assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)),
	                 MF_E_BAD_SIGNATURE);
	assert_int_equal(r.cosig[0], MF_POLICY_INVALID);
	assert_non_null(strstr(msg, "signed the note twice"));
	mf_policy_free(p);
	mf_policy_result_dispose(&r);
}

static void
test_check_log(void **state)
{
	struct mf_policy *p = two_of_three(0), *q;
	struct mf_policy_result r;
	char l1[300], l2[300], cs[800], msg[600], text[4096];
	char *skey = NULL, *vkey = NULL;
	struct mf_error err;

	(void)state;
	mf_policy_result_init(&r);
	cosign(l1, sizeof(l1), &W[0], body, 1);
	cosign(l2, sizeof(l2), &W[1], body, 2);
	snprintf(cs, sizeof(cs), "%s%s", l1, l2);
	/* 1. No log line and no key: no log to trust. */
	assert_int_equal(check(p, cs, NULL, &r, msg, sizeof(msg)),
	                 MF_E_UNKNOWN_KEY);
	assert_false(r.log_ok);
	/* 2. The key given stands in for the log line. */
	assert_int_equal(check(p, cs, log_vkey, &r, msg, sizeof(msg)), 0);
	assert_true(r.log == SIZE_MAX);
	/* 3. Another key of the same name: not this log. */
	mf_error_init(&err);
	assert_int_equal(mf_note_generate_key(&skey, &vkey, ORIGIN, &err), 0);
	assert_int_equal(check(p, cs, vkey, &r, msg, sizeof(msg)),
	                 MF_E_UNKNOWN_KEY);
	/* 4. A policy whose log has another origin. */
	free(skey);
	free(vkey);
	assert_int_equal(
	    mf_note_generate_key(&skey, &vkey, "other.example/log", &err), 0);
	snprintf(text, sizeof(text), "log %s\nquorum none\n", vkey);
	q = parse_ok(text);
	assert_int_equal(check(q, cs, NULL, &r, msg, sizeof(msg)),
	                 MF_E_UNKNOWN_KEY);
	assert_non_null(strstr(msg, "no log key for the checkpoint's origin "
	                            "\"" ORIGIN "\""));
	mf_policy_free(q);
	/* 5. quorum none with the log line: the log signature suffices. */
	snprintf(text, sizeof(text), "log %s\nquorum none\n", log_vkey);
	q = parse_ok(text);
	assert_int_equal(check(q, "", NULL, &r, msg, sizeof(msg)), 0);
	assert_true(r.quorum_met);
	mf_policy_free(q);
	/* 6. A tampered body fails the log's signature first. */
	{
		char *note = signed_checkpoint(body, cs);

		note[strlen(ORIGIN) + 2] = '3'; /* 42 -> 43 */
		mf_error_dispose(&err);
		mf_error_init(&err);
		assert_int_equal(
		    mf_policy_check(p, note, strlen(note), log_vkey, &r, &err),
		    MF_E_BAD_SIGNATURE);
		assert_false(r.log_ok);
		free(note);
	}
	free(skey);
	free(vkey);
	mf_error_dispose(&err);
	mf_policy_free(p);
	mf_policy_result_dispose(&r);
}

/*
 * A tlog-proof file keeps the cosigned checkpoint verbatim: written with
 * three cosignature lines and parsed back, its checkpoint still meets the
 * policy offline; with one line left, it does not.
 */
static void
test_tlog_proof_keeps_cosignatures(void **state)
{
	uint8_t path[2][MF_MERKLE_HASH_LEN];
	struct mf_policy *p = two_of_three(1);
	struct mf_policy_result r;
	struct mf_buf b = MF_BUF_INIT;
	struct mf_tlog_proof tp;
	struct mf_error err;
	char l1[300], l2[300], l3[300], cs[1200];
	char *note;

	(void)state;
	memset(path, 9, sizeof(path));
	cosign(l1, sizeof(l1), &W[0], body, 1);
	cosign(l2, sizeof(l2), &W[1], body, 2);
	cosign(l3, sizeof(l3), &W[2], body, 3);
	snprintf(cs, sizeof(cs), "%s%s%s", l1, l2, l3);
	note = signed_checkpoint(body, cs);
	assert_int_equal(mf_tlog_proof_format(&b, (const uint8_t *)"entry\n", 6,
	                                      5, (const uint8_t(*)[32])path, 2,
	                                      note, strlen(note)),
	                 0);
	mf_error_init(&err);
	mf_policy_result_init(&r);
	assert_int_equal(mf_tlog_proof_parse(&tp, b.data, b.len, &err), 0);
	assert_int_equal(tp.checkpoint_len, strlen(note));
	assert_memory_equal(tp.checkpoint, note, strlen(note));
	assert_int_equal(mf_policy_check(p, tp.checkpoint, tp.checkpoint_len,
	                                 NULL, &r, &err),
	                 0);
	assert_int_equal(r.n_valid, 3);
	mf_tlog_proof_dispose(&tp);
	free(note);
	mf_buf_dispose(&b);
	/* The same file with one cosignature: refused. */
	note = signed_checkpoint(body, l2);
	assert_int_equal(mf_tlog_proof_format(&b, NULL, 0, 5,
	                                      (const uint8_t(*)[32])path, 2,
	                                      note, strlen(note)),
	                 0);
	assert_int_equal(mf_tlog_proof_parse(&tp, b.data, b.len, &err), 0);
	assert_int_equal(mf_policy_check(p, tp.checkpoint, tp.checkpoint_len,
	                                 NULL, &r, &err),
	                 MF_E_FORBIDDEN);
	mf_tlog_proof_dispose(&tp);
	free(note);
	mf_buf_dispose(&b);
	mf_policy_result_dispose(&r);
	mf_error_dispose(&err);
	mf_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_example),
	    cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_nested),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_check_log),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_tlog_proof_keeps_cosignatures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
