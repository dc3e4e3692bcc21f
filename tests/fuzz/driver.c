// SPDX-License-Identifier: MIT
/*
 * Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput() once on each
 * FILE (or on each file of each DIR), for the regression runs of `make
 * check` without libFuzzer. Prints the number of inputs run.
 *   fuzz_X-replay FILE|DIR...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: can't read\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	/* an exact-size heap copy, so ASan sees any read past the input */
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: can't read\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	long runs = 0;
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: no such file\n", argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			char **names = NULL;
			size_t n = 0, k;

			while (d && (e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				char **nn = realloc(names, (n + 1) * sizeof(*names));

				if (!nn || asprintf(&nn[n], "%s/%s", argv[i], e->d_name) < 0)
					return 1;	/* out of memory: the process ends */
				names = nn;
				n++;
			}
			if (d)
				closedir(d);
			if (n)
				qsort(names, n, sizeof(*names), cmp_str);
			for (k = 0; k < n; k++) {
				if (run_file(names[k]))
					return 1;
				runs++;
				free(names[k]);
			}
			free(names);
		} else {
			if (run_file(argv[i]))
				return 1;
			runs++;
		}
	}
	printf("%s: %ld inputs ran\n", argv[0], runs);
	return 0;
}
