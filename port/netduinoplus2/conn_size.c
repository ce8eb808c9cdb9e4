/* Build-time probe: the engine's connection size for this firmware's
 * options, read back with nm into conn_size.h (see firmware.mk). Never
 * linked. */
#include "internal.h"

char nssh_conn_size_probe[sizeof(struct nssh_conn)];
