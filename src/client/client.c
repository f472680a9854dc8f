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
#include "client/kb_open.h"
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

/* What the options asked for and what setting up made, until the session ends. */
struct client_run {
	struct engine_config config;
	struct frontend fe;
	const char *script_path, *scenario;
	int port;
	bool starttls, implicit;
	char *help_dir, *lang, *target;   /* target: the practice server's address */
	struct kb *kb;
	FILE *script;
};

enum { CLIENT_GO_ON = -1 };   /* an option or a step that does not end the program */

/* --timeout and --connect-timeout. */
static int
timeout_option(struct client_run *run, int c, const char *arg)
{
	int ms = parse_seconds(arg);

	if (ms < 0) {
		fprintf(stderr, "smtpscope: --%s needs a number of seconds\n",
		    c == OPT_TIMEOUT ? "timeout" : "connect-timeout");
		return 2;
	}
	if (c == OPT_TIMEOUT)
		run->config.reply_timeout_ms = ms;
	else
		run->config.connect_timeout_ms = ms;
	return CLIENT_GO_ON;
}

static int
port_option(struct client_run *run, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535) {
		fprintf(stderr, "smtpscope: --port needs a number from 1 to 65535\n");
		return 2;
	}
	run->port = (int)v;
	return CLIENT_GO_ON;
}

/* Applies one option; CLIENT_GO_ON, or the exit status it ends with. */
static int
client_option(struct client_run *run, int c, const char *arg)
{
	switch (c) {
	case OPT_PORT:
		return port_option(run, arg);
	case OPT_TLS:
		run->implicit = true;
		break;
	case OPT_STARTTLS:
		run->starttls = true;
		break;
	case OPT_CAFILE:
		run->config.cafile = arg;
		break;
	case OPT_INSECURE:
		run->config.insecure = true;
		run->config.insecure_why = "--insecure";
		break;
	case OPT_SHOW_SECRETS:
		run->config.show_secrets = true;
		break;
	case OPT_SCRIPT:
		run->script_path = arg;
		break;
	case OPT_TRANSCRIPT:
		run->fe.transcript_path = arg;
		break;
	case OPT_EXPLAIN:
		run->fe.explain_all = true;
		break;
	case OPT_STOP:
		run->fe.stop_on_failure = true;
		break;
	case OPT_TIMEOUT:
	case OPT_CONNECT_TIMEOUT:
		return timeout_option(run, c, arg);
	case OPT_DNS_SERVER:
		run->config.dns_server = arg;
		break;
	case OPT_LANG:
		run->fe.lang = arg;
		break;
	case OPT_HELP_DIR:
		run->fe.help_dir = arg;
		break;
	case OPT_NO_COLOR:
		run->fe.no_color = true;
		break;
	case OPT_HELO:
		run->config.helo_name = arg;
		break;
	case OPT_SCENARIO:
		run->scenario = arg;
		break;
	case 'h':
	case OPT_HELP:
		client_usage(stdout);
		return 0;
	default:
		fputs("Try 'smtpscope --help'.\n", stderr);
		return 2;
	}
	return CLIENT_GO_ON;
}

/* Reads argv into run; CLIENT_GO_ON, or the exit status when the options end the program. */
static int
client_parse(struct client_run *run, int argc, char **argv)
{
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", client_options, NULL)) != -1)
		if ((rc = client_option(run, c, optarg)) != CLIENT_GO_ON)
			return rc;
	if (optind < argc - 1) {
		fprintf(stderr, "smtpscope: one HOST only ('%s' is extra); try 'smtpscope --help'\n",
		    argv[optind + 1]);
		return 2;
	}
	if (run->implicit && run->starttls) {
		fputs("smtpscope: --tls and --starttls exclude each other (TLS from the start, or "
		    "upgraded by STARTTLS)\n", stderr);
		return 2;
	}
	if (optind < argc)
		run->fe.target = argv[optind];
	if (run->fe.target != NULL && run->scenario != NULL) {
		fputs("smtpscope: --scenario is for the practice server (no HOST)\n", stderr);
		return 2;
	}
	run->config.tls = run->implicit ? ENGINE_TLS_IMPLICIT : run->starttls ?
	    ENGINE_TLS_STARTTLS : ENGINE_TLS_NONE;
	run->fe.show_secrets = run->config.show_secrets;
	return CLIENT_GO_ON;
}

/* The knowledge base; without one the session still runs, unexplained. Its diagnostics are
 * shown by batch mode and by the screen. */
static void
client_load_kb(struct client_run *run)
{
	struct client_kb loaded;

	client_kb_open(&loaded, NULL, run->fe.help_dir, run->fe.lang, 0);
	run->help_dir = loaded.help_dir;
	run->lang = loaded.lang;
	run->kb = loaded.kb;
	run->fe.kb = run->kb;
	run->config.kb = run->kb;
}

/* The script (batch mode), the practice server when no host is given, the engine and its
 * connection. CLIENT_GO_ON, or the exit status after saying why not. */
static int
client_setup(struct client_run *run)
{
	struct frontend *fe = &run->fe;
	char *err = NULL;

	client_load_kb(run);
	if (run->script_path != NULL) {
		run->script = strcmp(run->script_path, "-") == 0 ? stdin :
		    fopen(run->script_path, "r");
		if (run->script == NULL) {
			fprintf(stderr, "smtpscope: cannot read the script %s: %s\n", run->script_path,
			    strerror(errno));
			return 2;
		}
	} else if (!isatty(STDIN_FILENO))
		run->script = stdin;

	if (fe->target == NULL) {
		fe->practice = practice_start(run->scenario, &err);
		if (fe->practice == NULL) {
			fprintf(stderr, "smtpscope: cannot start the built-in practice server: %s\n",
			    err ? err : "unknown error");
			free(err);
			return 2;
		}
		run->target = xasprintf("127.0.0.1:%d", practice_port(fe->practice));
		if (run->script != NULL)
			fprintf(stdout, "# no HOST given: this is smtpscope's built-in practice server "
			    "on %s, scenario %s (user %s, password %s)\n", run->target,
			    practice_scenarios(fe->practice) ? practice_scenarios(fe->practice) :
			    "normal", practice_user(fe->practice), practice_password(fe->practice));
	}
	fe->engine = engine_new(&run->config);
	/* The practice server's certificate is made up at start and nobody vouches for it:
	 * STARTTLS must still work for a newcomer, so go on and keep saying it is unverified (the
	 * verification result is explained like any other). Another host typed at /connect is
	 * verified as usual. */
	if (fe->practice != NULL)
		engine_allow_unverified(fe->engine, run->target, PRACTICE_UNVERIFIED_WHY);
	if (engine_connect(fe->engine, run->target != NULL ? run->target : fe->target, run->port,
	    &err) < 0) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		return 2;
	}
	return CLIENT_GO_ON;
}

static void
client_teardown(struct client_run *run)
{
	if (run->script != NULL && run->script != stdin)
		fclose(run->script);
	engine_free(run->fe.engine);
	practice_stop(run->fe.practice);
	kb_free(run->kb);
	free(run->help_dir);
	free(run->lang);
	free(run->target);
}

int
client_main(int argc, char **argv)
{
	struct client_run run;
	int status;

	memset(&run, 0, sizeof run);
	status = client_parse(&run, argc, argv);
	if (status != CLIENT_GO_ON)
		return status;
	status = client_setup(&run);
	if (status == CLIENT_GO_ON)
		status = run.script != NULL ? batch_run(&run.fe, run.script) : tui_run(&run.fe);
	client_teardown(&run);
	return status;
}
