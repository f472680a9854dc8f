/* transcript_time.c: the transcript file's time stamps (UTC, to the microsecond), written and
 * read without the C library's time zone machinery, for any year from 0 to 9999. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/escape.h"
#include "core/proto/reply.h"
#include "core/record/transcript.h"
#include "core/record/transcript_internal.h"
#include "core/util/xmalloc.h"

/* ---- time stamps ---- */

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian calendar). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void
transcript_format_time(int64_t us, char out[48])
{
	int64_t secs = floor_div(us, 1000000), days = floor_div(secs, 86400), y;
	int64_t frac = us - secs * 1000000, sod = secs - days * 86400;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, 48, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ", (long long)y, m, d,
	    (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
	    (long long)frac);
}

bool
transcript_read_digits(const char *s, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}


bool
transcript_parse_time(const char *s, size_t len, int64_t *us)
{
	unsigned year, mon, day, hour, min, sec, frac, ry;
	int64_t days, cy;
	unsigned cm, cd;

	if (len < TRANSCRIPT_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return false;
	if (!transcript_read_digits(s, 4, &year) || !transcript_read_digits(s + 5, 2, &mon) ||
	    !transcript_read_digits(s + 8, 2, &day) ||
	    !transcript_read_digits(s + 11, 2, &hour) ||
	    !transcript_read_digits(s + 14, 2, &min) ||
	    !transcript_read_digits(s + 17, 2, &sec) ||
	    !transcript_read_digits(s + 20, 6, &frac))
		return false;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59)
		return false;
	days = days_from_civil(year, mon, day);
	civil_from_days(days, &cy, &cm, &cd);
	ry = (unsigned)cy;
	if (ry != year || cm != mon || cd != day)
		return false;  /* 31 April and the like */
	*us = ((days * 86400 + hour * 3600 + min * 60 + sec) * 1000000) + frac;
	return true;
}
