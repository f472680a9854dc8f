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

int
server_main(int argc, char **argv)
{
	enum { OPT_LISTEN = 256, OPT_TLS_PORT, OPT_LIST, OPT_DOMAIN, OPT_DELAY, OPT_GREY,
	    OPT_RATE, OPT_SIZE, OPT_IDLE, OPT_MAILDIR, OPT_LOG, OPT_CERT, OPT_KEY, OPT_SECRETS,
	    OPT_READY, OPT_DATA_TIMEOUT };
	static const struct option options[] = {
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
	struct server_config cfg;
	const char *scenarios = NULL;
	char *listen_host = NULL, *err = NULL, *random_password = NULL;
	bool size_given = false;
	double v;
	int c, rc;
	size_t i;

	memset(&cfg, 0, sizeof cfg);
	cfg.listen_host = "127.0.0.1";
	cfg.domain = "practice.test";
	cfg.delay = 2;
	cfg.greylist_delay = 5;
	cfg.rate_limit = 3;
	cfg.size_max = SERVER_SIZE_DEFAULT;
	cfg.idle_timeout = SERVER_IDLE_TIMEOUT;
	cfg.data_timeout = SERVER_DATA_TIMEOUT;
	cfg.ready_fd = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:s:u:h", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_number(optarg, 0, 65535, &v) != 0)
				goto bad;
			cfg.port = (int)v;
			break;
		case OPT_LISTEN:
			free(listen_host);
			if (parse_listen(optarg, &listen_host, &cfg.port) != 0) {
				fprintf(stderr, "smtpscope serve: --listen wants ADDR:PORT, not '%s'\n", optarg);
				rc = 2;
				goto out;
			}
			cfg.listen_host = listen_host;
			cfg.listen_explicit = true;
			break;
		case OPT_TLS_PORT:
			if (strcmp(optarg, "none") == 0 || strcmp(optarg, "off") == 0)
				cfg.tls_port = -1;
			else if (parse_number(optarg, 0, 65535, &v) != 0)
				goto bad;
			else
				cfg.tls_port = (int)v;
			break;
		case 's':
			scenarios = optarg;
			break;
		case OPT_LIST:
			server_scenario_print_all(stdout);
			rc = 0;
			goto out;
		case 'u': {
			const char *colon = strchr(optarg, ':');
			if (colon == NULL || colon == optarg || colon[1] == '\0') {
				fprintf(stderr, "smtpscope serve: --user wants NAME:PASSWORD\n");
				rc = 2;
				goto out;
			}
			cfg.users = xreallocarray(cfg.users, cfg.nusers + 1, sizeof *cfg.users);
			cfg.users[cfg.nusers].name = xstrndup(optarg, (size_t)(colon - optarg));
			cfg.users[cfg.nusers].password = xstrdup(colon + 1);
			cfg.nusers++;
			break;
		}
		case OPT_DOMAIN:
			cfg.domain = optarg;
			break;
		case OPT_DELAY:
			if (parse_number(optarg, 0, 3600, &cfg.delay) != 0)
				goto bad;
			break;
		case OPT_GREY:
			if (parse_number(optarg, 0, 86400, &cfg.greylist_delay) != 0)
				goto bad;
			break;
		case OPT_RATE:
			if (parse_number(optarg, 0, 1e6, &v) != 0)
				goto bad;
			cfg.rate_limit = (int)v;
			break;
		case OPT_SIZE:
			if (parse_number(optarg, 1, 1e13, &v) != 0)
				goto bad;
			cfg.size_max = (uint64_t)v;
			size_given = true;
			break;
		case OPT_IDLE:
			if (parse_number(optarg, 0.1, 86400, &cfg.idle_timeout) != 0)
				goto bad;
			break;
		case OPT_DATA_TIMEOUT:
			if (parse_number(optarg, 0.1, 86400, &cfg.data_timeout) != 0)
				goto bad;
			break;
		case OPT_MAILDIR:
			cfg.maildir = optarg;
			break;
		case OPT_LOG:
			cfg.log_path = optarg;
			break;
		case OPT_CERT:
			cfg.cert_file = optarg;
			break;
		case OPT_KEY:
			cfg.key_file = optarg;
			break;
		case OPT_SECRETS:
			cfg.show_secrets = true;
			break;
		case OPT_READY:
			if (parse_number(optarg, 0, 1e6, &v) != 0)
				goto bad;
			cfg.ready_fd = (int)v;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			fprintf(stderr, "Try 'smtpscope serve --help'.\n");
			rc = 2;
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "smtpscope serve: unexpected argument '%s'\n", argv[optind]);
		rc = 2;
		goto out;
	}
	if (cfg.key_file != NULL && cfg.cert_file == NULL) {
		fprintf(stderr, "smtpscope serve: --key needs --cert\n");
		rc = 2;
		goto out;
	}
	if (server_scenario_parse_list(scenarios, &cfg.scenarios, &err) != 0) {
		fprintf(stderr, "smtpscope serve: %s\n", err);
		free(err);
		rc = 2;
		goto out;
	}
	if ((cfg.scenarios & SCENARIO_BIT(SCENARIO_TOO_BIG)) && !size_given)
		cfg.size_max = SERVER_SIZE_TOO_BIG;
	if (cfg.nusers == 0) {
		cfg.users = xcalloc(1, sizeof *cfg.users);
		cfg.users[0].name = xstrdup(DEFAULT_USER);
		if (cfg.listen_explicit && !is_loopback(cfg.listen_host)) {
			/* Reachable by others: no well-known password. */
			unsigned char r[6];
			if (RAND_bytes(r, sizeof r) != 1)
				memset(r, 0x42, sizeof r);
			random_password = xasprintf("%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
			    r[4], r[5]);
			cfg.users[0].password = xstrdup(random_password);
		} else {
			cfg.users[0].password = xstrdup(DEFAULT_PASSWORD);
		}
		cfg.nusers = 1;
	}
	cfg.listen_public = cfg.listen_explicit && !is_loopback(cfg.listen_host);
	if (cfg.listen_public) {
		fprintf(stderr,
		    "smtpscope serve: WARNING: listening on %s, not on loopback.\n"
		    "smtpscope serve: WARNING: OTHER MACHINES CAN REACH THIS PRACTICE SERVER, and it\n"
		    "smtpscope serve: WARNING: accepts mail from anyone. Use it on a network you trust.\n",
		    cfg.listen_host);
	}
	rc = server_run(&cfg);
	goto out;
bad:
	fprintf(stderr, "smtpscope serve: bad value '%s' for an option\n", optarg);
	rc = 2;
out:
	for (i = 0; i < cfg.nusers; i++) {
		free(cfg.users[i].name);
		free(cfg.users[i].password);
	}
	free(cfg.users);
	free(listen_host);
	free(random_password);
	return rc;
}
