/*
 * clock.h: the monotonic clock in milliseconds, for deadlines and rates
 * (session, engine, audit progress). Never the wall clock: a clock step must
 * not end or stretch a dialogue.
 */
#ifndef SMTPPROBE_CLOCK_H
#define SMTPPROBE_CLOCK_H

long long clock_now_ms(void);

#endif
