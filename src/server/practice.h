/* practice.h: the built-in practice server as a child process of the client: started on a free
 * loopback port, restarted with another scenario, never outliving smtpscope. */
#ifndef SMTPSCOPE_PRACTICE_H
#define SMTPSCOPE_PRACTICE_H

struct practice;

/* Starts `smtpscope serve` (this same binary) in a child on 127.0.0.1 and a free port, with the
 * given scenario list ("normal", "tls-required,auth-required"; NULL for normal). Returns NULL
 * with *errstr set (caller frees) when it could not start. */
struct practice *practice_start(const char *scenarios, char **errstr);

int practice_port(const struct practice *practice);
const char *practice_scenarios(const struct practice *practice);
/* The practice user's name and password, for the front ends to show. */
const char *practice_user(const struct practice *practice);
const char *practice_password(const struct practice *practice);

/* Stops the child and starts another with new scenarios (port may change): 0, or -1 with *errstr set. */
int practice_restart(struct practice *practice, const char *scenarios, char **errstr);

/* Stops the child (SIGTERM, then waits) and frees; NULL is fine. */
void practice_stop(struct practice *practice);

#endif
