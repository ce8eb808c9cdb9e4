/*
 * Giving back the stack pages a connection's process no longer uses
 * (stack.c).
 */
#ifndef NSSH_POSIX_STACK_H
#define NSSH_POSIX_STACK_H

/* Drop the pages of the main thread's stack below the caller's frame:
 * nothing there is live. Call from a shallow frame (the loop), rarely
 * (after authentication, after a session's start): the pages come back
 * zeroed as deeper calls touch them again. */
void stack_release(void);
/* Free heap pages go back to the kernel (where the C library can). */
void heap_release(void);

#endif
