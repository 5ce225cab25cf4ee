/* signals.h - SIGINT, SIGTERM and SIGHUP end a run cleanly: the loops see the
 * signal, end their shards' process groups and report what finished. A
 * second one ends the process at once (the journal is intact). */
#ifndef DISTMPI_SIGNALS_H
#define DISTMPI_SIGNALS_H

/* Catch SIGINT, SIGTERM and SIGHUP (without SA_RESTART, so sleeps end early);
 * at the second, call last (if not NULL; it must be async-signal-safe: it
 * ends what the process started), restore the cursor on a terminal and
 * _exit(128+N). Returns 0, or -1 with errno set. */
int signals_install(void (*last)(void));

/* The first signal caught, or 0. */
int signals_caught(void);

#endif
