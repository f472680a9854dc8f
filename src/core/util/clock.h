/* clock.h: the program's one clock. Monotonic time for timeouts, deadlines and latencies (it
 * never jumps when the system time is set); wall-clock time for transcript stamps and log
 * lines, which a reader compares with other clocks. */
#ifndef SMTPSCOPE_CLOCK_H
#define SMTPSCOPE_CLOCK_H

#include <stdint.h>

/* Monotonic time in microseconds, in milliseconds, and in seconds (with a fraction). */
int64_t clock_mono_us(void);
int64_t clock_mono_ms(void);
double clock_mono_seconds(void);

/* Wall-clock time (microseconds since the Unix epoch), as transcripts and logs stamp it. */
int64_t clock_wall_us(void);

#endif
