/*
 * Error codes and the error record every module fills in.
 *
 * Functions return 0 or a negative MF_E* code; details go into a
 * caller-provided struct mf_error. One table (error.c) maps each code to
 * its HTTP status and its machine-readable name, so handlers never choose
 * statuses themselves.
 */
#ifndef MF_ERROR_H
#define MF_ERROR_H

#include <jansson.h>
#include <stdarg.h>

enum mf_code {
	MF_OK = 0,
	/* generic */
	MF_E_NOMEM = -1,
	MF_E_INTERNAL = -2,
	MF_E_IO = -3,
	MF_E_UNAVAILABLE = -4,
	MF_E_BAD_REQUEST = -5,
	MF_E_NOT_FOUND = -6,
	MF_E_METHOD = -7,
	MF_E_TOO_LARGE = -8,
	MF_E_BAD_PARAM = -9,
	MF_E_UNSUPPORTED_MEDIA = -10,
	MF_E_UNAUTHORIZED = -11,
	MF_E_FORBIDDEN = -12,
	MF_E_CONFLICT = -13,
	MF_E_NOT_ACCEPTABLE = -14, /* no format the client accepts */
	MF_E_BAD_PATH = -19,       /* a control byte in the request path */
	/* input decoding */
	MF_E_BAD_JSON = -20,
	MF_E_DUPLICATE_KEY = -21,
	MF_E_BAD_UTF8 = -22,
	MF_E_BAD_BASE64 = -23,
	/* envelopes and signatures */
	MF_E_ENVELOPE = -30,
	MF_E_UNKNOWN_KEY = -31,
	MF_E_BAD_SIGNATURE = -32,
	MF_E_KEY_REVOKED = -33,
	MF_E_BAD_KEY = -34,
	MF_E_PAYLOAD_TYPE = -35,
	MF_E_BAD_PROOF = -36, /* a Merkle proof does not verify */
	MF_E_BAD_NOTE = -37,  /* a malformed signed note or checkpoint */
	MF_E_DUPLICATE_SIGNATURE = -38, /* a key signs an envelope twice */
	/* payload checks */
	MF_E_WRONG_REGISTRY = -40,
	MF_E_STALE_SEQ = -41,
	MF_E_ISSUED_AT = -42,
	MF_E_STALE_SUPERSEDES = -43,
	MF_E_VALIDATION = -44,
	MF_E_WRONG_ORG = -45,
	MF_E_WRONG_ROLE = -46,
	MF_E_UNKNOWN_SUBJECT = -47,
	MF_E_PREDICATE_TYPE = -48, /* an in-toto Statement not about an eval */
	/* schemas */
	MF_E_SCHEMA = -50,
	MF_E__MIN = -51
};

/* Enough for one message and one JSON pointer; longer text is truncated. */
#define MF_ERROR_MESSAGE_MAX 512
#define MF_ERROR_POINTER_MAX 512

struct mf_error {
	int code;
	char message[MF_ERROR_MESSAGE_MAX];
	char pointer[MF_ERROR_POINTER_MAX];
	json_t *details; /* owned: array of objects, or NULL */
	json_t *extra; /* owned: extra members for the error object, or NULL */
};

void mf_error_init(struct mf_error *err);
void mf_error_dispose(struct mf_error *err);

/*
 * Records code, JSON pointer (may be NULL) and message; returns code, so
 * callers can write `return mf_error_set(err, MF_E_X, "/a", "...")`.
 * err may be NULL. An already recorded error is never overwritten: the
 * first cause wins, as in libgit2.
 */
int mf_error_set(struct mf_error *err, int code, const char *pointer,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int mf_error_setv(struct mf_error *err, int code, const char *pointer,
                  const char *fmt, va_list ap);

/* Appends {"pointer":..., "message":..., <extra>} to err->details. */
int mf_error_detail(struct mf_error *err, const char *pointer,
                    const char *message);

/* Machine-readable name ("payload_too_large") and HTTP status of a code. */
const char *mf_error_name(int code);
unsigned mf_error_status(int code);

/* The response body {"error":{"code","message","details"}}; new ref. */
json_t *mf_error_json(const struct mf_error *err);

#endif
