/* client.c: the client's command line: options, the knowledge base, the built-in practice server
 * when no host is given, the engine, and then batch mode (a script, or standard input that is
 * not a terminal) or the screen. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conn/engine.h"
#include "core/knowledge/kb.h"
#include "core/util/xmalloc.h"
#include "cli/cli.h"
#include "client/client.h"
#include "client/frontend.h"
#include "client/practice.h"
#include "tui/screen.h"

enum {
	OPT_PORT = 256, OPT_TLS, OPT_STARTTLS, OPT_CAFILE, OPT_INSECURE, OPT_SHOW_SECRETS,
	OPT_SCRIPT, OPT_TRANSCRIPT, OPT_EXPLAIN, OPT_STOP, OPT_TIMEOUT, OPT_CONNECT_TIMEOUT,
	OPT_DNS_SERVER, OPT_LANG, OPT_HELP_DIR, OPT_NO_COLOR, OPT_HELO, OPT_SCENARIO, OPT_HELP,
};

static const struct option client_options[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "tls", no_argument, NULL, OPT_TLS },
	{ "starttls", no_argument, NULL, OPT_STARTTLS },
	{ "cafile", required_argument, NULL, OPT_CAFILE },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "transcript", required_argument, NULL, OPT_TRANSCRIPT },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "stop-on-failure", no_argument, NULL, OPT_STOP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "dns-server", required_argument, NULL, OPT_DNS_SERVER },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "help-dir", required_argument, NULL, OPT_HELP_DIR },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void
client_print_options(FILE *out)
{
	fputs(
	    "  HOST[:PORT], [IPv6]:PORT  the server to talk to (port 25, 465 with --tls)\n"
	    "  @DOMAIN                  the best mail exchanger (MX) of DOMAIN\n"
	    "      --port N             the port when HOST names none\n"
	    "      --tls                implicit TLS from the first byte (port 465)\n"
	    "      --starttls           STARTTLS right after the first EHLO, then EHLO again\n"
	    "      --cafile FILE        trust the CA certificates in FILE, not the system's\n"
	    "      --insecure           go on when the certificate does not verify (and say so)\n"
	    "      --helo NAME          the name EHLO suggestions offer (default: localhost)\n"
	    "      --show-secrets       do not mask passwords and AUTH payloads\n"
	    "      --script FILE        batch mode: run FILE's lines ('-': standard input); also\n"
	    "                           used when standard input is not a terminal\n"
	    "      --transcript FILE    save the transcript to FILE when the session ends\n"
	    "      --explain            batch: full explanations instead of one-line glosses\n"
	    "      --stop-on-failure    batch: stop at the first negative (4xx/5xx) reply\n"
	    "      --timeout SECS       wait this long for each reply (default 30)\n"
	    "      --connect-timeout SECS  wait this long for each address (default 10)\n"
	    "      --dns-server ADDR[:PORT]  DNS server for @DOMAIN look-ups (IPv4)\n"
	    "      --scenario NAME[,NAME]  practice server scenarios (with no HOST)\n"
	    "      --lang LANG          language of the explanations (en, id)\n"
	    "      --help-dir DIR       read the knowledge base from DIR\n"
	    "      --no-color           no colours on the screen\n", out);
}

static void
client_usage(FILE *out)
{
	fputs("Usage: smtpscope [OPTION]... [HOST[:PORT] | @DOMAIN]\n"
	    "Talk SMTP by hand with every reply explained. With no HOST, the built-in practice\n"
	    "server is started and used.\n\n", out);
	client_print_options(out);
	fputs("\nOther commands: smtpscope explain|compare|mx|serve --help\n", out);
}

/* A number of seconds (fractions allowed) as milliseconds, or -1. */
static int
parse_seconds(const char *text)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || end == text || v <= 0 || v > 86400)
		return -1;
	return (int)(v * 1000 + 0.5);
}

int
client_main(int argc, char **argv)
{
	struct engine_config config;
	struct frontend fe;
	const char *script_path = NULL, *scenario = NULL;
	char *help_dir = NULL, *lang = NULL, *err = NULL, *target = NULL;
	struct kb *kb = NULL;
	FILE *script = NULL;
	int c, port = 0, status, ms;
	bool starttls = false, implicit = false;

	memset(&config, 0, sizeof config);
	memset(&fe, 0, sizeof fe);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", client_options, NULL)) != -1) {
		switch (c) {
		case OPT_PORT: {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 65535) {
				fprintf(stderr, "smtpscope: --port needs a number from 1 to 65535\n");
				return 2;
			}
			port = (int)v;
			break;
		}
		case OPT_TLS:
			implicit = true;
			break;
		case OPT_STARTTLS:
			starttls = true;
			break;
		case OPT_CAFILE:
			config.cafile = optarg;
			break;
		case OPT_INSECURE:
			config.insecure = true;
			config.insecure_why = "--insecure";
			break;
		case OPT_SHOW_SECRETS:
			config.show_secrets = true;
			break;
		case OPT_SCRIPT:
			script_path = optarg;
			break;
		case OPT_TRANSCRIPT:
			fe.transcript_path = optarg;
			break;
		case OPT_EXPLAIN:
			fe.explain_all = true;
			break;
		case OPT_STOP:
			fe.stop_on_failure = true;
			break;
		case OPT_TIMEOUT:
		case OPT_CONNECT_TIMEOUT:
			ms = parse_seconds(optarg);
			if (ms < 0) {
				fprintf(stderr, "smtpscope: --%s needs a number of seconds\n",
				    c == OPT_TIMEOUT ? "timeout" : "connect-timeout");
				return 2;
			}
			if (c == OPT_TIMEOUT)
				config.reply_timeout_ms = ms;
			else
				config.connect_timeout_ms = ms;
			break;
		case OPT_DNS_SERVER:
			config.dns_server = optarg;
			break;
		case OPT_LANG:
			fe.lang = optarg;
			break;
		case OPT_HELP_DIR:
			fe.help_dir = optarg;
			break;
		case OPT_NO_COLOR:
			fe.no_color = true;
			break;
		case OPT_HELO:
			config.helo_name = optarg;
			break;
		case OPT_SCENARIO:
			scenario = optarg;
			break;
		case 'h':
		case OPT_HELP:
			client_usage(stdout);
			return 0;
		default:
			fputs("Try 'smtpscope --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "smtpscope: one HOST only ('%s' is extra); try 'smtpscope --help'\n",
		    argv[optind + 1]);
		return 2;
	}
	if (implicit && starttls) {
		fputs("smtpscope: --tls and --starttls exclude each other (TLS from the start, or "
		    "upgraded by STARTTLS)\n", stderr);
		return 2;
	}
	if (optind < argc)
		fe.target = argv[optind];
	if (fe.target != NULL && scenario != NULL) {
		fputs("smtpscope: --scenario is for the practice server (no HOST)\n", stderr);
		return 2;
	}
	config.tls = implicit ? ENGINE_TLS_IMPLICIT : starttls ? ENGINE_TLS_STARTTLS :
	    ENGINE_TLS_NONE;
	fe.show_secrets = config.show_secrets;

	help_dir = kb_find_dir(fe.help_dir, &err);
	if (help_dir == NULL) {
		fprintf(stderr, "smtpscope: %s (replies will not be explained)\n", err);
		free(err);
		err = NULL;
	} else {
		lang = kb_pick_language(fe.lang);
		kb = kb_load(help_dir, lang, &err);
		if (kb == NULL) {
			fprintf(stderr, "smtpscope: %s (replies will not be explained)\n", err);
			free(err);
			err = NULL;
		}
	}
	fe.kb = kb;
	config.kb = kb;

	if (script_path != NULL) {
		script = strcmp(script_path, "-") == 0 ? stdin : fopen(script_path, "r");
		if (script == NULL) {
			fprintf(stderr, "smtpscope: cannot read the script %s: %s\n", script_path,
			    strerror(errno));
			status = 2;
			goto out;
		}
	} else if (!isatty(STDIN_FILENO))
		script = stdin;

	if (fe.target == NULL) {
		fe.practice = practice_start(scenario, &err);
		if (fe.practice == NULL) {
			fprintf(stderr, "smtpscope: cannot start the built-in practice server: %s\n",
			    err ? err : "unknown error");
			free(err);
			status = 2;
			goto out;
		}
		target = xasprintf("127.0.0.1:%d", practice_port(fe.practice));
		if (script != NULL)
			fprintf(stdout, "# no HOST given: this is smtpscope's built-in practice server "
			    "on %s, scenario %s (user %s, password %s)\n", target,
			    practice_scenarios(fe.practice) ? practice_scenarios(fe.practice) :
			    "normal", practice_user(fe.practice), practice_password(fe.practice));
	}
	fe.engine = engine_new(&config);
	/* The practice server's certificate is made up at start and nobody vouches for it:
	 * STARTTLS must still work for a newcomer, so go on and keep saying it is unverified (the
	 * verification result is explained like any other). Another host typed at /connect is
	 * verified as usual. */
	if (fe.practice != NULL)
		engine_allow_unverified(fe.engine, target, PRACTICE_UNVERIFIED_WHY);
	if (engine_connect(fe.engine, target != NULL ? target : fe.target, port, &err) < 0) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		status = 2;
		goto out;
	}
	if (script != NULL)
		status = batch_run(&fe, script);
	else
		status = tui_run(&fe);
out:
	if (script != NULL && script != stdin)
		fclose(script);
	engine_free(fe.engine);
	practice_stop(fe.practice);
	kb_free(kb);
	free(help_dir);
	free(lang);
	free(target);
	return status;
}
