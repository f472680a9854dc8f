/* main.c: smtpscope's entry point: picks the subcommand and hands argv to it. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "frontend.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "explain", cli_explain_main, "explain a reply code, enhanced code, command or keyword" },
	{ "compare", cli_compare_main, "compare two reply codes or two enhanced codes" },
	{ "serve", server_main, "run the practice SMTP server" },
	{ "mx", cli_mx_main, "list a domain's mail exchangers" },
	{ "annotate", cli_annotate_main, "explain every reply of a captured session (file or -)" },
	{ "lesson", cli_lesson_main, "run a guided lesson on the practice server (--list for all)" },
};

static void
print_usage(FILE *out)
{
	size_t i;

	fprintf(out,
	    "Usage: smtpscope [OPTION]... [HOST[:PORT] | @DOMAIN]\n"
	    "  or:  smtpscope COMMAND [ARG]...\n"
	    "Explore an SMTP session by hand, with every server reply explained.\n"
	    "With no HOST, smtpscope starts its built-in practice server and connects to it.\n"
	    "\n"
	    "Commands:\n");
	for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\nSession options:\n");
	client_print_options(out);
	fprintf(out, "\nRun 'smtpscope COMMAND --help' for a command's own options.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	/* A peer that closes its end must never kill us. */
	signal(SIGPIPE, SIG_IGN);

	if (argc >= 2) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			print_usage(stdout);
			return 0;
		}
		if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
			printf("smtpscope %s\n", PACKAGE_VERSION);
			return 0;
		}
		for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
			if (strcmp(argv[1], subcommands[i].name) == 0)
				return subcommands[i].run(argc - 1, argv + 1);
	}
	return client_main(argc, argv);
}
