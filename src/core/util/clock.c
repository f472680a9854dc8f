/* clock.c: monotonic and wall-clock time read in one place (see clock.h). */
#include "config.h"

#include <time.h>

#include "core/util/clock.h"

static struct timespec
clock_read(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts;
}

int64_t
clock_mono_us(void)
{
	struct timespec ts = clock_read(CLOCK_MONOTONIC);

	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts = clock_read(CLOCK_MONOTONIC);

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
clock_mono_seconds(void)
{
	struct timespec ts = clock_read(CLOCK_MONOTONIC);

	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t
clock_wall_us(void)
{
	struct timespec ts = clock_read(CLOCK_REALTIME);

	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
