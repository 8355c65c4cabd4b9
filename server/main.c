/*
 * modelfactsd: loads the configuration, binds the port (and reads the TLS
 * key) while it may still be root, drops to --user, applies migrations,
 * serves HTTP until SIGINT or SIGTERM, then lets in-flight requests finish.
 * SIGHUP re-reads the configuration and applies what may change at run
 * time (reload_config).
 */
#include "common/diag.h"
#include "common/version.h"
#include "cosigning/cosigner.h"
#include "app/app.h"
#include "app/config.h"
#include "db/db.h"
#include "git/mirror.h"
#include "git/repo.h"
#include "http/http.h"
#include "db/migrate.h"
#include "db/replica.h"
#include "publish/publisher.h"
#include "http/cache.h"
#include "ingest/keycache.h"
#include "sequencer/logwait.h"
#include "app/registry.h"
#include "common/file.h"
#include "app/registry_keys.h"
#include "sequencer/lease.h"
#include "sequencer/sequencer.h"
#include "site/routes.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
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
/* Largest TLS certificate chain or key file read. */
#define TLS_FILE_MAX (1u << 20)

/* Whether addr (numeric) is a loopback address: 127.0.0.0/8 or ::1. */
static bool
is_loopback(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 &&
	       memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
}

/*
 * Privilege policy (README, "Running as a service"): as root, --user
 * names who the server becomes once the port is bound and the TLS key
 * read; root without --user may only listen on loopback (development,
 * `make run`). Not root, --user must be the current user or absent.
 */
static int
drop_privileges(const struct mf_config *cfg, struct mf_error *err)
{
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	/* Step 1: nothing to do, or refuse root on a public address. */
	if (cfg->user[0] == '\0') {
		if (geteuid() == 0 && !cfg->migrate_only &&
		    !is_loopback(cfg->listen))
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "refusing to serve %s as root: "
			                    "give --user (e.g. modelfacts)",
			                    cfg->listen);
		return 0;
	}
	/* Step 2: who to become. */
	errno = 0;
	if ((pw = getpwnam(cfg->user)) == NULL)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "user '%s' does not exist", cfg->user);
	if (pw->pw_uid == 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "--user must not be root");
	gid = pw->pw_gid;
	if (cfg->group[0] != '\0') {
		if ((gr = getgrnam(cfg->group)) == NULL)
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "group '%s' does not exist",
			                    cfg->group);
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid && getegid() == gid)
			return 0;
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "--user %s needs the server started as "
		                    "root",
		                    cfg->user);
	}
	/* Step 3: groups first (only root may change them), then the user;
	 * no thread runs yet, so every thread has the same credentials. */
	if (initgroups(pw->pw_name, gid) != 0 || setgid(gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot become %s: %s", cfg->user,
		                    strerror(errno));
	/* Step 4: and there is no way back. */
	if (setuid(0) == 0 || geteuid() == 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "privileges were not dropped");
	/* Step 5: root's HOME would stop libgit2 (it looks for a
	 * ~/.gitconfig it may no longer stat); still one thread here. */
	if (setenv("HOME", pw->pw_dir, 1) != 0 ||
	    setenv("USER", pw->pw_name, 1) != 0 ||
	    setenv("LOGNAME", pw->pw_name, 1) != 0)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	mf_diag_info("running as %s (uid %u, gid %u)", cfg->user,
	             (unsigned)pw->pw_uid, (unsigned)gid);
	return 0;
}

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

/*
 * SIGHUP: loads the configuration again (the --config file, the same
 * environment and flags) and applies, without closing a connection, the
 * log level, the rate limits, the trusted proxies and (started with TLS)
 * the certificate and key, read again from their files. Anything else that
 * changed is reported as waiting for a restart; an invalid configuration
 * changes nothing.
 */
static void
reload_config(struct mf_config *cfg, int argc, char **argv,
              struct mf_http *http)
{
	static struct mf_config fresh, rest;
	struct mf_http_options hopt;
	char *cert = NULL, *key = NULL;
	struct mf_error err;
	bool tls;

	mf_error_init(&err);
	/* Step 1: the whole configuration, checked as at start. */
	if (mf_config_load(&fresh, argc, argv, stderr) != 0) {
		mf_diag_error("SIGHUP: the configuration is invalid (above); "
		              "nothing changed");
		goto done;
	}
	/* Step 2: the HTTP layer's part, all or nothing: the files of a
	 * server started with TLS are read again (as the user it runs as) */
	memset(&hopt, 0, sizeof(hopt));
	hopt.rate_read = fresh.rate_read;
	hopt.rate_submit = fresh.rate_submit;
	hopt.rate_submit_key = fresh.rate_submit_key;
	hopt.trusted_proxy = fresh.trusted_proxy;
	tls = cfg->tls_cert[0] != '\0' && fresh.tls_cert[0] != '\0';
	if (tls && (mf_file_read(&cert, NULL, fresh.tls_cert, TLS_FILE_MAX,
	                         &err) != 0 ||
	            mf_file_read(&key, NULL, fresh.tls_key, TLS_FILE_MAX,
	                         &err) != 0)) {
		mf_diag_error("SIGHUP: TLS: %s; nothing changed", err.message);
		goto done;
	}
	hopt.tls_cert_pem = cert;
	hopt.tls_key_pem = key;
	if (mf_http_reload(http, &hopt, &err) != 0) {
		mf_diag_error("SIGHUP: %s; nothing changed", err.message);
		goto done;
	}
	mf_diag_set_level(
	    (enum mf_diag_level)mf_diag_level_parse(fresh.log_level));
	/* Step 3: what else changed waits for a restart. */
	rest = fresh;
	memcpy(rest.log_level, cfg->log_level, sizeof(rest.log_level));
	rest.rate_read = cfg->rate_read;
	rest.rate_submit = cfg->rate_submit;
	rest.rate_submit_key = cfg->rate_submit_key;
	memcpy(rest.trusted_proxy, cfg->trusted_proxy,
	       sizeof(rest.trusted_proxy));
	if (tls) {
		memcpy(rest.tls_cert, cfg->tls_cert, sizeof(rest.tls_cert));
		memcpy(rest.tls_key, cfg->tls_key, sizeof(rest.tls_key));
	}
	mf_diag_info("SIGHUP: reloaded: log-level %s, rate-read %lu, "
	             "rate-submit %lu, rate-submit-key %lu, trusted-proxy "
	             "'%s'%s%s",
	             fresh.log_level, fresh.rate_read, fresh.rate_submit,
	             fresh.rate_submit_key, fresh.trusted_proxy,
	             tls ? ", TLS certificate " : "",
	             tls ? fresh.tls_cert : "");
	if (memcmp(&rest, cfg, sizeof(rest)) != 0)
		mf_diag_warn("SIGHUP: other options changed too; they take "
		             "effect at the next start");
done:
	if (key != NULL)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	free(cert);
	mf_error_dispose(&err);
}

int
main(int argc, char **argv)
{
	static struct mf_config cfg;
	struct mf_http_options hopt;
	char *tls_cert = NULL, *tls_key = NULL;
	int listen_fd = -1;
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
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* What may need root: the TLS files and the port; then drop it. */
	if (cfg.tls_cert[0] != '\0' &&
	    (mf_file_read(&tls_cert, NULL, cfg.tls_cert, TLS_FILE_MAX, &err) !=
	         0 ||
	     mf_file_read(&tls_key, NULL, cfg.tls_key, TLS_FILE_MAX, &err) !=
	         0)) {
		mf_diag_error("TLS: %s", err.message);
		return 1;
	}
	if (tls_cert != NULL && !mf_http_tls_supported()) {
		mf_diag_error("TLS: this libmicrohttpd has no TLS support");
		return 1;
	}
	/* (--migrate-only serves nothing: it binds no port) */
	if ((!cfg.migrate_only && mf_http_bind(cfg.listen, (unsigned)cfg.port,
	                                       &listen_fd, &err) != 0) ||
	    drop_privileges(&cfg, &err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}

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
	/* Witnesses are asked by the node that sequences (--witnesses);
	 * every node checks the file first, before any thread runs. */
	if (mf_cosigning_new(&app.cosigning, cfg.witnesses, &err) != 0) {
		mf_diag_error("witnesses: %s", err.message);
		return 1;
	}
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
	/* before the publisher, which notifies it after each batch */
	if (mf_mirror_start(&app.mirror, cfg.git_dir, cfg.git_mirrors, &err) !=
	    0) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	if (app.keys.commit_key != NULL && !cfg.no_publisher &&
	    !cfg.no_git_publisher &&
	    mf_publisher_start(&publisher, &app, &err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}

	if (mf_cosigning_start(app.cosigning, app.logwait, &err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}

	memset(&hopt, 0, sizeof(hopt));
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
	hopt.tls_cert_pem = tls_cert;
	hopt.tls_key_pem = tls_key;
	hopt.listen_fd = listen_fd;
	if (mf_site_route_table(&routes, &nroutes) != 0) {
		mf_diag_error("out of memory");
		return 1;
	}
	if (mf_db_replica_start(&err) != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	rc = mf_http_start(&http, &hopt, routes, nroutes, &app, &err);
	/* libmicrohttpd has its copy of the key now */
	if (tls_key != NULL)
		OPENSSL_cleanse(tls_key, strlen(tls_key));
	free(tls_key);
	free(tls_cert);
	if (rc != 0) {
		mf_diag_error("%s", err.message);
		return 1;
	}
	mf_diag_info("modelfactsd %s serving %s (origin %s)", MF_VERSION,
	             cfg.public_url, cfg.origin);

	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP)
		reload_config(&cfg, argc, argv, http);
	mf_diag_info("received %s: finishing in-flight requests",
	             sig == SIGINT ? "SIGINT" : "SIGTERM");
	mf_http_stop(http, SHUTDOWN_GRACE_MS);
	free(routes);
	/* Background work stops after the last request has its answer. */
	mf_cosigning_stop(app.cosigning); /* it asks logwait who leads */
	mf_sequencer_stop(app.sequencer); /* it hands batches to logwait */
	mf_logwait_stop(app.logwait);
	mf_publisher_stop(publisher);
	mf_db_replica_stop();
	mf_mirror_stop(app.mirror, 5000);
	mf_registry_keys_dispose(&app.keys);
	mf_keycache_clear();
	mf_cache_free(app.cache);
	mf_error_dispose(&err);
	mf_diag_info("stopped");
	return 0;
}
