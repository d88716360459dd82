// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "log.h"
#include "util.h"
#include "verify.h"

static const char *const policy_names[] = {
	[VERIFY_REQUIRED] = "required",
	[VERIFY_IF_SIGNED] = "if-signed",
	[VERIFY_OFF] = "off",
};

int verify_policy_from_string(const char *s, enum verify_policy *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_names); i++)
		if (streq(s, policy_names[i])) {
			*ret = (enum verify_policy)i;
			return 0;
		}
	return -EINVAL;
}

const char *verify_policy_to_string(enum verify_policy p)
{
	return (size_t)p < ARRAY_SIZE(policy_names) ? policy_names[p] : "?";
}

/* Logs OpenSSL's queued errors at debug level and clears them. */
static void log_openssl(const char *what)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_debug("%s: %s", what, buf);
	}
}

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

static void evp_md_ctx_freep(EVP_MD_CTX **c)
{
	EVP_MD_CTX_free(*c);
}

int sha256_file(const char *path, char hex[static SHA256_HEX_LEN + 1], uint64_t *ret_size)
{
	_cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t total = 0;

	if (fd < 0)
		return negative_errno();
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			return -EIO;
		total += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		return -EIO;
	to_hex(md, 32, hex);
	if (ret_size)
		*ret_size = total;
	return 0;
}

void sha256_buf(const void *data, size_t size, char hex[static SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, 32, hex);
}

static FILE *fopen_mode(const char *path, int flags, mode_t mode, const char *fmode)
{
	int fd = open(path, flags | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, fmode);
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

int key_generate(const char *private_path, const char *public_path)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	_cleanup_fclose_ FILE *fpriv = NULL, *fpub = NULL;
	int r = 0;

	if (!key) {
		log_openssl("EVP_PKEY_Q_keygen");
		return -EIO;
	}
	fpriv = fopen_mode(private_path, O_WRONLY | O_CREAT | O_EXCL, 0600, "w");
	if (!fpriv)
		return negative_errno();
	fpub = fopen_mode(public_path, O_WRONLY | O_CREAT | O_EXCL, 0644, "w");
	if (!fpub) {
		r = negative_errno();
		unlink(private_path);
		return r;
	}
	if (PEM_write_PrivateKey(fpriv, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_PUBKEY(fpub, key) != 1 || fflush(fpriv) != 0 || fflush(fpub) != 0) {
		log_openssl("PEM_write");
		unlink(private_path);
		unlink(public_path);
		return -EIO;
	}
	return 0;
}

static int key_load(const char *path, bool private, EVP_PKEY **ret)
{
	_cleanup_fclose_ FILE *f = fopen_mode(path, O_RDONLY, 0, "r");
	EVP_PKEY *key;

	if (!f)
		return negative_errno();
	key = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!key) {
		log_openssl(path);
		return -EINVAL;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
		log_debug("%s: not an Ed25519 key", path);
		EVP_PKEY_free(key);
		return -EINVAL;
	}
	*ret = key;
	return 0;
}

int key_load_public(const char *path, EVP_PKEY **ret)
{
	return key_load(path, false, ret);
}

int key_load_private(const char *path, EVP_PKEY **ret)
{
	return key_load(path, true, ret);
}

int sig_sign(EVP_PKEY *key, const void *data, size_t size, uint8_t sig[static ED25519_SIG_LEN])
{
	_cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = ED25519_SIG_LEN;

	if (!ctx)
		return -ENOMEM;
	/* Ed25519 is one-shot: no digest, EVP_DigestSign over the whole message. */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &len, data, size) != 1 || len != ED25519_SIG_LEN) {
		log_openssl("EVP_DigestSign");
		return -EIO;
	}
	return 0;
}

int sig_verify(EVP_PKEY *key, const void *data, size_t size, const uint8_t *sig, size_t sig_size)
{
	_cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		return -ENOMEM;
	if (sig_size != ED25519_SIG_LEN)
		return -EBADMSG;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1) {
		log_openssl("EVP_DigestVerifyInit");
		return -EIO;
	}
	ok = EVP_DigestVerify(ctx, sig, sig_size, data, size);
	ERR_clear_error();
	return ok == 1 ? 0 : -EBADMSG;
}
