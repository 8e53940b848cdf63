/* sha256: the FIPS 180-4 / NIST known answers, the padding edges around one
 * block (checked against coreutils' sha256sum), and that feeding the bytes in
 * odd-sized pieces gives the same digest as one call. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/sha256.h"

static void expect_hex(const void *data, size_t len, const char *want)
{
    uint8_t d[SHA256_DIGEST_LEN];
    char hex[65];
    sha256_digest(data, len, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, want);
}

static void test_abc(void **state)
{
    (void)state;
    expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty(void **state)
{
    (void)state;
    expect_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_two_blocks(void **state)
{
    (void)state;
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_hex(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A million 'a', fed 997 bytes at a time so pieces straddle block edges. */
static void test_million_a_in_pieces(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *buf = malloc(n);
    assert_non_null(buf);
    memset(buf, 'a', n);
    struct sha256 s;
    sha256_init(&s);
    for (size_t off = 0; off < n; off += 997)
        sha256_update(&s, buf + off, n - off < 997 ? n - off : 997);
    uint8_t d[SHA256_DIGEST_LEN];
    char hex[65];
    sha256_final(&s, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    expect_hex(buf, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(buf);
}

/* 55 bytes leave room for the length in the same block; 56..63 need a
 * second block of padding; 64 is exactly one block. */
static void test_padding_edges(void **state)
{
    (void)state;
    static const struct { size_t n; const char *hex; } cases[] = {
        {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
        {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
        {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
        {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
        {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
    };
    char x[80];
    memset(x, 'x', sizeof x);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_hex(x, cases[i].n, cases[i].hex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_million_a_in_pieces),
        cmocka_unit_test(test_padding_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
