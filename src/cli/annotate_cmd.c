/* annotate_cmd.c: `smtpscope annotate FILE|-`: reads a session captured elsewhere (swaks, a
 * C:/S: transcript, a telnet or openssl s_client paste, mail-log lines, or smtpscope's own
 * transcript) and prints it with every reply explained for the command it answered, as text,
 * Markdown or one HTML file. Streams: the input may be any size. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/capture.h"
#include "core/record/export.h"
#include "core/knowledge/kb.h"
#include "core/util/xmalloc.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/terminal.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define OUTPUT_BUFFER ((size_t)256 * 1024)

struct annotate_opts {
	enum export_format format;
	int level;                 /* -1: the format's default */
	enum capture_format format_in;
	const char *lang;
	const char *help_dir;
	const char *output;
	const char *title;
	int width;
	bool show_secrets;
	int color;                 /* 1 on, 0 off, -1: on a terminal unless NO_COLOR */
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "explain-level", required_argument, NULL, 'e' },
	{ "format-in", required_argument, NULL, 'i' },
	{ "lang", required_argument, NULL, 'l' },
	{ "help-dir", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "title", required_argument, NULL, 't' },
	{ "width", required_argument, NULL, 'w' },
	{ "show-secrets", no_argument, NULL, 'S' },
	{ "color", no_argument, NULL, 'C' },
	{ "no-color", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *out)
{
	fputs("Usage: smtpscope annotate [OPTION]... FILE|-\n"
	    "Print an SMTP session captured elsewhere with every server reply explained for the\n"
	    "command it answered. Reads swaks output, plain C:/S: transcripts, telnet and\n"
	    "'openssl s_client' pastes, mail-log lines (Postfix, exim, sendmail) and transcripts\n"
	    "saved by smtpscope; the format is detected. '-' reads standard input.\n"
	    "\n"
	    "  -f, --format=FMT          output: text (default), md (Markdown) or html (one\n"
	    "                            self-contained file, for handouts)\n"
	    "  -e, --explain-level=LVL   short (heading and summary per reply; the default for\n"
	    "                            text) or full (every section; the default for md/html)\n"
	    "  -i, --format-in=FMT       do not detect: swaks, cs (C:/S:), raw (telnet/openssl),\n"
	    "                            log, smtpscope\n"
	    "  -o, --output=FILE         write to FILE instead of standard output\n"
	    "  -t, --title=TEXT          the document's title (md/html)\n"
	    "  -w, --width=COLS          wrap text explanations at COLS columns\n"
	    "  -l, --lang=LANG           language of the explanations (en, id)\n"
	    "  -d, --help-dir=DIR        read the knowledge base from DIR\n"
	    "      --show-secrets        do not mask AUTH payloads\n"
	    "      --color, --no-color   colours in text output (default: on a terminal, unless\n"
	    "                            NO_COLOR is set)\n"
	    "  -h, --help                show this help and exit\n"
	    "  -V, --version             show the version and exit\n"
	    "\n"
	    "Examples:\n"
	    "  swaks --to bob@example.org --server mx.example.org 2>&1 | smtpscope annotate -\n"
	    "  grep 'status=bounced' /var/log/mail.log | smtpscope annotate -\n"
	    "  smtpscope annotate --format html --output session.html session.txt\n", out);
}

/* Returns -1 to go on, else the exit status. */
static int
parse_options(int argc, char **argv, struct annotate_opts *o)
{
	int c;

	memset(o, 0, sizeof *o);
	o->level = -1;
	o->color = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:e:i:o:t:w:l:d:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (export_format_parse(optarg, &o->format) != 0)
				return cli_usage_error("annotate", "unknown output format '%s' "
				    "(text, md or html)", optarg);
			break;
		case 'e':
			if (strcmp(optarg, "short") == 0)
				o->level = EXPORT_LEVEL_SHORT;
			else if (strcmp(optarg, "full") == 0)
				o->level = EXPORT_LEVEL_FULL;
			else
				return cli_usage_error("annotate", "unknown explain level '%s' "
				    "(short or full)", optarg);
			break;
		case 'i':
			if (capture_format_parse(optarg, &o->format_in) != 0)
				return cli_usage_error("annotate", "unknown input format '%s' "
				    "(swaks, cs, raw, log, smtpscope or auto)", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 't':
			o->title = optarg;
			break;
		case 'w':
			if ((o->width = cli_parse_width(optarg)) == 0)
				return cli_usage_error("annotate", "--width wants a number of "
				    "columns from 20 to 1000, not '%s'", optarg);
			break;
		case 'l':
			o->lang = optarg;
			break;
		case 'd':
			o->help_dir = optarg;
			break;
		case 'S':
			o->show_secrets = true;
			break;
		case 'C':
			o->color = 1;
			break;
		case 'N':
			o->color = 0;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("smtpscope %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case ':':
			return cli_usage_error("annotate", "option '%s' needs a value",
			    argv[optind - 1]);
		default:
			return cli_usage_error("annotate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->level < 0)
		o->level = o->format == EXPORT_TEXT ? EXPORT_LEVEL_SHORT : EXPORT_LEVEL_FULL;
	if (o->width == 0)
		o->width = o->output != NULL ? 80 : cli_terminal_width();
	return -1;
}

static enum export_line_kind
line_kind(enum capture_kind kind)
{
	switch (kind) {
	case CAPTURE_CLIENT:
		return EXPORT_LINE_CLIENT;
	case CAPTURE_BODY:
		return EXPORT_LINE_BODY;
	case CAPTURE_SERVER:
		return EXPORT_LINE_SERVER;
	case CAPTURE_INFO:
		return EXPORT_LINE_INFO;
	case CAPTURE_ERROR:
		return EXPORT_LINE_ERROR;
	case CAPTURE_LOG:
		return EXPORT_LINE_LOG;
	case CAPTURE_REPLY:
	case CAPTURE_OTHER:
		break;
	}
	return EXPORT_LINE_OTHER;
}

/* Pumps every item of the capture into the writer; returns the number of replies, or -1. */
static long
annotate_stream(struct capture_reader *reader, struct export_writer *writer, char **errstr)
{
	struct capture_item item;
	long replies = 0;
	int rc;

	while ((rc = capture_reader_next(reader, &item, errstr)) > 0) {
		struct export_line line;

		if (item.kind == CAPTURE_REPLY) {
			export_writer_reply(writer, item.reply, item.after, item.latency_us);
			replies++;
			if (capture_reader_would_read(reader))
				export_writer_flush(writer);
			continue;
		}
		line.kind = line_kind(item.kind);
		line.text = item.text;
		line.len = item.len;
		line.full_len = item.full_len;
		line.tls = item.tls;
		line.secret = item.secret;
		line.time_us = item.time_us;
		export_writer_line(writer, &line);
		if (item.kind == CAPTURE_LOG && item.enhanced[0] != '\0') {
			export_writer_status(writer, item.enhanced);
			replies++;
		}
		/* Errors and warnings of smtpscope transcripts are explained (full level); plain
		 * events (connected, closed) speak for themselves. */
		if (item.kind == CAPTURE_ERROR && item.event[0] != '\0')
			export_writer_event(writer, item.event);
		/* Show what is done before waiting for more (tail -f | smtpscope annotate -). */
		if (capture_reader_would_read(reader))
			export_writer_flush(writer);
	}
	return rc < 0 ? -1 : replies;
}

int
cli_annotate_main(int argc, char **argv)
{
	struct annotate_opts o;
	struct capture_options copts = { 0 };
	struct export_options eopts = { 0 };
	struct capture_reader *reader;
	struct export_writer *writer;
	struct kb *kb;
	const char *path;
	FILE *in, *out;
	char *err = NULL;
	long replies;
	int rc;

	if ((rc = parse_options(argc, argv, &o)) >= 0)
		return rc;
	if (optind >= argc) {
		if (isatty(STDIN_FILENO))
			return cli_usage_error("annotate", "%s",
			    "which file? Give FILE, or '-' for standard input");
		path = "-";
	} else if (optind + 1 < argc) {
		return cli_usage_error("annotate", "one file at a time, not also '%s'",
		    argv[optind + 1]);
	} else {
		path = argv[optind];
	}

	setlocale(LC_CTYPE, "");
	if ((kb = cli_load_kb("annotate", o.help_dir, o.lang)) == NULL)
		return EXIT_FAIL;

	if (strcmp(path, "-") == 0) {
		in = stdin;
	} else if ((in = fopen(path, "r")) == NULL) {
		fprintf(stderr, "smtpscope annotate: %s: %s\n", path, strerror(errno));
		kb_free(kb);
		return EXIT_FAIL;
	}
	if (o.output != NULL) {
		if ((out = fopen(o.output, "w")) == NULL) {
			fprintf(stderr, "smtpscope annotate: %s: %s\n", o.output, strerror(errno));
			if (in != stdin)
				fclose(in);
			kb_free(kb);
			return EXIT_FAIL;
		}
	} else {
		out = stdout;
	}
	setvbuf(out, NULL, _IOFBF, OUTPUT_BUFFER);

	copts.format = o.format_in;
	copts.show_secrets = o.show_secrets;
	eopts.format = o.format;
	eopts.level = (enum export_level)o.level;
	eopts.title = o.title;
	eopts.source = strcmp(path, "-") == 0 ? "standard input" : path;
	eopts.width = o.width;
	/* A file takes UTF-8; a terminal only when its locale says so. */
	eopts.utf8 = o.output != NULL || strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	eopts.color = o.format == EXPORT_TEXT && (o.color == 1 || (o.color < 0 &&
	    o.output == NULL && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL));

	reader = capture_reader_new(in, &copts);
	writer = export_writer_new(out, kb, &eopts);
	replies = annotate_stream(reader, writer, &err);
	rc = EXIT_OK;
	if (replies < 0) {
		fprintf(stderr, "smtpscope annotate: %s: %s\n", path, err);
		free(err);
		err = NULL;
		rc = EXIT_FAIL;
	}
	if (export_writer_finish(writer, &err) != 0) {
		fprintf(stderr, "smtpscope annotate: %s\n", err);
		free(err);
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && replies == 0)
		fprintf(stderr, "smtpscope annotate: no SMTP reply found in %s (read as %s)\n",
		    strcmp(path, "-") == 0 ? "standard input" : path,
		    capture_format_name(capture_reader_format(reader)));
	export_writer_free(writer);
	capture_reader_free(reader);
	if (in != stdin)
		fclose(in);
	if (out != stdout && fclose(out) != 0 && rc == EXIT_OK) {
		fprintf(stderr, "smtpscope annotate: %s: %s\n", o.output, strerror(errno));
		rc = EXIT_FAIL;
	}
	kb_free(kb);
	return rc;
}
