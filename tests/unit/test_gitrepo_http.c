/*
 * Unit tests for the dumb-HTTP path classifier (server/handlers_git.h):
 * only the exact shapes git's dumb protocol asks for are served.
 */
#include "api/git.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#define HEX38 "0123456789abcdef0123456789abcdef012345"
#define HEX40 "0123456789abcdef0123456789abcdef01234567"

static void
test_served_shapes(void **state)
{
	static const struct {
		const char *path;
		enum mf_git_file kind;
		const char *type;
	} ok[] = {
	    {"HEAD", MF_GIT_FILE_HEAD, "text/plain"},
	    {"info/refs", MF_GIT_FILE_INFO_REFS, "text/plain; charset=utf-8"},
	    {"objects/info/packs", MF_GIT_FILE_INFO_PACKS,
	     "text/plain; charset=utf-8"},
	    {"objects/ab/" HEX38, MF_GIT_FILE_LOOSE,
	     "application/x-git-loose-object"},
	    {"objects/pack/pack-" HEX40 ".pack", MF_GIT_FILE_PACK,
	     "application/x-git-packed-objects"},
	    {"objects/pack/pack-" HEX40 ".idx", MF_GIT_FILE_PACK_INDEX,
	     "application/x-git-packed-objects-toc"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		enum mf_git_file k = mf_git_file_classify(ok[i].path);

		assert_int_equal(k, ok[i].kind);
		assert_string_equal(mf_git_file_content_type(k), ok[i].type);
	}
	assert_false(mf_git_file_immutable(MF_GIT_FILE_INFO_REFS));
	assert_false(mf_git_file_immutable(MF_GIT_FILE_HEAD));
	assert_false(mf_git_file_immutable(MF_GIT_FILE_INFO_PACKS));
	assert_true(mf_git_file_immutable(MF_GIT_FILE_LOOSE));
	assert_true(mf_git_file_immutable(MF_GIT_FILE_PACK));
	assert_true(mf_git_file_immutable(MF_GIT_FILE_PACK_INDEX));
}

static void
test_everything_else_is_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "..",
	    "../config",
	    "config",
	    "description",
	    "packed-refs",
	    "refs/heads/main",
	    "hooks/post-update",
	    "info/refs/",
	    "info/refs/../../config",
	    "info/exclude",
	    "HEAD/",
	    "./HEAD",
	    "objects/info/alternates",
	    "objects/info/http-alternates",
	    "objects/info/packs/../../config",
	    "objects/../config",
	    "objects/ab/../../config",
	    "objects/zz/" HEX38,
	    "objects/AB/" HEX38,
	    "objects/ab/0123456789ABCDEF0123456789abcdef012345",
	    "objects/ab/" HEX38 "0",
	    "objects/ab/" HEX38 "/",
	    "objects/ab/0123456789abcdef0123456789abcdef01234",
	    "objects/ab" HEX38,
	    "objects/pack/pack-" HEX40 ".keep",
	    "objects/pack/pack-" HEX40 ".pack.lock",
	    "objects/pack/pack-" HEX40 ".idx/x",
	    "objects/pack/pack-" HEX40 "0.pack",
	    "objects/pack/tmp_pack_abc",
	    "objects/pack/../../config",
	    "objects/pack/pack-../../../etc/passwd.pack",
	};
	size_t i;

	(void)state;
	assert_int_equal(mf_git_file_classify(NULL), MF_GIT_FILE_NONE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mf_git_file_classify(bad[i]) != MF_GIT_FILE_NONE)
			fail_msg("'%s' should not be served", bad[i]);
	}
	assert_null(mf_git_file_content_type(MF_GIT_FILE_NONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_served_shapes),
	    cmocka_unit_test(test_everything_else_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
