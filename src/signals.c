/* signals.c - remember the first terminating signal. */
#include "config.h"

#include "signals.h"

#include <signal.h>
#include <stddef.h>

/* A signal handler can only talk to the program through a static flag. */
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    if (!caught)
        caught = sig;
}

int signals_install(void)
{
    struct sigaction sa;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            return -1;
    return 0;
}

int signals_caught(void)
{
    return caught;
}
