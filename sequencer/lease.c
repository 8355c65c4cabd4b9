/*
 * The leader lease's timing (see lease.h). Local time only decides when
 * to talk to the database; whether a lease is held is decided there, by
 * the database's clock. A holder counts its lease as lost a little early
 * (from when its renewal began, not from when the database stamped it),
 * so it stops before anyone else can start.
 */
#include "sequencer/lease.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "db/db.h"
#include "db/tlog.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char node_id[160];
static pthread_once_t node_once = PTHREAD_ONCE_INIT;

static void
make_node_id(void)
{
	char host[64] = "";
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	snprintf(node_id, sizeof(node_id), "%s/%ld/%lld.%09ld",
	         host[0] ? host : "node", (long)getpid(), (long long)ts.tv_sec,
	         ts.tv_nsec);
}

const char *
mf_lease_node_id(void)
{
	pthread_once(&node_once, make_node_id);
	return node_id;
}

static void
no_node_id(void)
{
}

void
mf_lease_set_node_id(const char *id)
{
	snprintf(node_id, sizeof(node_id), "%s", id);
	pthread_once(&node_once, no_node_id); /* keeps it */
}

void
mf_lease_init(struct mf_lease *l, const char *role, unsigned ms)
{
	memset(l, 0, sizeof(*l));
	l->role = role;
	l->ms = ms;
	l->tried_ns = INT64_MIN / 2;
	l->reclaim = true;
}

bool
mf_lease_held(const struct mf_lease *l)
{
	return l->token != 0 &&
	       mf_time_mono_ns() - l->renewed_ns < (int64_t)l->ms * 1000000;
}

static void
step_down(struct mf_lease *l, const char *why)
{
	if (l->token != 0)
		mf_diag_warn("%s lease (token %" PRId64 ") lost: %s", l->role,
		             l->token, why);
	l->token = 0;
}

int
mf_lease_tick(struct mf_lease *l, bool *gained, struct mf_error *err)
{
	int64_t now = mf_time_mono_ns(), third = (int64_t)l->ms * 1000000 / 3;
	int64_t retry = third < 200000000 ? third : 200000000;
	unsigned idle;
	bool held;
	int rc;

	*gained = false;
	/* 1. Past the local expiry: nothing we write may count any more. */
	if (l->token != 0 && !mf_lease_held(l))
		step_down(l, "not renewed in time");
	if (l->token != 0 && now - l->renewed_ns < third)
		return 0;
	if (l->token == 0 && now - l->tried_ns < retry)
		return 0;

	/* 2. A new session gets the idle-in-transaction limit first. */
	if (mf_db_connect(err) != 0)
		return err->code;
	if (l->session != mf_db_generation()) {
		idle = l->ms < 1000 ? 1000 : l->ms;
		if ((rc = mf_db_lease_session(idle, err)) != 0)
			return rc;
		l->session = mf_db_generation();
	}

	/* 3. Renew, or try to acquire. */
	if (l->token != 0) {
		if ((rc = mf_db_lease_renew(&held, l->role, l->token, l->ms,
		                            err)) != 0)
			return rc;
		if (held)
			l->renewed_ns = now;
		else
			step_down(l, "another node holds it");
		return 0;
	}
	l->tried_ns = now;
	if ((rc = mf_db_lease_acquire(&l->token, l->role, mf_lease_node_id(),
	                              l->ms, l->reclaim, err)) != 0)
		return rc;
	l->reclaim = false; /* only the first attempt after the start */
	if (l->token != 0) {
		l->renewed_ns = now;
		*gained = true;
		mf_diag_info("%s lease acquired by %s (token %" PRId64 ")",
		             l->role, mf_lease_node_id(), l->token);
	}
	return 0;
}

int
mf_lease_fence(struct mf_lease *l, struct mf_error *err)
{
	int rc;

	if (!mf_lease_held(l)) {
		step_down(l, "expired");
		return mf_error_set(err, MF_E_CONFLICT, NULL,
		                    "the %s lease is not held", l->role);
	}
	if ((rc = mf_db_lease_fence(l->role, l->token, err)) == MF_E_CONFLICT)
		step_down(l, "another node took it over");
	return rc;
}

void
mf_lease_release(struct mf_lease *l)
{
	struct mf_error err;

	if (l->token == 0)
		return;
	mf_error_init(&err);
	if (mf_db_lease_release(l->role, l->token, &err) != 0)
		mf_diag_warn("%s lease: cannot release: %s", l->role,
		             err.message);
	mf_error_dispose(&err);
	l->token = 0;
}
