/* terminal.c: facts about the terminal the command-line front ends print to. */
#include "config.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/terminal.h"

int
cli_terminal_width(void)
{
	struct winsize ws;
	const char *columns;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	columns = getenv("COLUMNS");
	if (columns != NULL) {
		long n = strtol(columns, NULL, 10);

		if (n >= 20 && n <= 1000)
			return (int)n;
	}
	return 80;
}
