/*
 * NSSH_API marks the public API: the functions and tables declared in
 * include/. libnanossh is built with hidden visibility by default, so
 * only names marked here are exported from the shared library; in the
 * static library every other global is made local (see ARCHITECTURE.md),
 * so an application's own dispatch() or rd_u32() cannot replace or clash
 * with the engine's.
 */
#ifndef NANOSSH_API_H
#define NANOSSH_API_H

#if defined(__GNUC__) || defined(__clang__)
#define NSSH_API __attribute__((visibility("default")))
#else
#define NSSH_API
#endif

#endif
