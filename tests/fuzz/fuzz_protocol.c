/* libFuzzer target for core/protocol: any bytes in, no crash, no read past
 * the input (ASan), no undefined behaviour (UBSan), a reason for every
 * refusal, and a round trip: a line that decodes, encoded again and decoded
 * again, gives the same message. Build and run: see tests/fuzz/README.md. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_hello(const struct protocol_hello *a, const struct protocol_hello *b)
{
    if (a->version != b->version || a->pid != b->pid || a->want_control != b->want_control ||
        strcmp(a->client, b->client) != 0 || strcmp(a->ssh_client, b->ssh_client) != 0)
        abort();
}

static void same_cmd(const struct protocol_cmd *a, const struct protocol_cmd *b)
{
    if (a->id != b->id || a->name != b->name || a->absolute != b->absolute ||
        a->amount != b->amount || a->steal != b->steal || a->stable != b->stable)
        abort();
}

/* The promises of a decoded message: strings terminated inside their
 * fields, numbers in their documented ranges. */
static void check_valid(const struct protocol_msg *m)
{
    if (m->kind == MSG_HELLO) {
        if (m->hello.version != PROTOCOL_VERSION || m->hello.pid < 0 ||
            memchr(m->hello.client, '\0', sizeof m->hello.client) == NULL ||
            memchr(m->hello.ssh_client, '\0', sizeof m->hello.ssh_client) == NULL)
            abort();
        return;
    }
    if (m->kind != MSG_COMMAND || m->cmd.id < 0 || m->cmd.name == CMD_NONE ||
        m->cmd.amount < -100 || m->cmd.amount > 100 || (m->cmd.absolute && m->cmd.amount < 0) ||
        m->cmd.stable < -1 || m->cmd.stable > 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct protocol_msg m, again;
    char err[160];
    err[0] = '\0';
    if (protocol_decode_client((const char *)data, size, &m, err, sizeof err) != 0) {
        if (err[0] == '\0' || m.kind != MSG_INVALID)
            abort();
        return 0;
    }
    check_valid(&m);
    char *line = m.kind == MSG_HELLO ? protocol_encode_hello(&m.hello)
                                     : protocol_encode_command(&m.cmd);
    if (line == NULL)
        abort();
    if (strchr(line, '\n') != NULL ||
        protocol_decode_client(line, strlen(line), &again, err, sizeof err) != 0)
        abort();
    free(line);
    if (again.kind != m.kind)
        abort();
    if (m.kind == MSG_HELLO)
        same_hello(&m.hello, &again.hello);
    else
        same_cmd(&m.cmd, &again.cmd);
    return 0;
}
