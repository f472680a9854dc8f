/* fuzz_command.c: libFuzzer target for the local command parser and the secret mask. The input
 * is a typed line (cut at its first NUL or line end). A parsed command must have an entry of the
 * table, arguments within its bounds, each a non-empty word, and rest trimmed; the mask must
 * keep the line up to the secret and hide the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn/command.h"
#include "core/proto/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_command(const char *line, const struct command *cmd)
{
	size_t i, len;

	if (cmd->info == NULL || command_info(cmd->info->id) != cmd->info)
		abort();
	if (cmd->argc > COMMAND_MAX_ARGS || cmd->argc < (size_t)cmd->info->min_args ||
	    (cmd->info->max_args >= 0 && cmd->argc > (size_t)cmd->info->max_args))
		abort();
	for (i = 0; i < cmd->argc; i++)
		if (cmd->argv[i][0] == '\0' || strpbrk(cmd->argv[i], " \t") != NULL ||
		    strstr(line, cmd->argv[i]) == NULL)
			abort();
	len = strlen(cmd->rest);
	if (cmd->rest[0] == ' ' || cmd->rest[0] == '\t' ||
	    (len > 0 && strchr(" \t\r\n", cmd->rest[len - 1]) != NULL))
		abort();
}

static void
check_mask(const char *line)
{
	char *masked = command_mask(line);
	size_t keep = strlen(masked);

	if (strcmp(masked, line) != 0) {
		/* masked = the line up to the secret, then the mask, nothing after */
		size_t mlen = strlen(SESSION_MASK);

		if (keep < mlen || strcmp(masked + keep - mlen, SESSION_MASK) != 0 ||
		    strncmp(masked, line, keep - mlen) != 0 || keep - mlen >= strlen(line))
			abort();
	}
	free(masked);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct command cmd;
	char *err = NULL;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	line[strcspn(line, "\r\n")] = '\0';   /* a typed line never holds one */
	if (command_parse(line, &cmd, &err) == 0) {
		check_command(line, &cmd);
		command_clear(&cmd);
		if (cmd.info != NULL || cmd.argc != 0 || cmd.rest != NULL)
			abort();
	} else {
		if (err == NULL || err[0] == '\0')
			abort();
		free(err);
	}
	check_mask(line);
	free(line);
	return 0;
}
