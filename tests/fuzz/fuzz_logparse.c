/* libFuzzer target for core/logparse: any bytes in, no crash, no read outside
 * the input (ASan), no undefined behaviour (UBSan), and every record that
 * parses keeps its promises. Build and run: see tests/fuzz/README.md. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/logparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A string of the record must lie inside the line it came from. */
static void check_inside(struct logparse_str s, const char *line, size_t len)
{
    if (s.len == 0)
        return;
    if (s.p < line || s.p + s.len > line + len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct logparse_record rec;
    if (logparse_line(line, size, &rec) != 0) {
        if (rec.reason == LOGPARSE_OK)
            abort();
        return 0;
    }
    if (rec.n_attempts < 0 || rec.n_attempts > LOGPARSE_MAX_ATTEMPTS || rec.msec < 0 ||
        rec.request_us < 0 || rec.status < 0)
        abort();
    check_inside(rec.remote_addr, line, size);
    check_inside(rec.method, line, size);
    check_inside(rec.path, line, size);
    check_inside(rec.rid, line, size);
    static const char *const addrs[2] = { "127.0.0.1:8787", "[::1]:8788" };
    static const size_t lens[2] = { 14, 10 };
    for (int i = 0; i < rec.n_attempts; i++) {
        const struct logparse_attempt *a = &rec.attempt[i];
        if (a->addr.len == 0 || a->status < -1 || a->status > 999)
            abort();
        check_inside(a->addr, line, size);
        (void)logparse_addr_index(a->addr, addrs, lens, 2);
    }
    return 0;
}
