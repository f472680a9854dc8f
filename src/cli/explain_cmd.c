/* explain_cmd.c: the `smtpscope explain` and `smtpscope compare` subcommands: load the knowledge
 * base once, explain what the user typed (or pasted on standard input), print plain text. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/knowledge/paste.h"
#include "core/util/xmalloc.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/terminal.h"

/* Standard input holds pasted replies, not a mail spool: this is plenty. */
#define STDIN_MAX (4u * 1024 * 1024)

enum { EXIT_OK = 0, EXIT_HELP_DIR = 1, EXIT_USAGE = 2 };

struct explain_opts {
	const char *lang;
	const char *help_dir;
	const char *after;
	int width;
};

static const struct option long_options[] = {
	{ "lang", required_argument, NULL, 'l' },
	{ "help-dir", required_argument, NULL, 'd' },
	{ "width", required_argument, NULL, 'w' },
	{ "after", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
print_common_options(FILE *out)
{
	fputs("  -l, --lang=LANG       explain in LANG (en, id); default from LANGUAGE, LC_ALL,\n"
	    "                        LC_MESSAGES or LANG\n"
	    "  -d, --help-dir=DIR    read the knowledge base from DIR instead of the installed\n"
	    "                        one (also SMTPSCOPE_HELP_DIR)\n"
	    "  -w, --width=N         wrap the text at N columns (default: the terminal's width,\n"
	    "                        or 80)\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n", out);
}

static void
explain_usage(FILE *out)
{
	fputs("Usage: smtpscope explain [OPTION]... WORD...\n"
	    "  or:  smtpscope explain [OPTION]... -\n"
	    "Explain an SMTP reply code, an enhanced status code, a command, an EHLO keyword, a\n"
	    "practice scenario, or a whole reply.\n"
	    "\n"
	    "Examples:\n"
	    "  smtpscope explain 550               a reply code\n"
	    "  smtpscope explain 550 5.7.1         a reply code with its enhanced status code\n"
	    "  smtpscope explain 5.1.1             an enhanced status code\n"
	    "  smtpscope explain RCPT PIPELINING   a command, an EHLO keyword\n"
	    "  smtpscope explain '550 5.7.1 Relaying denied'\n"
	    "  smtpscope explain - < replies.txt   replies read from standard input; lines\n"
	    "                                      \"C: COMMAND\" give the next reply's context\n"
	    "\n"
	    "Options:\n"
	    "  -a, --after=COMMAND   explain the reply as the answer to COMMAND (RCPT, MAIL,\n"
	    "                        greeting, DATA-END, ...)\n", out);
	print_common_options(out);
	fputs("\nExit status: 0 when everything was explained, 1 when the help files cannot be\n"
	    "read, 2 for a usage error or a word smtpscope cannot explain.\n", out);
}

static void
compare_usage(FILE *out)
{
	fputs("Usage: smtpscope compare [OPTION]... CODE CODE\n"
	    "Compare two reply codes (smtpscope compare 450 550) or two enhanced status codes\n"
	    "(smtpscope compare 5.1.1 5.7.1): what each means, when each is seen, how to fix\n"
	    "each, their key differences, and when to use which.\n"
	    "\n"
	    "Options:\n", out);
	print_common_options(out);
	fputs("\nExit status: 0 on success, 1 when the help files cannot be read, 2 for a usage\n"
	    "error or an argument that is not a code.\n", out);
}

/* Parses the options; the operands are left at argv[optind..]. Returns -1 to go on, else the
 * exit status. */
static int
parse_options(int argc, char **argv, struct explain_opts *o, bool with_after,
    void (*usage)(FILE *))
{
	int c;

	memset(o, 0, sizeof *o);
	o->width = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, with_after ? ":l:d:w:a:hV" : ":l:d:w:hV",
	    long_options, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->lang = optarg;
			break;
		case 'd':
			o->help_dir = optarg;
			break;
		case 'a':
			if (!with_after)
				goto bad;
			o->after = optarg;
			break;
		case 'w':
			if ((o->width = cli_parse_width(optarg)) == 0)
				return cli_usage_error(argv[0], "--width wants a number of columns "
				    "from 20 to 1000, not '%s'", optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("smtpscope %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case ':':
			return cli_usage_error(argv[0], "option '%s' needs a value",
			    argv[optind - 1]);
		default:
		bad:
			return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->width == 0)
		o->width = cli_terminal_width();
	return -1;
}

static void
print_explanation(const struct explanation *ex, int width, bool *first)
{
	char *text = explain_render_text(ex, width);

	if (!*first)
		fputs("\n", stdout);
	*first = false;
	fputs(text, stdout);
	free(text);
}

static int
explain_one(const struct kb *kb, const char *word, const char *after, int width, bool *first)
{
	char *err = NULL;
	struct explanation *ex = explain_word_after(kb, word, after, &err);

	if (ex == NULL) {
		fprintf(stderr, "smtpscope explain: %s\n", err != NULL ? err : "cannot explain");
		free(err);
		return EXIT_USAGE;
	}
	print_explanation(ex, width, first);
	explanation_free(ex);
	return EXIT_OK;
}

static char *
read_stdin(void)
{
	char *buf = xmalloc(STDIN_MAX + 1);
	size_t len = 0, n;

	while (len < STDIN_MAX && (n = fread(buf + len, 1, STDIN_MAX - len, stdin)) > 0)
		len += n;
	buf[len] = '\0';
	if (len == STDIN_MAX && fgetc(stdin) != EOF)
		fprintf(stderr, "smtpscope explain: standard input is longer than %u bytes; the "
		    "rest is ignored\n", STDIN_MAX);
	return buf;
}

/* Explains every reply pasted on standard input; a line "C: RCPT TO:<x>" before a reply
 * says which command it answers (the reading is paste.c's). */
static int
explain_stdin(const struct kb *kb, const char *after_opt, int width, bool *first)
{
	char *text = read_stdin();
	struct paste_reader *reader = paste_reader_new(text, after_opt);
	struct paste_item item;
	int status = EXIT_OK, explained = 0;

	free(text);
	while (paste_reader_next(reader, &item)) {
		if (explain_one(kb, item.text, item.after, width, first) != 0)
			status = EXIT_USAGE;
		explained++;
	}
	paste_reader_free(reader);
	if (explained == 0) {
		fputs("smtpscope explain: nothing to explain on standard input\n", stderr);
		status = EXIT_USAGE;
	}
	return status;
}

int
cli_explain_main(int argc, char **argv)
{
	struct explain_opts o;
	struct kb *kb;
	bool first = true, use_stdin = false;
	size_t len = 0;
	char *joined, *err = NULL;
	struct explanation *ex;
	int status, i;

	status = parse_options(argc, argv, &o, true, explain_usage);
	if (status >= 0)
		return status;
	if (optind >= argc) {
		fputs("smtpscope explain: what should be explained? Give a code, a word or '-'\n"
		    "Try 'smtpscope explain --help' for more information.\n", stderr);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			use_stdin = true;
		len += strlen(argv[i]) + 1;
	}
	if (use_stdin && argc - optind > 1) {
		fputs("smtpscope explain: '-' reads the replies from standard input and takes no "
		    "other words\n", stderr);
		return EXIT_USAGE;
	}
	if ((kb = cli_load_kb("explain", o.help_dir, o.lang)) == NULL)
		return EXIT_HELP_DIR;
	if (use_stdin) {
		status = explain_stdin(kb, o.after, o.width, &first);
		kb_free(kb);
		return status;
	}

	/* Several words are one thing ("550 5.7.1", a pasted reply) or, failing that, a list of
	 * things to explain one after the other ("RCPT PIPELINING"). */
	joined = xmalloc(len + 1);
	joined[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (i > optind)
			strcat(joined, " ");
		strcat(joined, argv[i]);
	}
	ex = explain_word_after(kb, joined, o.after, &err);
	if (ex != NULL) {
		print_explanation(ex, o.width, &first);
		explanation_free(ex);
		status = EXIT_OK;
	} else if (argc - optind == 1) {
		fprintf(stderr, "smtpscope explain: %s\n", err);
		status = EXIT_USAGE;
	} else {
		bool all = true;
		char *err2 = NULL;

		/* Each word alone, checked before anything is printed. */
		for (i = optind; i < argc && all; i++) {
			struct explanation *one = explain_word_after(kb, argv[i], o.after, &err2);

			if (one == NULL) {
				all = false;
				fprintf(stderr, "smtpscope explain: %s\n", err2);
				free(err2);
				err2 = NULL;
			}
			explanation_free(one);
		}
		status = EXIT_USAGE;
		if (all) {
			status = EXIT_OK;
			for (i = optind; i < argc; i++)
				explain_one(kb, argv[i], o.after, o.width, &first);
		}
	}
	free(err);
	free(joined);
	kb_free(kb);
	return status;
}

int
cli_compare_main(int argc, char **argv)
{
	struct explain_opts o;
	struct kb *kb;
	struct explanation *ex;
	char *err = NULL;
	bool first = true;
	int status;

	status = parse_options(argc, argv, &o, false, compare_usage);
	if (status >= 0)
		return status;
	if (argc - optind != 2) {
		fprintf(stderr, "smtpscope compare: give exactly two codes (such as 450 550 or "
		    "5.1.1 5.7.1), not %d\n"
		    "Try 'smtpscope compare --help' for more information.\n", argc - optind);
		return EXIT_USAGE;
	}
	if ((kb = cli_load_kb("compare", o.help_dir, o.lang)) == NULL)
		return EXIT_HELP_DIR;
	ex = explain_compare(kb, argv[optind], argv[optind + 1], &err);
	if (ex == NULL) {
		fprintf(stderr, "smtpscope compare: %s\n", err != NULL ? err : "cannot compare");
		free(err);
		kb_free(kb);
		return EXIT_USAGE;
	}
	print_explanation(ex, o.width, &first);
	explanation_free(ex);
	kb_free(kb);
	return EXIT_OK;
}
