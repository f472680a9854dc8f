/* lesson_cmd.c: not written yet. */
#include "config.h"

#include <stdio.h>

#include "frontend.h"

int
cli_lesson_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("smtpscope: lessons are not built yet\n", stderr);
	return 2;
}
