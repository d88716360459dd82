// SPDX-License-Identifier: Apache-2.0
/* SHA-256, Ed25519 keys and signatures, index.json parsing and building. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "index.h"
#include "test.h"
#include "util.h"
#include "verify.h"

static char dir[256];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static void path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void test_sha256(void)
{
	char hex[SHA256_HEX_LEN + 1], p[512];
	uint64_t size = 0;

	sha256_buf("abc", 3, hex);
	CHECK_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	path(p, sizeof(p), "abc");
	CHECK(write_file_atomic(p, "abc", 3, 0644) == 0);
	CHECK_INT_EQ(sha256_file(p, hex, &size), 0);
	CHECK_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT_EQ(size, 3);
	CHECK_INT_EQ(sha256_file("/nonexistent/x", hex, NULL), -ENOENT);
}

static void test_keys_and_signatures(void)
{
	char priv[512], pub[512], priv2[512], pub2[512];
	_cleanup_(evp_pkey_freep) EVP_PKEY *sk = NULL, *pk = NULL, *pk2 = NULL, *sk2 = NULL;
	uint8_t sig[ED25519_SIG_LEN];
	const char msg[] = "{\"format\":1}";
	enum verify_policy pol;

	path(priv, sizeof(priv), "k.pem");
	path(pub, sizeof(pub), "k.pub");
	path(priv2, sizeof(priv2), "k2.pem");
	path(pub2, sizeof(pub2), "k2.pub");
	CHECK_INT_EQ(key_generate(priv, pub), 0);
	CHECK_INT_EQ(key_generate(priv, pub), -EEXIST);
	CHECK_INT_EQ(key_generate(priv2, pub2), 0);
	struct stat st;
	CHECK(stat(priv, &st) == 0 && (st.st_mode & 0777) == 0600);

	CHECK_INT_EQ(key_load_private(priv, &sk), 0);
	CHECK_INT_EQ(key_load_public(pub, &pk), 0);
	CHECK_INT_EQ(key_load_public(pub2, &pk2), 0);
	CHECK_INT_EQ(key_load_private(priv2, &sk2), 0);
	/* A private key file is not a public key, and garbage is not a key. */
	EVP_PKEY *bad = NULL;
	CHECK_INT_EQ(key_load_public(priv, &bad), -EINVAL);
	char junk[512];
	path(junk, sizeof(junk), "junk.pem");
	CHECK(write_file_atomic(junk, "not a key\n", 10, 0644) == 0);
	CHECK_INT_EQ(key_load_public(junk, &bad), -EINVAL);
	CHECK_INT_EQ(key_load_public("/nonexistent.pem", &bad), -ENOENT);

	CHECK_INT_EQ(sig_sign(sk, msg, strlen(msg), sig), 0);
	CHECK_INT_EQ(sig_verify(pk, msg, strlen(msg), sig, sizeof(sig)), 0);
	/* Wrong key, altered message, altered or short signature. */
	CHECK_INT_EQ(sig_verify(pk2, msg, strlen(msg), sig, sizeof(sig)), -EBADMSG);
	CHECK_INT_EQ(sig_verify(pk, "{\"format\":2}", strlen(msg), sig, sizeof(sig)), -EBADMSG);
	sig[5] ^= 1;
	CHECK_INT_EQ(sig_verify(pk, msg, strlen(msg), sig, sizeof(sig)), -EBADMSG);
	CHECK_INT_EQ(sig_verify(pk, msg, strlen(msg), sig, 63), -EBADMSG);

	CHECK_INT_EQ(verify_policy_from_string("required", &pol), 0);
	CHECK_INT_EQ(pol, VERIFY_REQUIRED);
	CHECK_INT_EQ(verify_policy_from_string("if-signed", &pol), 0);
	CHECK_INT_EQ(pol, VERIFY_IF_SIGNED);
	CHECK_INT_EQ(verify_policy_from_string("off", &pol), 0);
	CHECK_INT_EQ(verify_policy_from_string("maybe", &pol), -EINVAL);
	CHECK_STR_EQ(verify_policy_to_string(VERIFY_IF_SIGNED), "if-signed");
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_index_parse(void)
{
	static const struct {
		const char *json;
		int want;
	} cases[] = {
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":[]}", 0 },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"extra\":{\"a\":1},"
		  "\"artifacts\":[{\"name\":\"b.ko\",\"size\":3,\"sha256\":\"" H64 "\",\"x\":1},"
		  "{\"name\":\"a.ko\",\"size\":0,\"sha256\":\"" H64 "\"}]}\n\n", 0 },
		{ "", -EBADMSG },
		{ "[]", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":[]} x", -EBADMSG },
		{ "{\"format\":2,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":[]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":1,\"arch\":\"x86_64\",\"artifacts\":[]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":{}}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"../x.ko\",\"size\":3,\"sha256\":\"" H64 "\"}]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"a/x.ko\",\"size\":3,\"sha256\":\"" H64 "\"}]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"x.ko\",\"size\":-1,\"sha256\":\"" H64 "\"}]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"x.ko\",\"size\":\"3\",\"sha256\":\"" H64 "\"}]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"x.ko\",\"size\":3,\"sha256\":\"ABCDEF\"}]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"x.ko\",\"size\":3,\"sha256\":\"" H64 "\"},"
		  "{\"name\":\"x.ko\",\"size\":3,\"sha256\":\"" H64 "\"}]}", -EBADMSG },
		{ "{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":"
		  "[{\"name\":\"x\\u0000y.ko\",\"size\":3,\"sha256\":\"" H64 "\"}]}", -EBADMSG },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", -EBADMSG },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct index idx;
		const char *why = NULL;
		int r = index_parse(cases[i].json, strlen(cases[i].json), &idx, &why);

		CHECK_INT_EQ(r, cases[i].want);
		if (r < 0) {
			CHECK(why != NULL);
			continue;
		}
		if (i == 1) {
			CHECK_INT_EQ(idx.n, 2);
			CHECK_STR_EQ(idx.entries[0].name, "a.ko");
			CHECK(index_find(&idx, "b.ko") != NULL);
			CHECK_INT_EQ(index_find(&idx, "b.ko")->size, 3);
			CHECK(index_find(&idx, "c.ko") == NULL);
		}
		index_done(&idx);
	}
	CHECK(index_name_is_valid("osprey_ubuntu-generic_5.15.0-76-generic_83.ko"));
	CHECK(index_name_is_valid("osprey_cos_5.15.107+_17162.40.56.ko.tar.zst"));
	CHECK(!index_name_is_valid(".hidden"));
	CHECK(!index_name_is_valid("a b"));
	CHECK(!index_name_is_valid(""));
}

static void test_index_roundtrip(void)
{
	char p[512], hex[SHA256_HEX_LEN + 1];
	_cleanup_free_ char *json = NULL;
	struct index idx, back;
	const char *why = NULL;
	size_t len = 0;

	path(p, sizeof(p), "repo");
	CHECK(util_mkdir_p(p) == 0);
	path(p, sizeof(p), "repo/osprey_debian_6.1.55-1-amd64_1.ko");
	CHECK(write_file_atomic(p, "module-bytes", 12, 0644) == 0);
	path(p, sizeof(p), "repo/osprey_debian_6.1.55-1-amd64_1.ko.sha256");
	CHECK(write_file_atomic(p, "x", 1, 0644) == 0);
	path(p, sizeof(p), "repo/index.json.sig");
	CHECK(write_file_atomic(p, "x", 1, 0644) == 0);
	path(p, sizeof(p), "repo");
	CHECK_INT_EQ(index_build_dir(p, "0.1.0", "x86_64", &idx), 0);
	CHECK_INT_EQ(idx.n, 1);
	sha256_buf("module-bytes", 12, hex);
	CHECK_STR_EQ(idx.entries[0].sha256, hex);
	CHECK_INT_EQ(index_to_json(&idx, &json, &len), 0);
	CHECK_INT_EQ(index_parse(json, len, &back, &why), 0);
	CHECK_INT_EQ(back.n, 1);
	CHECK_STR_EQ(back.entries[0].name, "osprey_debian_6.1.55-1-amd64_1.ko");
	CHECK_INT_EQ(back.entries[0].size, 12);
	CHECK_STR_EQ(back.driver_version, "0.1.0");
	CHECK_STR_EQ(back.arch, "x86_64");
	index_done(&idx);
	index_done(&back);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/osprey-verify-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_sha256();
	test_keys_and_signatures();
	test_index_parse();
	test_index_roundtrip();
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return test_finish("test-loader-verify");
}
