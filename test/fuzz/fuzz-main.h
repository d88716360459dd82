/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The replay driver of a fuzz target, for builds without libFuzzer: runs the files (or the
 * files in the directories) given as arguments through LLVMFuzzerTestOneInput(); with no
 * argument, runs the target's built-in seeds and, deterministically, every truncation of each
 * seed and a set of single-byte mutations. "--write-seeds DIR" writes the seeds as a starting
 * corpus for the real fuzzer. Include this header last, after defining
 *   static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size));
 */
#pragma once

#ifndef OSPREY_LIBFUZZER
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_INPUT_MAX (16u << 20)

static unsigned long fuzz_runs;
static const char *fuzz_seed_dir;
static unsigned fuzz_seed_count;

static void fuzz_run(const uint8_t *data, size_t size)
{
	/* A private copy, as libFuzzer gives: reads past the end are the sanitizer's to find. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	fuzz_runs++;
}

static void fuzz_emit_mutations(const uint8_t *data, size_t size)
{
	static const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
	uint8_t *m;

	fuzz_run(data, size);
	for (size_t n = 0; n < size; n++)
		fuzz_run(data, n);
	m = malloc(size ? size : 1);
	if (!m)
		abort();
	/* Each byte set to a few values that matter: at most 64 positions spread over the seed. */
	for (size_t pos = 0; pos < size; pos += size / 64 + 1)
		for (size_t v = 0; v < sizeof(values); v++) {
			memcpy(m, data, size);
			m[pos] = values[v];
			fuzz_run(m, size);
		}
	free(m);
}

static void fuzz_write_seed(const uint8_t *data, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03u", fuzz_seed_dir, fuzz_seed_count++);
	f = fopen(path, "we");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(EXIT_FAILURE);
	}
}

static int fuzz_run_file(const char *path)
{
	struct stat st;
	uint8_t *data;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		struct dirent *de;
		int r = 0;

		if (!d)
			return -1;
		while ((de = readdir(d))) {
			char sub[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (fuzz_run_file(sub) < 0)
				r = -1;
		}
		closedir(d);
		return r;
	}
	if (st.st_size > FUZZ_INPUT_MAX) {
		fprintf(stderr, "%s: larger than %u bytes, skipped\n", path, FUZZ_INPUT_MAX);
		close(fd);
		return 0;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return -1;
	}
	n = read(fd, data, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(data);
		return -1;
	}
	fuzz_run(data, (size_t)n);
	free(data);
	return 0;
}

int main(int argc, char *argv[])
{
	int r = 0;

	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) {
		fuzz_seed_dir = argv[2];
		fuzz_seeds(fuzz_write_seed);
		printf("%u seeds written to %s\n", fuzz_seed_count, fuzz_seed_dir);
		return EXIT_SUCCESS;
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (fuzz_run_file(argv[i]) < 0)
				r = -1;
	} else {
		fuzz_seeds(fuzz_emit_mutations);
	}
	printf("%lu inputs replayed\n", fuzz_runs);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
