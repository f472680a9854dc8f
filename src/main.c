/* main.c: smtpscope's entry point: picks the subcommand and hands argv to it. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "client/client.h"
#include "server/server.h"
#include "tui/replay.h"

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
	{ "replay", cli_replay_main, "step through a saved or captured session on the screen" },
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

/* Options every subcommand takes, so they may also stand before its name. */
static const char *const shared_options[] = { "--lang", "--help-dir" };

/* How many arguments a shared option at argv[i] takes up (0 when it is not one). */
static int
shared_option_length(int argc, char **argv, int i)
{
	size_t k, n;

	for (k = 0; k < sizeof shared_options / sizeof shared_options[0]; k++) {
		n = strlen(shared_options[k]);
		if (strncmp(argv[i], shared_options[k], n) != 0)
			continue;
		if (argv[i][n] == '=')
			return 1;
		if (argv[i][n] == '\0')
			return i + 1 < argc ? 2 : 1;
	}
	return 0;
}

static const struct subcommand *
find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(name, subcommands[i].name) == 0)
			return &subcommands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct subcommand *sub;
	int i = 1, len;

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
	}
	/* "smtpscope --lang id explain 550" means "smtpscope explain 550 --lang id": move the
	 * subcommand's name in front of the shared options that precede it. */
	while (i < argc && (len = shared_option_length(argc, argv, i)) > 0)
		i += len;
	if (i < argc && (sub = find_subcommand(argv[i])) != NULL) {
		char *name = argv[i];

		memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof *argv);
		argv[1] = name;
		return sub->run(argc - 1, argv + 1);
	}
	return client_main(argc, argv);
}
