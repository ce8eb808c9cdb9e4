/* libFuzzer entry: the client's byte stream into a server. */
#include "server_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_server_run(data, len);
    return 0;
}
