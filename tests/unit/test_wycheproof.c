/*
 * Runs mf_verify_message over every Wycheproof vector for the algorithms
 * the registry accepts (shared/data/wycheproof), and checks that P1363
 * ECDSA signatures are never accepted. Prints per-file counts.
 */
#include "common/encoding.h"
#include "common/error.h"
#include "envelope/keys.h"
#include "envelope/verify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

static char data_dir[4096];

/* MF_SHARED_DATA, else ../shared/data next to the repository. */
static int
find_data(void)
{
	const char *env = getenv("MF_SHARED_DATA");
	struct stat st;

	snprintf(data_dir, sizeof(data_dir), "%s/wycheproof",
	         env != NULL && env[0] != '\0' ? env : "../shared/data");
	return stat(data_dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static uint8_t *
hex_alloc(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *out;

	/* Wycheproof hex is always even-length; odd would be a harness bug. */
	assert_int_equal(n % 2, 0);
	out = malloc(n / 2 + 1);
	assert_non_null(out);
	assert_int_equal(mf_hex_decode(out, n / 2, hex), 0);
	*len = n / 2;
	return out;
}

struct counts {
	int valid_ok, invalid_ok, acceptable, mismatches, total;
};

/*
 * expect_all_invalid: every vector must be rejected whatever its result
 * (used for P1363, an encoding the registry does not accept).
 */
static void
run_file(const char *name, enum mf_key_alg want_alg, int expect_all_invalid,
         struct counts *c)
{
	char path[4200];
	json_error_t je;
	json_t *doc, *groups, *g, *tests, *t;
	size_t gi, ti, msg_len, sig_len;
	struct mf_key *key;
	struct mf_error err;
	uint8_t *msg, *sig;
	const char *pem, *result;
	int rc, want_ok;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	doc = json_load_file(path, 0, &je);
	if (doc == NULL)
		fail_msg("cannot load %s: %s", path, je.text);
	groups = json_object_get(doc, "testGroups");
	assert_true(json_array_size(groups) > 0);
	json_array_foreach(groups, gi, g)
	{
		pem = json_string_value(json_object_get(g, "publicKeyPem"));
		assert_non_null(pem);
		mf_error_init(&err);
		rc = mf_key_parse_public(&key, pem, strlen(pem), &err);
		if (rc != 0)
			fail_msg("%s group %zu: key rejected: %s", name, gi,
			         err.message);
		assert_int_equal(mf_key_alg(key), want_alg);
		if (want_alg == MF_KEY_RSA_PSS) {
			/* The group must match our fixed PSS parameters. */
			assert_int_equal(
			    json_integer_value(json_object_get(g, "sLen")),
			    MF_RSA_PSS_SALT_LEN);
			assert_string_equal(
			    json_string_value(json_object_get(g, "mgfSha")),
			    "SHA-256");
		}
		tests = json_object_get(g, "tests");
		json_array_foreach(tests, ti, t)
		{
			msg = hex_alloc(
			    json_string_value(json_object_get(t, "msg")),
			    &msg_len);
			sig = hex_alloc(
			    json_string_value(json_object_get(t, "sig")),
			    &sig_len);
			result =
			    json_string_value(json_object_get(t, "result"));
			mf_error_init(&err);
			rc = mf_verify_message(key, msg, msg_len, sig, sig_len,
			                       NULL, &err);
			c->total++;
			if (strcmp(result, "acceptable") == 0) {
				/* Policy (README): reject; none exist now. */
				c->acceptable++;
				want_ok = 0;
			} else {
				want_ok = strcmp(result, "valid") == 0 &&
				          !expect_all_invalid;
			}
			if ((rc == 0) != want_ok) {
				c->mismatches++;
				printf("  MISMATCH %s tcId %lld (%s, %s): "
				       "got %s\n",
				       name,
				       (long long)json_integer_value(
				           json_object_get(t, "tcId")),
				       result,
				       json_string_value(
				           json_object_get(t, "comment")),
				       rc == 0 ? "accepted" : err.message);
			} else if (rc == 0) {
				c->valid_ok++;
			} else {
				assert_int_equal(rc, MF_E_BAD_SIGNATURE);
				c->invalid_ok++;
			}
			mf_error_dispose(&err);
			free(msg);
			free(sig);
		}
		mf_key_free(key);
	}
	assert_int_equal(c->total, json_integer_value(
	                               json_object_get(doc, "numberOfTests")));
	json_decref(doc);
	printf("  %-44s %4d vectors: %3d valid accepted, %3d rejected, "
	       "%d acceptable, %d mismatches\n",
	       name, c->total, c->valid_ok, c->invalid_ok, c->acceptable,
	       c->mismatches);
}

static void
check_file(const char *name, enum mf_key_alg alg, int all_invalid)
{
	struct counts c;

	if (!find_data()) {
		printf("  shared data not found at %s (set MF_SHARED_DATA); "
		       "skipping\n",
		       data_dir);
		skip();
	}
	run_file(name, alg, all_invalid, &c);
	assert_int_equal(c.mismatches, 0);
	assert_true(c.total > 0);
	if (!all_invalid)
		assert_true(c.valid_ok > 0 && c.invalid_ok > 0);
	else
		assert_int_equal(c.valid_ok, 0);
}

static void
test_ed25519(void **state)
{
	(void)state;
	check_file("ed25519_test.json", MF_KEY_ED25519, 0);
}

static void
test_ecdsa_p256_der(void **state)
{
	(void)state;
	check_file("ecdsa_secp256r1_sha256_test.json", MF_KEY_ECDSA_P256, 0);
}

static void
test_ecdsa_p256_p1363_rejected(void **state)
{
	(void)state;
	check_file("ecdsa_secp256r1_sha256_p1363_test.json", MF_KEY_ECDSA_P256,
	           1);
}

static void
test_rsa_pss(void **state)
{
	(void)state;
	check_file("rsa_pss_2048_sha256_mgf1_32_test.json", MF_KEY_RSA_PSS, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ed25519),
	    cmocka_unit_test(test_ecdsa_p256_der),
	    cmocka_unit_test(test_ecdsa_p256_p1363_rejected),
	    cmocka_unit_test(test_rsa_pss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
