/*
 * What unit tests that run real tools share: a scratch directory under
 * build/tmp (cmocka group setup and teardown), shell commands run in it,
 * files read and written in it, and a check that a tool is installed.
 * Linked into every unit-test binary (tests/unit/support/).
 */
#ifndef MF_TEST_SCRATCH_H
#define MF_TEST_SCRATCH_H

#include <stddef.h>

/* cmocka group setup/teardown: a fresh build/tmp/unit.XXXXXX, removed. */
int mf_test_scratch_setup(void **state);
int mf_test_scratch_teardown(void **state);
/* The scratch directory's path. */
const char *mf_test_scratch(void);

/* True when the command is on PATH. */
int mf_test_have(const char *tool);
/* Skips the calling test (counted as skipped) unless every tool in the
 * NULL-terminated list is installed, saying which is missing. */
void mf_test_require(const char *tool, ...);
/* Runs a shell command in the scratch directory, output discarded; its
 * exit status, or -1. */
int mf_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A file of the scratch directory: read whole (NUL-terminated, new) or
 * written; both fail the test on error. */
char *mf_test_slurp(const char *name, size_t *len);
void mf_test_spit(const char *name, const void *data, size_t len);

#endif
