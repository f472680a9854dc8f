/* test_practice.c: the practice-server launcher: practice_start runs `smtpscope serve` in a
 * child on a free loopback port that answers SMTP, practice_restart switches the scenario,
 * practice_stop leaves no process behind. With --hold it is also the parent process the
 * shell test tests/integration/server/server_practice_child.sh kills in various ways. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/practice.h"

/* Connects to 127.0.0.1:port and reads the first reply line into buf. */
static int
greeting(int port, char *buf, size_t len)
{
	struct sockaddr_in sin;
	struct timeval tv = { 5, 0 };
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	while (got < len - 1) {
		ssize_t n = read(fd, buf + got, 1);
		if (n <= 0 || buf[got] == '\n')
			break;
		got++;
	}
	buf[got] = '\0';
	close(fd);
	return 0;
}

static bool
process_gone(long pid)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			return true;
		usleep(10000);
	}
	return false;
}

static void
test_start_answers_smtp_and_stop_leaves_nothing(void **state)
{
	char *err = NULL, line[512];
	struct practice *p = practice_start(NULL, &err);
	long pid;
	int port;

	assert_non_null(p);
	assert_null(err);
	port = practice_port(p);
	assert_true(port > 0 && port < 65536);
	assert_true(practice_tls_port(p) > 0);
	assert_string_equal(practice_scenarios(p), "normal");
	assert_string_equal(practice_user(p), "practice");
	assert_true(strlen(practice_password(p)) > 0);
	assert_non_null(practice_log_path(p));
	assert_int_equal(greeting(port, line, sizeof line), 0);
	assert_true(strncmp(line, "220 ", 4) == 0);
	assert_non_null(strstr(line, "scenario normal"));
	pid = practice_pid(p);
	assert_true(pid > 0);
	practice_stop(p);
	assert_true(process_gone(pid));
	assert_int_not_equal(greeting(port, line, sizeof line), 0);
}

static void
test_restart_switches_scenario(void **state)
{
	char *err = NULL, line[512];
	struct practice *p = practice_start("busy", &err);
	long first;

	assert_non_null(p);
	assert_int_equal(greeting(practice_port(p), line, sizeof line), 0);
	assert_true(strncmp(line, "421 4.3.2 ", 10) == 0);
	first = practice_pid(p);
	assert_int_equal(practice_restart(p, "tls-required,auth-required", &err), 0);
	assert_string_equal(practice_scenarios(p), "tls-required,auth-required");
	assert_true(process_gone(first));
	assert_int_equal(greeting(practice_port(p), line, sizeof line), 0);
	assert_true(strncmp(line, "220 ", 4) == 0);
	assert_non_null(strstr(line, "auth-required"));
	practice_stop(p);
}

static void
test_unknown_scenario_fails_cleanly(void **state)
{
	char *err = NULL;
	struct practice *p = practice_start("no-such-scenario", &err);

	assert_null(p);
	assert_non_null(err);
	assert_non_null(strstr(err, "did not start"));
	free(err);
}

static void
test_restart_failure_keeps_a_server(void **state)
{
	char *err = NULL, line[512];
	struct practice *p = practice_start("normal", &err);

	assert_non_null(p);
	assert_int_equal(practice_restart(p, "nonsense", &err), -1);
	assert_non_null(err);
	free(err);
	assert_string_equal(practice_scenarios(p), "normal");
	assert_int_equal(greeting(practice_port(p), line, sizeof line), 0);
	assert_true(strncmp(line, "220 ", 4) == 0);
	practice_stop(p);
	practice_stop(NULL);
}

static char *state_dir;

static void
remove_state_dir(void)
{
	char *log = NULL, *sub = NULL;

	if (state_dir == NULL)
		return;
	if (asprintf(&log, "%s/smtpscope/practice-server.log", state_dir) > 0)
		unlink(log);
	if (asprintf(&sub, "%s/smtpscope", state_dir) > 0)
		rmdir(sub);
	rmdir(state_dir);
	free(log);
	free(sub);
}

/* --hold: start a practice server, print "pid PID port PORT", wait until killed or stdin
 * closes, then stop it normally. */
static int
hold(const char *scenarios)
{
	char *err = NULL, buf[16];
	struct practice *p;

	/* As a front end with a self-pipe loop would: block the stop signals, ignore SIGINT. */
	if (getenv("HOLD_BLOCK_SIGNALS") != NULL) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		signal(SIGINT, SIG_IGN);
	}
	p = practice_start(scenarios, &err);

	if (p == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return 1;
	}
	printf("pid %ld port %d\n", practice_pid(p), practice_port(p));
	fflush(stdout);
	while (read(0, buf, sizeof buf) > 0)
		;
	practice_stop(p);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_answers_smtp_and_stop_leaves_nothing),
		cmocka_unit_test(test_restart_switches_scenario),
		cmocka_unit_test(test_unknown_scenario_fails_cleanly),
		cmocka_unit_test(test_restart_failure_keeps_a_server),
	};
	const char *exe = getenv("SMTPSCOPE");

	signal(SIGPIPE, SIG_IGN);
	/* This program is not smtpscope: run the built binary as the server. */
	if (exe != NULL && getenv("SMTPSCOPE_PRACTICE_EXE") == NULL)
		setenv("SMTPSCOPE_PRACTICE_EXE", exe, 1);
	if (getenv("SMTPSCOPE_PRACTICE_EXE") == NULL) {
		fprintf(stderr, "test_practice: set SMTPSCOPE to the built smtpscope binary\n");
		return 1;
	}
	/* The children's logs go to a temporary state folder, not the user's home. */
	if (getenv("SMTPSCOPE_TEST_KEEP_STATE") == NULL) {
		const char *tmp = getenv("TMPDIR");
		if (asprintf(&state_dir, "%s/smtpscope-practice.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
		    mkdtemp(state_dir) == NULL) {
			perror("mkdtemp");
			return 1;
		}
		setenv("XDG_STATE_HOME", state_dir, 1);
		atexit(remove_state_dir);
	}
	if (argc >= 2 && strcmp(argv[1], "--hold") == 0)
		return hold(argc >= 3 ? argv[2] : NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
