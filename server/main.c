/*
 * modelfactsd: loads the configuration, applies migrations, serves HTTP
 * until SIGINT or SIGTERM, then lets in-flight requests finish.
 */
#include "common/diag.h"
#include "common/version.h"
#include "app/app.h"
#include "app/config.h"
#include "db/db.h"
#include "git/repo.h"
#include "http/http.h"
#include "db/migrate.h"
#include "db/replica.h"
#include "publish/publisher.h"
#include "http/cache.h"
#include "ingest/keycache.h"
#include "sequencer/logwait.h"
#include "app/registry.h"
#include "app/registry_keys.h"
#include "sequencer/lease.h"
#include "sequencer/sequencer.h"
#include "site/routes.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 10000
/* How long a submission waits for the log before answering 202. */
#define LOG_WAIT_MS 30000
/* Rendered labels kept in memory. */
#define CACHE_BYTES (256u << 20)

/*
 * This node's id for the leader leases (sequencer/lease.h), kept in
 * STATE-DIR/node.id so that a restarted node takes its own leases back at
 * once. Made on first start from the host name and random bytes.
 */
static int
load_node_id(const char *state_dir, struct mf_error *err)
{
	char path[MF_CONFIG_STR_MAX + 16], id[128], host[64] = "";
	unsigned char rnd[8];
	FILE *f;
	size_t n;
	int rc = 0;

	/* 1. The id kept from an earlier start. */
	snprintf(path, sizeof(path), "%s/node.id", state_dir);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(id, 1, sizeof(id) - 1, f);
		fclose(f);
		id[n] = '\0';
		id[strcspn(id, "\r\n")] = '\0';
		if (id[0] != '\0') {
			mf_lease_set_node_id(id);
			return 0;
		}
	}

	/* 2. A new one. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return mf_error_set(err, MF_E_IO, NULL, "no random bytes");
	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "node");
	snprintf(id, sizeof(id), "%.63s-%02x%02x%02x%02x%02x%02x%02x%02x", host,
	         rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
	         rnd[7]);
	if ((f = fopen(path, "w")) == NULL || fprintf(f, "%s\n", id) < 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot write %s", path);
	if (f != NULL && fclose(f) != 0 && rc == 0)
		rc = mf_error_set(err, MF_E_IO, NULL, "cannot write %s", path);
	if (rc == 0)
		mf_lease_set_node_id(id);
	return rc;
}

/* Migrations need the database: wait for it a little at start-up. */
static int
migrate_with_retry(int *applied, struct mf_error *err)
{
	struct timespec ts = {0, 250 * 1000 * 1000};
	int i, rc = 0;

	for (i = 0; i < 40; i++) {
		mf_error_dispose(err);
		if ((rc = mf_migrate_apply(applied, err)) != MF_E_UNAVAILABLE)
			return rc;
		nanosleep(&ts, NULL);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static struct mf_config cfg;
	struct mf_http_options hopt;
	struct mf_route *routes = NULL;
	size_t nroutes = 0;
	struct mf_app app = {0};
	struct mf_http *http = NULL;
	struct mf_publisher *publisher = NULL;
	struct mf_gitrepo *git = NULL;
	struct mf_error err;
	sigset_t sigs;
	int rc, sig, applied = 0;

	if ((rc = mf_config_load(&cfg, argc, argv, stderr)) != 0)
		return rc > 0 ? 0 : 2;
	mf_diag_set_level(
	    (enum mf_diag_level)mf_diag_level_parse(cfg.log_level));
	mf_diag_set_format(
	    (enum mf_diag_format)mf_diag_format_parse(cfg.log_format));
	mf_error_init(&err);

	/*
	 * Signals go to sigwait below, never to the worker threads. A shell
	 * starts background jobs with SIGINT ignored: undo that first.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (mf_db_global_init(cfg.database_url) != 0)
		return 1;
	mf_db_set_timeout((int)cfg.db_timeout);
	if (mf_db_replica_configure(cfg.database_url_read,
	                            (int)cfg.replica_max_lag * 1000) != 0)
		return 1;
	if (migrate_with_retry(&applied, &err) != 0) {
		mf_diag_error("cannot prepare the database: %s", err.message);
		return 1;
	}
	app.cfg = &cfg;
	app.migrations_latest = mf_migrate_latest(&app.migrations_count);
	mf_diag_info("database ready: migrations at %04d (%d applied now)",
	             app.migrations_latest, applied);
	if (cfg.migrate_only)
		return 0;
	if (mf_registry_setup(&cfg, &err) != 0 ||
	    load_node_id(cfg.state_dir, &err) != 0 ||
	    mf_registry_keys_load(&app.keys, &cfg, &err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	if ((app.cache = mf_cache_new(CACHE_BYTES)) == NULL) {
		mf_diag_error("out of memory");
		return 1;
	}
	mf_sequencer_set_lease_ms((unsigned)cfg.lease_ms);
	if (mf_logwait_start(&app.logwait, LOG_WAIT_MS, &err) != 0 ||
	    (app.keys.log_signer != NULL && !cfg.no_publisher &&
	     mf_sequencer_start(&app.sequencer, cfg.origin, app.keys.log_signer,
	                        app.logwait, &err) != 0)) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	/* The repository exists from the first start on, so clones work. */
	if (mf_gitrepo_open(&git, cfg.git_dir, NULL, &err) != 0) {
		mf_diag_error("git repository %s: %s", cfg.git_dir,
		              err.message);
		return 1;
	}
	mf_gitrepo_free(git);
	app.git_dir = cfg.git_dir;
	if (app.keys.commit_key != NULL && !cfg.no_publisher &&
	    !cfg.no_git_publisher &&
	    mf_publisher_start(&publisher, &app, &err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}

	hopt.listen = cfg.listen;
	hopt.port = (unsigned)cfg.port;
	hopt.threads = (unsigned)cfg.threads;
	hopt.max_body = cfg.max_body;
	hopt.max_connections = (unsigned)cfg.max_connections;
	hopt.per_ip_limit = (unsigned)cfg.per_ip_limit;
	hopt.conn_timeout = (unsigned)cfg.conn_timeout;
	hopt.header_timeout = (unsigned)cfg.header_timeout;
	hopt.body_timeout = (unsigned)cfg.body_timeout;
	hopt.rate_read = cfg.rate_read;
	hopt.rate_submit = cfg.rate_submit;
	hopt.rate_submit_key = cfg.rate_submit_key;
	hopt.trusted_proxy = cfg.trusted_proxy;
	hopt.rate_exempt = cfg.rate_exempt;
	hopt.rate_nodes = cfg.rate_nodes;
	hopt.metrics_token_file = cfg.metrics_token;
	hopt.not_found = mf_site_not_found;
	if (mf_site_route_table(&routes, &nroutes) != 0) {
		mf_diag_error("out of memory");
		return 1;
	}
	if (mf_db_replica_start(&err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	if (mf_http_start(&http, &hopt, routes, nroutes, &app, &err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	mf_diag_info("modelfactsd %s serving %s (origin %s)", MF_VERSION,
	             cfg.public_url, cfg.origin);

	sigwait(&sigs, &sig);
	mf_diag_info("received %s: finishing in-flight requests",
	             sig == SIGINT ? "SIGINT" : "SIGTERM");
	mf_http_stop(http, SHUTDOWN_GRACE_MS);
	free(routes);
	/* Background work stops after the last request has its answer. */
	mf_sequencer_stop(app.sequencer); /* it hands batches to logwait */
	mf_logwait_stop(app.logwait);
	mf_publisher_stop(publisher);
	mf_db_replica_stop();
	mf_registry_keys_dispose(&app.keys);
	mf_keycache_clear();
	mf_cache_free(app.cache);
	mf_error_dispose(&err);
	mf_diag_info("stopped");
	return 0;
}
