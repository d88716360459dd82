/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integrity with OpenSSL: SHA-256 of artifacts and Ed25519 detached
 * signatures over index.json. Keys are PEM files (PKCS#8 private key,
 * SubjectPublicKeyInfo public key); a signature file is the raw 64 bytes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define SHA256_HEX_LEN 64
#define ED25519_SIG_LEN 64

enum verify_policy {
	VERIFY_REQUIRED,	/* a valid signature over index.json is mandatory */
	VERIFY_IF_SIGNED,	/* check the signature when there is one (warns otherwise) */
	VERIFY_OFF,		/* only sizes and hashes; warns */
};

int verify_policy_from_string(const char *s, enum verify_policy *ret);
const char *verify_policy_to_string(enum verify_policy p);

/* Hex SHA-256 of a file (hex has SHA256_HEX_LEN + 1 bytes). Also returns the size read. */
int sha256_file(const char *path, char hex[static SHA256_HEX_LEN + 1], uint64_t *ret_size);
void sha256_buf(const void *data, size_t size, char hex[static SHA256_HEX_LEN + 1]);

/* Writes a new Ed25519 key pair: private key with mode 0600. Refuses to overwrite (-EEXIST). */
int key_generate(const char *private_path, const char *public_path);
/* Loads a PEM key; -EINVAL (with a debug log of OpenSSL's reason) when it is not an Ed25519 key. Caller frees. */
int key_load_public(const char *path, EVP_PKEY **ret);
int key_load_private(const char *path, EVP_PKEY **ret);

int sig_sign(EVP_PKEY *key, const void *data, size_t size, uint8_t sig[static ED25519_SIG_LEN]);
/* 0 when sig is a valid signature of data by key, -EBADMSG when not. */
int sig_verify(EVP_PKEY *key, const void *data, size_t size, const uint8_t *sig, size_t sig_size);

static inline void evp_pkey_freep(EVP_PKEY **k)
{
	EVP_PKEY_free(*k);
}
