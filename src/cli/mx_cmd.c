/* mx_cmd.c: `smtpscope mx DOMAIN [--dns-server ADDR[:PORT]]`: lists a domain's mail exchangers
 * by preference, the way `@DOMAIN` picks the one to connect to. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/conn/mx.h"
#include "cli/cli.h"

static void
mx_usage(FILE *out)
{
	fputs("Usage: smtpscope mx DOMAIN [--dns-server ADDR[:PORT]]\n"
	    "List DOMAIN's mail exchangers (MX records), best (lowest preference) first.\n"
	    "\n"
	    "  --dns-server ADDR[:PORT]  ask this DNS server (IPv4) instead of the system's\n"
	    "  -h, --help                show this help and exit\n", out);
}

int
cli_mx_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "dns-server", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dns_server = NULL, *event;
	struct mx_list *list;
	char *errstr = NULL;
	size_t i;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			dns_server = optarg;
			break;
		case 'h':
			mx_usage(stdout);
			return 0;
		default:
			mx_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs("smtpscope mx: give exactly one domain\n", stderr);
		mx_usage(stderr);
		return 2;
	}
	list = mx_lookup(argv[optind], dns_server, &errstr, &event);
	if (list == NULL) {
		fprintf(stderr, "smtpscope mx: %s\n", errstr);
		free(errstr);
		return 1;
	}
	if (list->null_mx)
		printf("%s publishes a null MX (RFC 7504): it accepts no mail at all.\n",
		    argv[optind]);
	else if (list->implicit)
		printf("%s has no MX records; mail goes to the domain's own address "
		    "(RFC 5321 section 5.1):\n  -  %s\n", argv[optind], list->hosts[0].host);
	else {
		printf("Mail exchangers for %s (best first):\n", argv[optind]);
		for (i = 0; i < list->count; i++)
			printf("  %5d  %s\n", list->hosts[i].preference, list->hosts[i].host);
	}
	mx_list_free(list);
	return 0;
}
