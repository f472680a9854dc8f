/* practice.h: the built-in practice server as a child process of the client: started on a free
 * loopback port, restarted with another scenario, never outliving smtpscope. */
#ifndef SMTPSCOPE_PRACTICE_H
#define SMTPSCOPE_PRACTICE_H

struct practice;

/* Why a session to the practice server goes on when its certificate does not verify (it is
 * made up at start, self-signed): the words of the warning. */
#define PRACTICE_UNVERIFIED_WHY "the practice server (its certificate is self-signed by design)"

/* Starts `smtpscope serve` (this same binary) in a child on 127.0.0.1 and a free port, with the
 * given scenario list ("normal", "tls-required,auth-required"; NULL for normal). Returns NULL
 * with *errstr set (caller frees) when it could not start. The child's output goes to
 * $XDG_STATE_HOME/smtpscope/practice-server.log (practice_log_path). The environment variable
 * SMTPSCOPE_PRACTICE_EXE names another smtpscope binary to run (for test programs). */
struct practice *practice_start(const char *scenarios, char **errstr);

int practice_port(const struct practice *practice);
/* The implicit TLS port, or -1 when the server has none. */
int practice_tls_port(const struct practice *practice);
const char *practice_scenarios(const struct practice *practice);
/* The practice user's name and password, for the front ends to show. */
const char *practice_user(const struct practice *practice);
const char *practice_password(const struct practice *practice);

/* Where the child's output (its session log) goes, for the front ends to show. */
const char *practice_log_path(const struct practice *practice);
/* The child's process id (tests check that it is gone after practice_stop). */
long practice_pid(const struct practice *practice);

/* Stops the child and starts another with new scenarios (port may change): 0, or -1 with *errstr set. */
int practice_restart(struct practice *practice, const char *scenarios, char **errstr);

/* Stops the child (SIGTERM, then waits) and frees; NULL is fine. */
void practice_stop(struct practice *practice);

#endif
