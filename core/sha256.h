/* sha256: SHA-256 (FIPS 180-4), so secret files can be fingerprinted without
 * an OpenSSL dependency. Pure: the caller feeds bytes it read. A context is a
 * plain value the caller owns; nothing is allocated. */
#ifndef CUTOVER_CORE_SHA256_H
#define CUTOVER_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

struct sha256 {
    uint32_t h[8];
    uint64_t total;          /* bytes fed so far */
    uint8_t block[64];
    size_t used;             /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest; the context must be re-initialised before reuse. */
void sha256_final(struct sha256 *s, uint8_t digest[SHA256_DIGEST_LEN]);

/* One call: digest of a buffer. */
void sha256_digest(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_LEN]);
/* 64 lowercase hex characters and a NUL into hex (at least 65 bytes). */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char *hex);

#endif
