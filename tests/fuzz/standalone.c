/* SPDX-License-Identifier: Apache-2.0
 *
 * standalone.c - a main() for the fuzz targets when libFuzzer is not
 * linked (RFG_FUZZ off, any compiler): every argument is a file or a
 * corpus directory, and each file is fed once to LLVMFuzzerTestOneInput.
 * This is how plain ctest replays tests/fuzz/corpus/<target>/ (crashers
 * included) under gcc and the sanitizer builds. It does not mutate
 * inputs: it is a regression runner, not a fuzzer.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest input replayed; libFuzzer's corpora stay far below. */
#define MAX_INPUT ((size_t)16 << 20)
/* At most this many files per directory. */
#define MAX_FILES 100000

/* Feed one file to the target; return 0, or 1 if it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    int rc = 1;

    if (!f) {
        fprintf(stderr, "standalone: cannot open %s\n", path);
        return 1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nb;

            if (cap >= MAX_INPUT)
                goto out;
            cap = cap ? cap * 2 : 4096;
            nb = realloc(buf, cap);
            if (!nb)
                goto out;
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    if (ferror(f))
        goto out;
    /* Like libFuzzer: the data is exactly `len` bytes with no NUL after,
     * so ASan sees any read past the end. */
    {
        uint8_t *exact = malloc(len ? len : 1);

        if (!exact)
            goto out;
        if (len)
            memcpy(exact, buf, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "standalone: cannot read %s\n", path);
    free(buf);
    fclose(f);
    return rc;
}

/* qsort comparator for file names, so replays run in a stable order. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every regular file of `dir` in name order; return failures. */
static int run_dir(const char *dir, size_t *nrun)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int fails = 0;

    if (!d) {
        fprintf(stderr, "standalone: cannot open directory %s\n", dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL && n < MAX_FILES) {
        size_t plen;
        char *p;
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        plen = strlen(dir) + strlen(de->d_name) + 2;
        p = malloc(plen);
        if (!p) {
            fails++;
            break;
        }
        snprintf(p, plen, "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (n == cap) {
            char **nn = realloc(names, (cap ? cap * 2 : 64) * sizeof(*nn));

            if (!nn) {
                free(p);
                fails++;
                break;
            }
            names = nn;
            cap = cap ? cap * 2 : 64;
        }
        names[n++] = p;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        fails += run_file(names[i]);
        free(names[i]);
    }
    free(names);
    *nrun += n;
    return fails;
}

int main(int argc, char **argv)
{
    size_t nrun = 0;
    int i, fails = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s <corpus-dir|file>...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "standalone: cannot stat %s\n", argv[i]);
            fails++;
        } else if (S_ISDIR(st.st_mode)) {
            fails += run_dir(argv[i], &nrun);
        } else {
            fails += run_file(argv[i]);
            nrun++;
        }
    }
    printf("%s: replayed %zu inputs, %d unreadable\n", argv[0], nrun, fails);
    return fails ? 1 : 0;
}
