/* server_main.c: `smtpscope serve`: reads the options, settles the defaults (127.0.0.1, a
 * free port, the practice user) and runs the practice server (server_loop.c). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/util/xmalloc.h"
#include "server/server.h"

#define DEFAULT_USER "practice"
#define DEFAULT_PASSWORD "secret123"

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: smtpscope serve [OPTION]...\n"
	    "Run the practice SMTP server: a real RFC 5321 server on 127.0.0.1 that can be told to\n"
	    "fail in the ways real servers fail (--scenario).\n"
	    "\n"
	    "  -p, --port N             plain SMTP port on 127.0.0.1 (default 0: a free port)\n"
	    "      --listen ADDR:PORT   listen on another address (reachable by others!)\n"
	    "      --tls-port N|none    implicit TLS port (default 0: a free port)\n"
	    "  -s, --scenario LIST      scenarios, comma-separated (default normal)\n"
	    "      --list-scenarios     list the scenarios, one line each, and exit\n"
	    "  -u, --user NAME:PASS     a user for AUTH (repeatable; default %s:%s)\n"
	    "      --domain NAME        the local domain and server name (default practice.test)\n"
	    "      --delay SECS         slow: seconds before each reply (default 2)\n"
	    "      --greylist-delay SECS  greylist: seconds before a retry passes (default 5)\n"
	    "      --rate-limit N       rate-limit: messages per connection (default 3)\n"
	    "      --size BYTES         SIZE limit (default %llu; too-big uses %d)\n"
	    "      --idle-timeout SECS  close clients idle this long (default %d); TLS handshakes\n"
	    "                           get as long, but at most %d seconds\n"
	    "      --data-timeout SECS  close clients whose message (DATA or BDAT) takes longer\n"
	    "                           (default %d)\n"
	    "      --maildir DIR        store messages in a Maildir (default: in memory)\n"
	    "      --log FILE           the session log (default standard error)\n"
	    "      --cert FILE --key FILE  TLS certificate and key (default: self-signed, made at start)\n"
	    "      --show-secrets       show AUTH payloads in the log\n"
	    "      --ready-fd N         write the first output line to file descriptor N too\n"
	    "  -h, --help               this help\n"
	    "\n"
	    "The first line on standard output is for programs:\n"
	    "  listening ADDR:PORT tls-port PORT user NAME password PASS scenario LIST domain NAME\n",
	    DEFAULT_USER, DEFAULT_PASSWORD, (unsigned long long)SERVER_SIZE_DEFAULT,
	    SERVER_SIZE_TOO_BIG, SERVER_IDLE_TIMEOUT, SERVER_HANDSHAKE_MAX, SERVER_DATA_TIMEOUT);
}

static int
parse_number(const char *arg, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static bool
is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "localhost") == 0;
}

/* "ADDR:PORT", "[v6]:PORT". */
static int
parse_listen(const char *arg, char **host, int *port)
{
	const char *colon;
	double p;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		*host = xstrndup(arg + 1, (size_t)(close - arg - 1));
		colon = close + 1;
	} else {
		colon = strrchr(arg, ':');
		if (colon == NULL)
			return -1;
		*host = xstrndup(arg, (size_t)(colon - arg));
	}
	if (**host == '\0' || parse_number(colon + 1, 0, 65535, &p) != 0) {
		free(*host);
		*host = NULL;
		return -1;
	}
	*port = (int)p;
	return 0;
}

/* The options being read and what they leave to free. */
struct serve_args {
	struct server_config cfg;
	const char *scenarios;
	char *listen_host;       /* --listen's address, which cfg.listen_host points to */
	char *random_password;
	bool size_given;
};

enum { SERVE_GO_ON = -1 };   /* an option or a step that does not end the program */

enum { OPT_LISTEN = 256, OPT_TLS_PORT, OPT_LIST, OPT_DOMAIN, OPT_DELAY, OPT_GREY,
    OPT_RATE, OPT_SIZE, OPT_IDLE, OPT_MAILDIR, OPT_LOG, OPT_CERT, OPT_KEY, OPT_SECRETS,
    OPT_READY, OPT_DATA_TIMEOUT };

static const struct option serve_options[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "tls-port", required_argument, NULL, OPT_TLS_PORT },
	{ "scenario", required_argument, NULL, 's' },
	{ "list-scenarios", no_argument, NULL, OPT_LIST },
	{ "user", required_argument, NULL, 'u' },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "greylist-delay", required_argument, NULL, OPT_GREY },
	{ "rate-limit", required_argument, NULL, OPT_RATE },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "data-timeout", required_argument, NULL, OPT_DATA_TIMEOUT },
	{ "maildir", required_argument, NULL, OPT_MAILDIR },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "show-secrets", no_argument, NULL, OPT_SECRETS },
	{ "ready-fd", required_argument, NULL, OPT_READY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
serve_args_init(struct serve_args *a)
{
	memset(a, 0, sizeof *a);
	a->cfg.listen_host = "127.0.0.1";
	a->cfg.domain = "practice.test";
	a->cfg.delay = 2;
	a->cfg.greylist_delay = 5;
	a->cfg.rate_limit = 3;
	a->cfg.size_max = SERVER_SIZE_DEFAULT;
	a->cfg.idle_timeout = SERVER_IDLE_TIMEOUT;
	a->cfg.data_timeout = SERVER_DATA_TIMEOUT;
	a->cfg.ready_fd = -1;
}

static void
serve_args_free(struct serve_args *a)
{
	size_t i;

	for (i = 0; i < a->cfg.nusers; i++) {
		free(a->cfg.users[i].name);
		free(a->cfg.users[i].password);
	}
	free(a->cfg.users);
	free(a->listen_host);
	free(a->random_password);
}

static int
bad_value(const char *arg)
{
	fprintf(stderr, "smtpscope serve: bad value '%s' for an option\n", arg);
	return 2;
}

/* --user NAME:PASSWORD */
static int
add_user(struct server_config *cfg, const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (colon == NULL || colon == arg || colon[1] == '\0') {
		fprintf(stderr, "smtpscope serve: --user wants NAME:PASSWORD\n");
		return 2;
	}
	cfg->users = xreallocarray(cfg->users, cfg->nusers + 1, sizeof *cfg->users);
	cfg->users[cfg->nusers].name = xstrndup(arg, (size_t)(colon - arg));
	cfg->users[cfg->nusers].password = xstrdup(colon + 1);
	cfg->nusers++;
	return SERVE_GO_ON;
}

/* A number option, range-checked, into *v (as a double). */
static int
number_option(const char *arg, double min, double max, double *v)
{
	return parse_number(arg, min, max, v) != 0 ? bad_value(arg) : SERVE_GO_ON;
}

/* Applies one option c with its argument; SERVE_GO_ON, or the exit status it ends with. */
static int
serve_option(struct serve_args *a, int c, const char *arg)
{
	struct server_config *cfg = &a->cfg;
	double v;
	int rc = SERVE_GO_ON;

	switch (c) {
	case 'p':
		if ((rc = number_option(arg, 0, 65535, &v)) == SERVE_GO_ON)
			cfg->port = (int)v;
		return rc;
	case OPT_RATE:
		if ((rc = number_option(arg, 0, 1e6, &v)) == SERVE_GO_ON)
			cfg->rate_limit = (int)v;
		return rc;
	case OPT_READY:
		if ((rc = number_option(arg, 0, 1e6, &v)) == SERVE_GO_ON)
			cfg->ready_fd = (int)v;
		return rc;
	case OPT_LISTEN:
		free(a->listen_host);
		a->listen_host = NULL;
		if (parse_listen(arg, &a->listen_host, &cfg->port) != 0) {
			fprintf(stderr, "smtpscope serve: --listen wants ADDR:PORT, not '%s'\n", arg);
			return 2;
		}
		cfg->listen_host = a->listen_host;
		cfg->listen_explicit = true;
		return rc;
	case OPT_TLS_PORT:
		if (strcmp(arg, "none") == 0 || strcmp(arg, "off") == 0)
			cfg->tls_port = -1;
		else if ((rc = number_option(arg, 0, 65535, &v)) == SERVE_GO_ON)
			cfg->tls_port = (int)v;
		return rc;
	case 's':
		a->scenarios = arg;
		return rc;
	case OPT_LIST:
		server_scenario_print_all(stdout);
		return 0;
	case 'u':
		return add_user(cfg, arg);
	case OPT_DOMAIN:
		cfg->domain = arg;
		return rc;
	case OPT_DELAY:
		return number_option(arg, 0, 3600, &cfg->delay);
	case OPT_GREY:
		return number_option(arg, 0, 86400, &cfg->greylist_delay);
	case OPT_SIZE:
		if ((rc = number_option(arg, 1, 1e13, &v)) == SERVE_GO_ON) {
			cfg->size_max = (uint64_t)v;
			a->size_given = true;
		}
		return rc;
	case OPT_IDLE:
		return number_option(arg, 0.1, 86400, &cfg->idle_timeout);
	case OPT_DATA_TIMEOUT:
		return number_option(arg, 0.1, 86400, &cfg->data_timeout);
	case OPT_MAILDIR:
		cfg->maildir = arg;
		return rc;
	case OPT_LOG:
		cfg->log_path = arg;
		return rc;
	case OPT_CERT:
		cfg->cert_file = arg;
		return rc;
	case OPT_KEY:
		cfg->key_file = arg;
		return rc;
	case OPT_SECRETS:
		cfg->show_secrets = true;
		return rc;
	case 'h':
		usage(stdout);
		return 0;
	default:
		fprintf(stderr, "Try 'smtpscope serve --help'.\n");
		return 2;
	}
}

/* Reads argv into a; SERVE_GO_ON, or the exit status when the options end the program. */
static int
serve_parse(struct serve_args *a, int argc, char **argv)
{
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:s:u:h", serve_options, NULL)) != -1)
		if ((rc = serve_option(a, c, optarg)) != SERVE_GO_ON)
			return rc;
	if (optind < argc) {
		fprintf(stderr, "smtpscope serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (a->cfg.key_file != NULL && a->cfg.cert_file == NULL) {
		fprintf(stderr, "smtpscope serve: --key needs --cert\n");
		return 2;
	}
	return SERVE_GO_ON;
}

/* Settles what the options left open: the scenarios, the size limit, the practice user (with
 * a random password when others can reach us), and the warning for a public address. */
static int
serve_settle(struct serve_args *a)
{
	struct server_config *cfg = &a->cfg;
	char *err = NULL;

	if (server_scenario_parse_list(a->scenarios, &cfg->scenarios, &err) != 0) {
		fprintf(stderr, "smtpscope serve: %s\n", err);
		free(err);
		return 2;
	}
	if ((cfg->scenarios & SCENARIO_BIT(SCENARIO_TOO_BIG)) && !a->size_given)
		cfg->size_max = SERVER_SIZE_TOO_BIG;
	if (cfg->nusers == 0) {
		cfg->users = xcalloc(1, sizeof *cfg->users);
		cfg->users[0].name = xstrdup(DEFAULT_USER);
		if (cfg->listen_explicit && !is_loopback(cfg->listen_host)) {
			/* Reachable by others: no well-known password. */
			unsigned char r[6];
			if (RAND_bytes(r, sizeof r) != 1)
				memset(r, 0x42, sizeof r);
			a->random_password = xasprintf("%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
			    r[3], r[4], r[5]);
			cfg->users[0].password = xstrdup(a->random_password);
		} else {
			cfg->users[0].password = xstrdup(DEFAULT_PASSWORD);
		}
		cfg->nusers = 1;
	}
	cfg->listen_public = cfg->listen_explicit && !is_loopback(cfg->listen_host);
	if (cfg->listen_public) {
		fprintf(stderr,
		    "smtpscope serve: WARNING: listening on %s, not on loopback.\n"
		    "smtpscope serve: WARNING: OTHER MACHINES CAN REACH THIS PRACTICE SERVER, and it\n"
		    "smtpscope serve: WARNING: accepts mail from anyone. Use it on a network you trust.\n",
		    cfg->listen_host);
	}
	return SERVE_GO_ON;
}

int
server_main(int argc, char **argv)
{
	struct serve_args a;
	int rc;

	serve_args_init(&a);
	rc = serve_parse(&a, argc, argv);
	if (rc == SERVE_GO_ON)
		rc = serve_settle(&a);
	if (rc == SERVE_GO_ON)
		rc = server_run(&a.cfg);
	serve_args_free(&a);
	return rc;
}
