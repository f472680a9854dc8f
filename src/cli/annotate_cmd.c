/* annotate_cmd.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int
cli_annotate_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("smtpscope: annotate is not built yet\n", stderr);
	return 2;
}
