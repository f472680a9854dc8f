/* script.c: reading the lines a front end runs one by one (see script.h). */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "cli/script.h"

enum cli_script_read
cli_script_read_line(FILE *in, char *line, size_t size)
{
	size_t len;

	if (fgets(line, size > INT_MAX ? INT_MAX : (int)size, in) == NULL)
		return CLI_SCRIPT_END;
	len = strlen(line);
	if (len > 0 && line[len - 1] != '\n' && !feof(in))
		return CLI_SCRIPT_TOO_LONG;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return CLI_SCRIPT_LINE;
}

bool
cli_script_line_is_comment(const char *line, bool in_data)
{
	return !in_data && (line[0] == '\0' || line[0] == '#');
}
