/* Writes the recorded client stream as a seed file for the fuzzer. */
#include <stdio.h>

#include "server_target.h"

int main(int argc, char **argv)
{
    static uint8_t buf[65536];
    size_t n = fuzz_client_stream(buf, sizeof(buf));
    FILE *f;
    if (argc != 2 || n == 0) {
        fprintf(stderr, "usage: fuzz_seed FILE\n");
        return 2;
    }
    f = fopen(argv[1], "wb");
    if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
