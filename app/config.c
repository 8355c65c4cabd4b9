/*
 * The option table and its parser (see config.h). Adding an option is one
 * row here and one field in struct mf_config.
 */
#include "app/config.h"
#include "common/diag.h"
#include "common/slug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* OPT_LIST: a string option that may be given again; each value is
 * appended as a line (the environment's value: words split on spaces). */
enum opt_type { OPT_STRING, OPT_ULONG, OPT_BOOL, OPT_LIST };

struct option_row {
	const char *name; /* --name */
	const char *env;  /* MODELFACTS_NAME, or another variable */
	enum opt_type type;
	size_t offset;
	size_t size; /* for strings: the field's size */
	const char *def;
	unsigned long min, max;
	const char *help;
};

#define STR(field)                                                             \
	OPT_STRING, offsetof(struct mf_config, field),                         \
	    sizeof(((struct mf_config *)0)->field)
#define NUM(field)  OPT_ULONG, offsetof(struct mf_config, field), 0
#define FLAG(field) OPT_BOOL, offsetof(struct mf_config, field), 0
#define LIST(field)                                                            \
	OPT_LIST, offsetof(struct mf_config, field),                           \
	    sizeof(((struct mf_config *)0)->field)

static const struct option_row options[] = {
    {"listen", "MODELFACTS_LISTEN", STR(listen), "127.0.0.1", 0, 0,
     "IPv4 or IPv6 address to listen on"},
    {"port", "MODELFACTS_PORT", NUM(port), "8080", 1, 65535,
     "TCP port to listen on"},
    {"database-url", "DATABASE_URL", STR(database_url), "", 0, 0,
     "PostgreSQL connection string (required; also MODELFACTS_DATABASE_URL)"},
    {"database-url-read", "MODELFACTS_DATABASE_URL_READ",
     STR(database_url_read), "", 0, 0,
     "a streaming replica of the database for read-only requests (GET, "
     "HEAD); writes and the reads they depend on use the primary"},
    {"replica-max-lag", "MODELFACTS_REPLICA_MAX_LAG", NUM(replica_max_lag), "5",
     0, 3600,
     "seconds the replica may trail the primary; beyond that, or when it "
     "cannot be reached, reads go to the primary"},
    {"state-dir", "MODELFACTS_STATE_DIR", STR(state_dir), "var", 0, 0,
     "directory for keys, the git repository and the admin token"},
    {"git-dir", "MODELFACTS_GIT_DIR", STR(git_dir), "", 0, 0,
     "the published bare git repository (default STATE-DIR/labels.git)"},
    {"origin", "MODELFACTS_ORIGIN", STR(origin), "modelfacts.localhost", 0, 0,
     "registry origin name that payloads and checkpoints carry"},
    {"public-url", "MODELFACTS_PUBLIC_URL", STR(public_url), "", 0, 0,
     "base URL for links in responses (default http://LISTEN:PORT)"},
    {"threads", "MODELFACTS_THREADS", NUM(threads), "8", 1, 256,
     "HTTP worker threads, each with its own database connection"},
    {"max-body", "MODELFACTS_MAX_BODY", NUM(max_body), "1048576", 1024,
     64ul << 20, "largest request body in bytes (larger: 413)"},
    {"max-connections", "MODELFACTS_MAX_CONNECTIONS", NUM(max_connections),
     "1024", 1, 65536, "simultaneous HTTP connections"},
    {"per-ip-limit", "MODELFACTS_PER_IP_LIMIT", NUM(per_ip_limit), "64", 1,
     65536,
     "simultaneous connections from one IP address (a quarter of the "
     "slots are kept for addresses holding fewer than 4)"},
    {"conn-timeout", "MODELFACTS_CONN_TIMEOUT", NUM(conn_timeout), "30", 1,
     3600, "seconds before an idle connection is closed"},
    {"db-timeout", "MODELFACTS_DB_TIMEOUT", NUM(db_timeout), "5000", 100,
     600000,
     "milliseconds a request waits for the database (connect, statement, "
     "a frozen server) before it answers 503"},
    {"header-timeout", "MODELFACTS_HEADER_TIMEOUT", NUM(header_timeout), "10",
     1, 3600, "seconds a connection has to send a request's whole header"},
    {"body-timeout", "MODELFACTS_BODY_TIMEOUT", NUM(body_timeout), "30", 1,
     3600, "seconds a request has to send its whole body"},
    {"rate-read", "MODELFACTS_RATE_READ", NUM(rate_read), "6000", 0, 100000000,
     "GET/HEAD requests a minute per client address, in bursts of a tenth "
     "(0: no limit; over it: 429)"},
    {"rate-submit", "MODELFACTS_RATE_SUBMIT", NUM(rate_submit), "600", 0,
     100000000,
     "other requests (submissions, admin) a minute per client address, in "
     "bursts of a tenth (0: no limit)"},
    {"rate-submit-key", "MODELFACTS_RATE_SUBMIT_KEY", NUM(rate_submit_key), "0",
     0, 100000000,
     "accepted submissions a minute per signing key, and requests a minute "
     "per admin token, in bursts of a tenth (0: no limit)"},
    {"trusted-proxy", "MODELFACTS_TRUSTED_PROXY", STR(trusted_proxy), "", 0, 0,
     "CIDR[,CIDR]...: peers whose X-Forwarded-For names the client (its "
     "right-most untrusted address)"},
    {"rate-exempt", "MODELFACTS_RATE_EXEMPT", STR(rate_exempt), "127.0.0.1,::1",
     0, 0,
     "CIDR[,CIDR]...: peers the per-address and per-token limits never "
     "hold (unless they are trusted proxies); \"\" exempts none"},
    {"rate-nodes", "MODELFACTS_RATE_NODES", NUM(rate_nodes), "1", 1, 1024,
     "API nodes sharing the rate limits: each node enforces 1/N of each "
     "limit (rounded up)"},
    {"metrics", "MODELFACTS_METRICS", FLAG(metrics), "1", 0, 0,
     "serve GET /metrics (Prometheus text format); --metrics=0: 404"},
    {"metrics-token", "MODELFACTS_METRICS_TOKEN", STR(metrics_token), "", 0, 0,
     "FILE whose first line GET /metrics requires as a Bearer token "
     "(default: served to every client)"},
    {"log-format", "MODELFACTS_LOG_FORMAT", STR(log_format), "text", 0, 0,
     "text or json (one JSON object a line)"},
    {"log-level", "MODELFACTS_LOG_LEVEL", STR(log_level), "info", 0, 0,
     "debug, info, warn or error"},
    {"issued-at-window", "MODELFACTS_ISSUED_AT_WINDOW", NUM(issued_at_window),
     "86400", 1, 10ul * 365 * 86400,
     "seconds a payload's issued_at may lie from the server's clock"},
    {"migrate-only", "MODELFACTS_MIGRATE_ONLY", FLAG(migrate_only), "0", 0, 0,
     "apply database migrations and exit"},
    {"no-publisher", "MODELFACTS_NO_PUBLISHER", FLAG(no_publisher), "0", 0, 0,
     "never run the log sequencer and git publisher in this process"},
    {"no-git-publisher", "MODELFACTS_NO_GIT_PUBLISHER", FLAG(no_git_publisher),
     "0", 0, 0,
     "sequence the log but leave git publishing to another process (or "
     "to a later start)"},
    {"lease-ms", "MODELFACTS_LEASE_MS", NUM(lease_ms), "5000", 300, 600000,
     "milliseconds a node leads the sequencer or the publisher without "
     "renewing its lease (renewed every third); another node takes over "
     "when it expires"},
    {"tls-cert", "MODELFACTS_TLS_CERT", STR(tls_cert), "", 0, 0,
     "PEM certificate chain: serve HTTPS only (with --tls-key)"},
    {"tls-key", "MODELFACTS_TLS_KEY", STR(tls_key), "", 0, 0,
     "PEM private key of --tls-cert (read before privileges are dropped)"},
    {"user", "MODELFACTS_USER", STR(user), "", 0, 0,
     "run as this user once the port is bound (started as root; required "
     "as root on a non-loopback address)"},
    {"group", "MODELFACTS_GROUP", STR(group), "", 0, 0,
     "with --user: this group instead of the user's primary group"},
    {"config", "MODELFACTS_CONFIG", STR(config_file), "", 0, 0,
     "a file of 'name = value' lines (the options without --; '#' starts a "
     "comment) under the environment and flags; SIGHUP re-reads it"},
    {"git-mirror", "MODELFACTS_GIT_MIRROR", LIST(git_mirrors), "", 0, 0,
     "push the published repository to this git URL or path after each "
     "batch (repeatable; the environment: URLs separated by spaces)"},
    {"witnesses", "MODELFACTS_WITNESSES", STR(witnesses), "", 0, 0,
     "a C2SP tlog-policy FILE: each checkpoint goes to the witnesses its "
     "'witness NAME VKEY URL' lines name (tlog-witness add-checkpoint), "
     "and their cosignatures are served with it (\"\": none)"},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static int
set_option(struct mf_config *cfg, const struct option_row *o, const char *value,
           const char *source, FILE *err)
{
	char *field = (char *)cfg + o->offset, *end;
	unsigned long v;

	switch (o->type) {
	case OPT_STRING:
		if (strlen(value) >= o->size) {
			fprintf(err, "%s: value for %s is too long (max %zu)\n",
			        source, o->name, o->size - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case OPT_ULONG:
		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' ||
		    value[0] == '-' || v < o->min || v > o->max) {
			fprintf(err,
			        "%s: %s must be an integer from %lu to %lu, "
			        "not '%s'\n",
			        source, o->name, o->min, o->max, value);
			return -1;
		}
		*(unsigned long *)(void *)field = v;
		return 0;
	case OPT_LIST: {
		size_t have = strlen(field), n = strlen(value), i;
		bool env = strncmp(source, "--", 2) != 0;

		if (n == 0)
			return 0;
		if (have + n + 2 > o->size) {
			fprintf(err, "%s: too many values for %s\n", source,
			        o->name);
			return -1;
		}
		if (have > 0)
			field[have++] = '\n';
		for (i = 0; i < n; i++) {
			char c = value[i];

			if (env && c == ' ')
				c = '\n';
			else if (c == '\n' || c == '\r') {
				fprintf(err, "%s: %s must be one line\n",
				        source, o->name);
				return -1;
			}
			field[have + i] = c;
		}
		field[have + n] = '\0';
		return 0;
	}
	case OPT_BOOL:
		if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0)
			*(bool *)(void *)field = true;
		else if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0)
			*(bool *)(void *)field = false;
		else {
			fprintf(err,
			        "%s: %s must be 0/1/true/false, not '%s'\n",
			        source, o->name, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

void
mf_config_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: modelfactsd [OPTION]...\n"
	             "Serves the modelfacts registry.\n\n"
	             "Options (flag, environment variable, default):\n");
	for (i = 0; i < N_OPTIONS; i++) {
		const struct option_row *o = &options[i];

		fprintf(out, "  --%s%s\n      %s\n      env %s, default %s\n",
		        o->name, o->type == OPT_BOOL ? "" : "=VALUE", o->help,
		        o->env, o->def[0] ? o->def : "(none)");
	}
	fprintf(out, "  --help\n      print this help and exit\n");
}

static const struct option_row *
find_option(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < N_OPTIONS; i++)
		if (strlen(options[i].name) == n &&
		    strncmp(options[i].name, name, n) == 0)
			return &options[i];
	return NULL;
}

/* The file's path: the last --config flag, else the environment's. */
static const char *
config_path(int argc, char **argv)
{
	const char *path = getenv("MODELFACTS_CONFIG");
	int a;

	for (a = 1; a < argc; a++)
		if (strncmp(argv[a], "--config=", 9) == 0)
			path = argv[a] + 9;
		else if (strcmp(argv[a], "--config") == 0 && a + 1 < argc)
			path = argv[++a];
	return path != NULL && *path ? path : NULL;
}

/* Applies the "name = value" lines of the --config file. */
static int
load_file(struct mf_config *cfg, const char *path, FILE *err)
{
	const struct option_row *o;
	char line[4 * MF_CONFIG_STR_MAX], src[MF_CONFIG_STR_MAX + 32];
	char *name, *eq, *value, *end;
	FILE *f;
	int n = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(err, "config: cannot read %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		n++;
		snprintf(src, sizeof(src), "%s:%d", path, n);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(err, "%s: line too long\n", src);
			rc = -1;
			break;
		}
		for (name = line; *name == ' ' || *name == '\t'; name++)
			;
		end = name + strlen(name);
		while (end > name && (end[-1] == '\n' || end[-1] == '\r' ||
		                      end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*name == '\0' || *name == '#')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			fprintf(err, "%s: expected 'name = value'\n", src);
			rc = -1;
			break;
		}
		for (value = eq + 1; *value == ' ' || *value == '\t'; value++)
			;
		while (eq > name && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		o = find_option(name, (size_t)(eq - name));
		if (o == NULL || strcmp(o->name, "config") == 0) {
			fprintf(err, "%s: unknown option '%.*s'\n", src,
			        (int)(eq - name), name);
			rc = -1;
			break;
		}
		rc = set_option(cfg, o, value, src, err);
	}
	fclose(f);
	return rc;
}

static int
check_config(struct mf_config *cfg, FILE *err)
{
	const char *p;

	if (cfg->database_url[0] == '\0') {
		fprintf(err, "config: no database: set DATABASE_URL or "
		             "--database-url (`make run` does this for you)\n");
		return -1;
	}
	if (mf_diag_level_parse(cfg->log_level) < 0) {
		fprintf(err, "config: log-level must be debug, info, warn or "
		             "error\n");
		return -1;
	}
	if (mf_diag_format_parse(cfg->log_format) < 0) {
		fprintf(err, "config: log-format must be text or json\n");
		return -1;
	}
	if (cfg->origin[0] == '\0') {
		fprintf(err, "config: origin must not be empty\n");
		return -1;
	}
	/* C2SP checkpoints: an origin has no spaces and no '+'. */
	for (p = cfg->origin; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '+' || *p == 0x7f) {
			fprintf(err, "config: origin must be printable ASCII "
			             "without spaces or '+'\n");
			return -1;
		}
	if (cfg->git_dir[0] == '\0' &&
	    (size_t)snprintf(cfg->git_dir, sizeof(cfg->git_dir),
	                     "%s/labels.git",
	                     cfg->state_dir) >= sizeof(cfg->git_dir)) {
		fprintf(err, "config: state-dir is too long\n");
		return -1;
	}
	if ((cfg->tls_cert[0] == '\0') != (cfg->tls_key[0] == '\0')) {
		fprintf(err, "config: tls-cert and tls-key go together\n");
		return -1;
	}
	if (cfg->group[0] != '\0' && cfg->user[0] == '\0') {
		fprintf(err, "config: group needs user\n");
		return -1;
	}
	if (cfg->public_url[0] == '\0')
		snprintf(cfg->public_url, sizeof(cfg->public_url),
		         strchr(cfg->listen, ':') ? "%s://[%s]:%lu"
		                                  : "%s://%s:%lu",
		         cfg->tls_cert[0] ? "https" : "http", cfg->listen,
		         cfg->port);
	return 0;
}

int
mf_config_load(struct mf_config *cfg, int argc, char **argv, FILE *err)
{
	bool lists_from_flags[N_OPTIONS] = {false};
	const struct option_row *o;
	const char *v, *eq;
	char src[96];
	size_t i;
	int a;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < N_OPTIONS; i++)
		if (set_option(cfg, &options[i], options[i].def, "default",
		               err) != 0)
			return -1;
	if ((v = config_path(argc, argv)) != NULL &&
	    load_file(cfg, v, err) != 0)
		return -1;
	if ((v = getenv("MODELFACTS_DATABASE_URL")) != NULL && *v &&
	    set_option(cfg, find_option("database-url", 12), v,
	               "MODELFACTS_DATABASE_URL", err) != 0)
		return -1;
	for (i = 0; i < N_OPTIONS; i++) {
		if ((v = getenv(options[i].env)) == NULL || *v == '\0')
			continue;
		if (options[i].type == OPT_LIST) /* it replaces the file's */
			((char *)cfg + options[i].offset)[0] = '\0';
		if (set_option(cfg, &options[i], v, options[i].env, err) != 0)
			return -1;
	}
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a];

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			mf_config_usage(stdout);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0) {
			fprintf(err, "unexpected argument '%s' (see --help)\n",
			        arg);
			return -1;
		}
		arg += 2;
		eq = strchr(arg, '=');
		o = find_option(arg, eq ? (size_t)(eq - arg) : strlen(arg));
		if (o == NULL) {
			fprintf(err, "unknown option '%s' (see --help)\n",
			        argv[a]);
			return -1;
		}
		snprintf(src, sizeof(src), "--%s", o->name);
		if (o->type == OPT_LIST && !lists_from_flags[o - options]) {
			/* flags win over the environment, for lists too */
			((char *)cfg + o->offset)[0] = '\0';
			lists_from_flags[o - options] = true;
		}
		if (eq != NULL)
			v = eq + 1;
		else if (o->type == OPT_BOOL)
			v = "1";
		else if (a + 1 < argc)
			v = argv[++a];
		else {
			fprintf(err, "%s needs a value\n", src);
			return -1;
		}
		if (set_option(cfg, o, v, src, err) != 0)
			return -1;
	}
	return check_config(cfg, err);
}
