/*
 * A connection's process runs its deepest call chains once: the key
 * exchange, authentication (PAM's modules, NSS lookups) and a session's
 * start. The stack pages they touched stay with the process for its
 * life, tens of kB of every idle connection, though the loop it then
 * sits in needs a few. Below the loop's frame nothing is live, so those
 * pages can be handed back: MADV_DONTNEED frees them, and the kernel
 * maps zeroed pages if they are touched again. What the dead frames
 * held (key schedules, passwords on their way to PAM) goes with them.
 */
#define _GNU_SOURCE
#include <stdint.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stack.h"

/* The lowest address of the main thread's stack mapping, 0 if unknown.
 * The mapping only grows down, so it is read again each time. */
static uintptr_t stack_low(void)
{
    char line[256];
    unsigned long lo = 0, hi;
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && strstr(line, "[stack]"))
            break;
        else
            lo = 0;
    fclose(f);
    return (uintptr_t)lo;
}

/* noinline: the margin below is counted from this function's own frame,
 * under the caller's, with stack_low's frame already gone. */
__attribute__((noinline)) void stack_release(void)
{
    uintptr_t lo = stack_low(), page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t here = (uintptr_t)__builtin_frame_address(0), top;
    /* Four pages below this frame stay: madvise's own call and a signal
     * handler that interrupts it run there. */
    if (!lo || here < lo + 8 * page)
        return;
    top = (here & ~(page - 1)) - 4 * page;
    madvise((void *)lo, top - lo, MADV_DONTNEED);
}

/*
 * The heap has the same shape: the key exchange, PAM's conversation and a
 * session's start allocate and free more than an idle connection keeps.
 * glibc holds freed pages inside the heap until told; malloc_trim gives
 * back every whole free page, not only the top of the heap.
 */
void heap_release(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}
