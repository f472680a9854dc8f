/* run.c: the loop the command-line front ends that run a session share (see run.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/print.h"
#include "cli/run.h"
#include "cli/script.h"
#include "core/util/clock.h"
#include "core/util/xmalloc.h"

/* Descriptors polled besides the engine's. */
#define CLI_RUN_FDS 6

static bool
stopped(const struct cli_run *run)
{
	return run->stop != NULL && *run->stop != 0;
}

/* One turn: poll the engine (and extra, when not -1, and the wake descriptor) for at most
 * timeout ms, then let the engine work. Returns false when nothing can happen any more (no
 * descriptor, no deadline) or on a poll error; *extra_ready says extra became readable. */
static bool
turn(struct cli_run *run, int timeout, int extra, bool *extra_ready)
{
	struct pollfd fds[CLI_RUN_FDS];
	size_t n = engine_pollfds(run->engine, fds, CLI_RUN_FDS - 2), all = n;
	int deadline = engine_timeout_ms(run->engine);

	if (deadline >= 0 && (timeout < 0 || deadline < timeout))
		timeout = deadline;
	if (n == 0 && timeout < 0 && extra < 0)
		return false;
	if (extra >= 0) {
		fds[all].fd = extra;
		fds[all].events = POLLIN;
		fds[all++].revents = 0;
	}
	if (run->wake_fd >= 0) {
		fds[all].fd = run->wake_fd;
		fds[all].events = POLLIN;
		fds[all++].revents = 0;
	}
	if (poll(fds, all, timeout) < 0 && errno != EINTR)
		return false;
	if (extra >= 0 && fds[n].revents != 0)
		*extra_ready = true;
	if (stopped(run))
		return true;
	engine_handle(run->engine, fds, n);
	return true;
}

void
cli_run_until_idle(struct cli_run *run)
{
	struct engine_status st;
	bool ready = false;

	for (;;) {
		engine_status(run->engine, &st);
		if (!st.waiting || stopped(run) ||
		    (run->frontend->settled != NULL && run->frontend->settled(run)))
			return;
		if (!turn(run, -1, -1, &ready) || stopped(run))
			return;
	}
}

void
cli_run_pause(struct cli_run *run, int ms)
{
	int64_t end = clock_mono_us() + (int64_t)ms * 1000;
	bool ready = false;

	while (!stopped(run)) {
		int64_t left = (end - clock_mono_us() + 999) / 1000;

		if (left <= 0 || !turn(run, (int)left, -1, &ready))
			return;
	}
}

void
cli_run_until_input(struct cli_run *run, int fd)
{
	bool ready = false;

	while (!ready && !stopped(run))
		if (!turn(run, -1, fd, &ready))
			return;
}

/* A local command for the front end: its handler, or a note that it is not for this one. */
static bool
frontend_command(struct cli_run *run, const struct command *cmd)
{
	cli_handler handler = run->frontend->handlers[cmd->info->id];

	if (handler == NULL) {
		printf(".. /%s %s\n", cmd->info->name, run->frontend->skipped);
		return true;
	}
	return handler(run, cmd);
}

bool
cli_run_line(struct cli_run *run, const char *line)
{
	struct engine_answer ans;
	struct engine_status st;
	bool go_on = true;

	engine_status(run->engine, &st);
	cli_print_local_command(line, st.in_data);
	switch (cli_script_submit(run->engine, line, &ans)) {
	case ENGINE_DONE:
		cli_print_result(ans.text);
		break;
	case ENGINE_WARNING:
		break;   /* sent anyway: the warning is in the transcript */
	case ENGINE_NEED_SECRET:
		go_on = run->frontend->need_secret(run, ans.text != NULL ? ans.text : "");
		break;
	case ENGINE_FRONTEND:
		go_on = frontend_command(run, &ans.command);
		break;
	case ENGINE_ERROR:
		printf("** %s\n", ans.text ? ans.text : "error");
		if (run->frontend->errors_stop) {
			run->failed = true;
			go_on = false;
		}
		break;
	}
	engine_answer_clear(&ans);
	fflush(stdout);
	cli_run_until_idle(run);
	return go_on;
}

bool
cli_run_quit(struct cli_run *run, const struct command *cmd)
{
	struct engine_status st;
	struct engine_answer ans;

	(void)cmd;
	engine_status(run->engine, &st);
	if (st.connected) {
		engine_submit(run->engine, "QUIT", ENGINE_FORCE, &ans);
		engine_answer_clear(&ans);
		cli_run_until_idle(run);
	}
	return false;
}

bool
cli_run_save(struct cli_run *run, const struct command *cmd)
{
	char *err = NULL;

	if (cli_script_save(run->engine, run->kb, cmd->argv[0], &err) == 0)
		return true;
	printf("** %s\n", err);
	free(err);
	if (!run->frontend->errors_stop)
		return true;
	run->failed = true;
	return false;
}

bool
cli_run_wait(struct cli_run *run, const struct command *cmd)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(cmd->argv[0], &end);
	if (errno != 0 || *end != '\0' || end == cmd->argv[0] || secs <= 0 ||
	    secs > CLI_RUN_WAIT_MAX_S) {
		printf("** /wait needs a number of seconds from 0 to %d\n", CLI_RUN_WAIT_MAX_S);
		return true;
	}
	fflush(stdout);
	cli_run_pause(run, (int)(secs * 1000));
	return true;
}
