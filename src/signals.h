/* signals.h - SIGINT, SIGTERM and SIGHUP end a run cleanly: the loops see the
 * signal, end their shards' process groups and report what finished. A
 * second one ends the process at once (the journal is intact). */
#ifndef DISTMPI_SIGNALS_H
#define DISTMPI_SIGNALS_H

/* Catch SIGINT, SIGTERM and SIGHUP (without SA_RESTART, so sleeps end early);
 * at the second, restore the cursor on a terminal and _exit(128+N).
 * Returns 0, or -1 with errno set. */
int signals_install(void);

/* The first signal caught, or 0. */
int signals_caught(void);

#endif
