/* fuzz_smtp_command.c: libFuzzer target for the SMTP command grammar. Each input line is read
 * off the wire and as typed; the results must keep the grammar's promises (verbs upper case and
 * within their caps, arguments inside the line and without trailing spaces, the verb enum the
 * same as looking its text up), and the parameters, the MAIL/RCPT path parser and the secret
 * rule must stay inside the line. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/session.h"
#include "core/proto/smtp_command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_command(const char *line, size_t len, enum smtp_parse_mode mode)
{
	static const char *const keys[] = { "SIZE", "BODY", "AUTH", "SMTPUTF8", "RET", "NOTIFY" };
	struct smtp_command cmd;
	struct smtp_path path;
	const char *v;
	size_t i, n, vlen;

	if (smtp_command_parse_mode(line, len, mode, &cmd) != 0) {
		if (cmd.verb != SMTP_VERB_UNKNOWN || cmd.verb_text[0] != '\0')
			abort();
		return;
	}
	/* (a verb that starts with a NUL byte reads as empty text: has_nul says why) */
	n = strlen(cmd.verb_text);
	if ((n == 0 && !cmd.has_nul) ||
	    n > (mode == SMTP_PARSE_WIRE ? SMTP_VERB_MAX : SMTP_VERB_TEXT_MAX))
		abort();
	for (i = 0; i < n; i++)
		if (cmd.verb_text[i] >= 'a' && cmd.verb_text[i] <= 'z')
			abort();
	if (cmd.args < line || cmd.args + cmd.args_len > line + len)
		abort();
	if (cmd.args_len > 0 && cmd.args[cmd.args_len - 1] == ' ')
		abort();
	if (cmd.verb != SMTP_VERB_UNKNOWN) {
		if (strcmp(smtp_verb_name(cmd.verb), cmd.verb_text) != 0)
			abort();
		if (smtp_verb_lookup(cmd.verb_text, n) != cmd.verb)
			abort();
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (smtp_command_param(&cmd, keys[i], &v, &vlen) &&
		    (v < cmd.args || v + vlen > cmd.args + cmd.args_len))
			abort();
	if (cmd.verb == SMTP_VERB_MAIL || cmd.verb == SMTP_VERB_RCPT) {
		memset(&path, 0, sizeof path);
		if (smtp_path_parse(cmd.args, cmd.args_len, cmd.verb == SMTP_VERB_MAIL, &path) ==
		    SMTP_PATH_OK && strlen(path.addr) > SMTP_ADDR_MAX)
			abort();
		if (strnlen(path.bad_param, sizeof path.bad_param) == sizeof path.bad_param)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char verb[SMTP_VERB_TEXT_MAX + 1];
	size_t keep;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl != NULL ? nl : end) - p);
		enum smtp_verb typed;

		check_command(p, len, SMTP_PARSE_WIRE);
		check_command(p, len, SMTP_PARSE_TYPED);
		typed = smtp_command_verb(p, len, verb, sizeof verb);
		if (typed != SMTP_VERB_UNKNOWN && strcmp(smtp_verb_name(typed), verb) != 0)
			abort();
		if (session_line_is_secret(NULL, p, len, &keep) && (keep == 0 || keep >= len))
			abort();
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
