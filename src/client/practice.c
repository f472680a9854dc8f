/* practice.c: the built-in practice server as a child of the client. Runs this same binary as
 * `smtpscope serve --port 0 --scenario ... --ready-fd 3`, reads the ready line through a pipe,
 * sends the child's output to a log file (never to the client's terminal), and makes sure the
 * child dies with its parent: PR_SET_PDEATHSIG in the child plus a getppid() check, and SIGTERM
 * then SIGKILL from practice_stop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util/clock.h"
#include "core/util/xmalloc.h"
#include "client/practice.h"

#define READY_TIMEOUT_MS 10000
#define STOP_GRACE_MS 2000
#define READY_FD 3

struct practice {
	pid_t pid;
	int port;
	int tls_port;
	char *scenarios;
	char *user;
	char *password;
	char *log_path;
};

/* $XDG_STATE_HOME/smtpscope/practice-server.log (or ~/.local/state/...), made if needed;
 * /dev/null when there is no such place. */
static char *
log_file_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir, *p;

	if (state != NULL && state[0] == '/')
		dir = xasprintf("%s/smtpscope", state);
	else if (home != NULL && home[0] == '/')
		dir = xasprintf("%s/.local/state/smtpscope", home);
	else
		return xstrdup("/dev/null");
	/* mkdir -p */
	for (p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(dir, 0700);
			*p = '/';
		}
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(dir);
		return xstrdup("/dev/null");
	}
	p = xasprintf("%s/practice-server.log", dir);
	free(dir);
	return p;
}

static void
close_other_fds(int from)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = from; fd < max; fd++)
		(void)close(fd);
}

/* In the child: never returns. */
static void __attribute__((noreturn))
child_exec(pid_t parent, int ready_w, const char *log_path, const char *scenarios)
{
	const char *exe = getenv("SMTPSCOPE_PRACTICE_EXE");
	int devnull, logfd;
	char *argv[12];
	int i = 0;

	sigset_t none;

	/* The parent may block or ignore signals (a self-pipe loop does); exec keeps both, and a
	 * blocked SIGTERM would make the death signal below useless. Start clean. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	/* Die with the parent, even if it is killed; it may already be gone. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(127);
	/* Its own session: a Ctrl-C meant for the client does not reach the server. */
	(void)setsid();
	signal(SIGPIPE, SIG_IGN);
	devnull = open("/dev/null", O_RDWR);
	logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (logfd < 0)
		logfd = devnull;
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		_exit(127);
	if (ready_w != READY_FD) {
		if (dup2(ready_w, READY_FD) < 0)
			_exit(127);
	} else if (fcntl(READY_FD, F_SETFD, 0) < 0) {
		_exit(127);
	}
	close_other_fds(READY_FD + 1);
	argv[i++] = (char *)"smtpscope";
	argv[i++] = (char *)"serve";
	argv[i++] = (char *)"--port";
	argv[i++] = (char *)"0";
	argv[i++] = (char *)"--scenario";
	argv[i++] = (char *)scenarios;
	argv[i++] = (char *)"--ready-fd";
	argv[i++] = (char *)"3";
	argv[i] = NULL;
	execv(exe && *exe ? exe : "/proc/self/exe", argv);
	fprintf(stderr, "smtpscope: cannot run the practice server: %s\n", strerror(errno));
	_exit(127);
}

/* Parses "listening ADDR:PORT tls-port N user U password P scenario S domain D". */
static int
parse_ready(struct practice *p, char *line)
{
	char *save = NULL, *word, *key = NULL;

	word = strtok_r(line, " \n", &save);
	if (word == NULL || strcmp(word, "listening") != 0)
		return -1;
	word = strtok_r(NULL, " \n", &save);
	if (word == NULL || strrchr(word, ':') == NULL)
		return -1;
	p->port = atoi(strrchr(word, ':') + 1);
	p->tls_port = -1;
	while ((word = strtok_r(NULL, " \n", &save)) != NULL) {
		if (key == NULL) {
			key = word;
			continue;
		}
		if (strcmp(key, "tls-port") == 0)
			p->tls_port = strcmp(word, "none") == 0 ? -1 : atoi(word);
		else if (strcmp(key, "user") == 0)
			p->user = xstrdup(word);
		else if (strcmp(key, "password") == 0)
			p->password = xstrdup(word);
		key = NULL;
	}
	return p->port > 0 && p->user != NULL && p->password != NULL ? 0 : -1;
}

/* Waits up to ms for the child to exit; true when it did (or is not ours to wait for). */
static bool
wait_child(pid_t pid, int ms)
{
	int64_t end = clock_mono_ms() + ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (clock_mono_ms() >= end)
			return false;
		usleep(10000);
	}
}

static void
kill_child(pid_t pid)
{
	if (pid <= 0)
		return;
	if (kill(pid, SIGTERM) != 0 && errno == ESRCH) {
		(void)waitpid(pid, NULL, WNOHANG);
		return;
	}
	if (!wait_child(pid, STOP_GRACE_MS)) {
		kill(pid, SIGKILL);
		(void)wait_child(pid, STOP_GRACE_MS);
	}
}

/* Starts the child for p (scenarios and log_path set); fills pid, ports and user. */
static int
spawn(struct practice *p, char **errstr)
{
	int fds[2];
	pid_t parent = getpid(), pid;
	char buf[1024];
	size_t len = 0;
	int64_t end;
	char *nl = NULL;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		*errstr = xasprintf("cannot start the practice server: pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*errstr = xasprintf("cannot start the practice server: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_exec(parent, fds[1], p->log_path, p->scenarios);
	}
	close(fds[1]);
	p->pid = pid;
	end = clock_mono_ms() + READY_TIMEOUT_MS;
	while (len < sizeof buf - 1) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		int left = (int)(end - clock_mono_ms()), n;
		ssize_t got;
		if (left <= 0)
			break;
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got = read(fds[0], buf + len, sizeof buf - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		buf[len] = '\0';
		if ((nl = strchr(buf, '\n')) != NULL)
			break;
	}
	close(fds[0]);
	buf[len] = '\0';
	if (nl == NULL || parse_ready(p, buf) != 0) {
		kill_child(pid);
		p->pid = 0;
		*errstr = xasprintf("the practice server did not start (scenario %s); its log is %s",
		    p->scenarios, p->log_path);
		return -1;
	}
	return 0;
}

struct practice *
practice_start(const char *scenarios, char **errstr)
{
	struct practice *p = xcalloc(1, sizeof *p);

	p->scenarios = xstrdup(scenarios && *scenarios ? scenarios : "normal");
	p->log_path = log_file_path();
	{
		/* Keep the log from growing across many runs. */
		struct stat st;
		if (stat(p->log_path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 10 * 1024 * 1024)
			(void)truncate(p->log_path, 0);
	}
	if (spawn(p, errstr) != 0) {
		practice_stop(p);
		return NULL;
	}
	return p;
}

int
practice_port(const struct practice *practice)
{
	return practice->port;
}

int
practice_tls_port(const struct practice *practice)
{
	return practice->tls_port;
}

const char *
practice_scenarios(const struct practice *practice)
{
	return practice->scenarios;
}

const char *
practice_user(const struct practice *practice)
{
	return practice->user;
}

const char *
practice_password(const struct practice *practice)
{
	return practice->password;
}

const char *
practice_log_path(const struct practice *practice)
{
	return practice->log_path;
}

long
practice_pid(const struct practice *practice)
{
	return (long)practice->pid;
}

static void
forget_child(struct practice *p)
{
	kill_child(p->pid);
	p->pid = 0;
	p->port = 0;
	p->tls_port = -1;
	free(p->user);
	free(p->password);
	p->user = p->password = NULL;
}

int
practice_restart(struct practice *practice, const char *scenarios, char **errstr)
{
	char *old = practice->scenarios;

	forget_child(practice);
	practice->scenarios = xstrdup(scenarios && *scenarios ? scenarios : "normal");
	if (spawn(practice, errstr) != 0) {
		/* Try to leave a working server behind: the one that ran before. */
		char *ignored = NULL;
		free(practice->scenarios);
		practice->scenarios = old;
		if (spawn(practice, &ignored) != 0)
			free(ignored);
		return -1;
	}
	free(old);
	return 0;
}

void
practice_stop(struct practice *practice)
{
	if (practice == NULL)
		return;
	forget_child(practice);
	free(practice->scenarios);
	free(practice->log_path);
	free(practice);
}
