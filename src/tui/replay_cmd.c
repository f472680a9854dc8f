/* replay_cmd.c: `smtpscope replay FILE`: a saved or captured session opened in the screen,
 * read-only, to step through reply by reply (for teachers walking a class through a session). */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/capture.h"
#include "core/record/transcript.h"
#include "client/frontend.h"
#include "client/kb_open.h"
#include "tui/replay.h"

enum { EXIT_USAGE = 2 };

static const struct option replay_options[] = {
	{ "lang", required_argument, NULL, 'l' },
	{ "help-dir", required_argument, NULL, 'd' },
	{ "format-in", required_argument, NULL, 'i' },
	{ "no-color", no_argument, NULL, 'n' },
	{ "show-secrets", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
replay_usage(FILE *out)
{
	fputs("Usage: smtpscope replay [OPTION]... FILE\n"
	    "Open a saved or captured SMTP session in the screen, read-only, and step through it\n"
	    "reply by reply, each explained as it was when it arrived. FILE may be a transcript\n"
	    "saved by smtpscope, swaks output, a C:/S: transcript, a telnet or openssl s_client\n"
	    "paste, or mail-log lines; the format is detected.\n"
	    "\n"
	    "  -i, --format-in=FMT   do not detect: smtpscope, swaks, cs, raw or log\n"
	    "  -l, --lang=LANG       language of the explanations (en, id)\n"
	    "  -d, --help-dir=DIR    read the knowledge base from DIR\n"
	    "      --no-color        no colours\n"
	    "      --show-secrets    do not mask AUTH payloads found in the capture\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "Keys: Enter or F6 the next reply, F5 the one before, F1 all keys, /quit to leave.\n",
	    out);
}

int
cli_replay_main(int argc, char **argv)
{
	struct capture_options capture = { .format = CAPTURE_FORMAT_AUTO };
	struct frontend fe;
	struct transcript *transcript;
	const char *lang_option = NULL, *help_dir_option = NULL;
	char *err = NULL;
	struct client_kb loaded;
	int c, status;

	memset(&fe, 0, sizeof fe);
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:d:i:h", replay_options, NULL)) != -1) {
		switch (c) {
		case 'l':
			lang_option = optarg;
			break;
		case 'd':
			help_dir_option = optarg;
			break;
		case 'i':
			if (capture_format_parse(optarg, &capture.format) < 0) {
				fprintf(stderr, "smtpscope replay: unknown input format '%s' (smtpscope, "
				    "swaks, cs, raw or log)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			fe.no_color = true;
			break;
		case 's':
			fe.show_secrets = capture.show_secrets = true;
			break;
		case 'h':
			replay_usage(stdout);
			return 0;
		default:
			replay_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "smtpscope replay: name one file to replay\n");
		replay_usage(stderr);
		return EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "smtpscope replay: the replay needs a terminal; for text, use "
		    "'smtpscope annotate %s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	setlocale(LC_ALL, "");
	transcript = capture_load_transcript(argv[optind], &capture, &err);
	if (transcript == NULL) {
		fprintf(stderr, "smtpscope replay: %s\n", err != NULL ? err : "cannot read the file");
		free(err);
		return EXIT_USAGE;
	}
	client_kb_open(&loaded, "replay", help_dir_option, lang_option, 0);
	if (loaded.kb == NULL)
		sleep(1);  /* time to read why before the screen covers it */
	fe.kb = loaded.kb;
	fe.help_dir = loaded.help_dir;
	fe.lang = loaded.lang;
	status = tui_replay(&fe, transcript, argv[optind]);
	transcript_free(transcript);
	client_kb_clear(&loaded);
	return status;
}
