/* script.c: reading and submitting the lines a front end runs one by one (see script.h). */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/script.h"
#include "core/record/export.h"
#include "core/util/xmalloc.h"

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

enum engine_result
cli_script_submit(struct engine *engine, const char *line, struct engine_answer *ans)
{
	enum engine_result result = engine_submit(engine, line, 0, ans);

	if (result == ENGINE_WARNING) {
		engine_answer_clear(ans);
		result = engine_submit(engine, line, ENGINE_FORCE, ans);
	}
	return result;
}

int
cli_script_save(struct engine *engine, const struct kb *kb, const char *path, char **errstr)
{
	char *note;

	if (export_save(engine_transcript(engine), kb, path, errstr) < 0)
		return -1;
	note = xasprintf("transcript saved to %s%s", path, engine_shows_secrets(engine) ?
	    " (secrets NOT masked: --show-secrets)" : "");
	engine_note(engine, note);
	free(note);
	return 0;
}
