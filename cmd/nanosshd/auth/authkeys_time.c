/*
 * The authorized_keys expiry-time="YYYYMMDD[HHMM[SS]][Z]" value (sshd(8)
 * AUTHORIZED_KEYS FILE FORMAT). A UTC time is computed here in 64 bits
 * rather than with timegm(), so dates past 2038 work whatever the width
 * of time_t; a local time needs mktime() and so a time_t that holds it.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "authkeys.h"

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int num(const char *p, size_t n)
{
    int v = 0;
    while (n--)
        v = v * 10 + (*p++ - '0');
    return v;
}

int authkeys_parse_time(const char *v, int64_t *t)
{
    size_t n = strlen(v), i;
    int utc = 0, y, mo, d, h = 0, mi = 0, s = 0;
    if (n && v[n - 1] == 'Z') {
        utc = 1;
        n--;
    }
    if (n != 8 && n != 12 && n != 14)
        return -1;
    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)v[i]))
            return -1;
    y = num(v, 4);
    mo = num(v + 4, 2);
    d = num(v + 6, 2);
    if (n >= 12) {
        h = num(v + 8, 2);
        mi = num(v + 10, 2);
    }
    if (n == 14)
        s = num(v + 12, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
        h > 23 || mi > 59 || s > 59)
        return -1;
    if (utc) {
        *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    } else {
        struct tm tm;
        time_t lt;
        memset(&tm, 0, sizeof(tm));
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = s;
        tm.tm_isdst = -1;
        if ((lt = mktime(&tm)) == (time_t)-1)
            return -1;
        *t = (int64_t)lt;
    }
    return *t > 0 ? 0 : -1;
}
