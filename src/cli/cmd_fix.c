/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_fix.c - `rfguard fix`: show the JSON Patch the mutating webhook
 * applies to each RedisFailover, RedisSentinel and RedisReplication
 * (other documents pass through unchanged), print the patched documents
 * as YAML (--apply), or patch the files in place (--write), keeping comments,
 * key order and the formatting of every line that does not change. Same
 * engine, same policy, same cluster view as `lint`.
 */
#define _XOPEN_SOURCE 700 /* realpath(), beside POSIX 2008 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "crypto.h"
#include "inputs.h"
#include "jpatch.h"
#include "lnote.h"
#include "rules.h"
#include "sbuf.h"
#include "yedit.h"

enum fix_mode { FIX_PATCH, FIX_APPLY, FIX_WRITE };

static void fix_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard fix [options] PATH... | -\n\n"
        "Print, for each RedisFailover, RedisSentinel or RedisReplication "
        "document,\nthe JSON Patch (RFC 6902) that the mutating webhook "
        "applies, preceded by a\n'# file:line: KIND ns/name' comment line "
        "(and the Helm template it came\nfrom, if any). Other documents "
        "are left as they are.\n\n"
        "Options:\n"
        "  -p, --policy FILE     policy file (default: built-in default "
        "policy)\n"
        "  -t, --target NAME     operator target (default: the policy's)\n"
        "      --crd FILE        validate fields against the schema of this "
        "CRD file\n"
        "                        (YAML or JSON) instead of the target's "
        "compiled-in one\n"
        "  -n, --namespace NS    namespace of documents that name none "
        "(default: default)\n"
        "  -a, --apply           print every document with its patch "
        "applied, as YAML\n"
        "  -w, --write           patch the files in place, changing only "
        "the lines\n"
        "                        the patch touches (comments and layout "
        "stay);\n"
        "                        a symbolic link's target is rewritten; "
        "templated,\n"
        "                        read-only and hard-linked files are "
        "refused, and\n"
        "                        so is a file changed by someone else "
        "meanwhile\n"
        "      --stdin-filename NAME\n"
        "                        what to call stdin (-) in the output "
        "(default <stdin>)\n"
        "  -h, --help            this help\n\n"
        "Templates and RedisFailovers of a legacy API are errors, never "
        "patched.\n\n"
        "Exit codes: 0 done, 2 usage, I/O or parse error, or a file that "
        "could not\nbe rewritten safely (it is left untouched).\n");
}

static int print_patch(const struct input_doc *d, const char *ns,
                       const cJSON *patch)
{
    char *s = jpatch_format(patch, false);   /* 2-space JSON, '\n' */

    if (!s)
        return RFG_ENOMEM;
    printf("# %s:%u: %s %s/%s%s%s%s\n%s", d->file->name, d->pos.line,
           rf_kind_name(rf_kind_of(d->obj)), rf_namespace(d->obj, ns),
           rf_name(d->obj) ? rf_name(d->obj) : "",
           d->doc->source ? " (template " : "",
           d->doc->source ? d->doc->source : "", d->doc->source ? ")" : "",
           s);
    free(s);
    return RFG_OK;
}

static int print_applied(const cJSON *obj, bool first)
{
    struct sbuf out;
    int rc;

    sbuf_init(&out, 0);
    rc = ydoc_emit(&out, obj);
    if (!rc)
        printf("%s%s", first ? "" : "---\n", sbuf_str(&out));
    sbuf_cleanup(&out);
    return rc;
}

/* Expand a parsed stream into its objects, as lint and fix read them. */
static int copy_object(void *arg, const struct ydoc *yd, const cJSON *obj,
                       struct src_pos pos)
{
    cJSON *c = cJSON_Duplicate(obj, 1);

    (void)yd;
    (void)pos;
    if (!c || !cJSON_AddItemToArray(arg, c)) {
        cJSON_Delete(c);
        return RFG_ENOMEM;
    }
    return RFG_OK;
}

static int objects_of(cJSON *out, const struct ydoc_stream *ys)
{
    size_t i;
    int rc = RFG_OK;

    for (i = 0; i < ys->len && !rc; i++)
        rc = inputs_each_object(&ys->docs[i], copy_object, out);
    return rc;
}

/* What a file was when it was read: it must still be exactly that just
 * before it is replaced, or someone else's edit would be lost. */
struct file_snap {
    struct stat st;
    size_t len;                /* bytes read (at most the cap + 1) */
    unsigned char sha[32];     /* SHA-256 of those bytes */
};

/* Stat and hash the regular file `path` (no symbolic link), reading at
 * most cap + 1 bytes: more means it is not the file that was read. */
static int snap_take(struct file_snap *out, const char *path, size_t cap,
                     struct diag_list *dl)
{
    char *buf = NULL;
    ssize_t got = 0;
    int fd, rc = RFG_OK;

    memset(out, 0, sizeof(*out));
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return diag_fail(dl, RFG_EIO, NULL, "cannot open: %s",
                         strerror(errno));
    if (fstat(fd, &out->st) != 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot stat: %s",
                       strerror(errno));
        goto out;
    }
    if (!S_ISREG(out->st.st_mode)) {
        rc = diag_fail(dl, RFG_EINVAL, NULL, "not a regular file");
        goto out;
    }
    buf = malloc(cap + 1);
    if (!buf) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    while (out->len < cap + 1 &&
           ((got = read(fd, buf + out->len, cap + 1 - out->len)) > 0 ||
            (got < 0 && errno == EINTR)))
        if (got > 0)
            out->len += (size_t)got;
    if (got < 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot read: %s",
                       strerror(errno));
        goto out;
    }
    rfg_sha256(buf, out->len, out->sha);
out:
    free(buf);
    close(fd);
    return rc;
}

/* Is the file as `b` found it the one `a` found (same inode, size,
 * modification time to the nanosecond, mode, owner, links and bytes)? */
static bool snap_same(const struct file_snap *a, const struct file_snap *b)
{
    return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino &&
           a->st.st_size == b->st.st_size &&
           a->st.st_mtim.tv_sec == b->st.st_mtim.tv_sec &&
           a->st.st_mtim.tv_nsec == b->st.st_mtim.tv_nsec &&
           a->st.st_mode == b->st.st_mode && a->st.st_uid == b->st.st_uid &&
           a->st.st_gid == b->st.st_gid &&
           a->st.st_nlink == b->st.st_nlink && a->len == b->len &&
           !memcmp(a->sha, b->sha, sizeof(a->sha));
}

/* The temporary file being written, for the signal handler: a fixed
 * buffer (nothing is allocated in a handler) and a flag set while the
 * file exists. Both change only while the signals are blocked. */
static char tmp_path[PATH_MAX + 32];
static volatile sig_atomic_t tmp_live;
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction old_actions[3];
static bool handlers_set[3];

/* SIGINT, SIGTERM, SIGHUP: remove the temporary file, then die of the
 * signal (the handler was reset to the default on entry; the raised
 * signal is delivered as soon as this returns). Async-signal-safe. */
static void on_fatal_signal(int sig)
{
    int saved = errno;

    if (tmp_live)
        (void)unlink(tmp_path);
    errno = saved;
    (void)raise(sig);
}

/* Install on_fatal_signal, leaving alone a signal the caller ignores
 * (nohup, background jobs of a script). */
static void signals_install(void)
{
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < 3; i++) {
        if (sigaction(fatal_signals[i], NULL, &old_actions[i]) != 0 ||
            old_actions[i].sa_handler == SIG_IGN)
            continue;
        handlers_set[i] = sigaction(fatal_signals[i], &sa, NULL) == 0;
    }
}

static void signals_restore(void)
{
    size_t i;

    for (i = 0; i < 3; i++)
        if (handlers_set[i])
            (void)sigaction(fatal_signals[i], &old_actions[i], NULL);
}

/* Block (or, with `block` false, restore) the fatal signals around a
 * change of tmp_path/tmp_live and the file system operation it tracks. */
static void signals_block(bool block, sigset_t *saved)
{
    sigset_t set;
    size_t i;

    if (!block) {
        (void)sigprocmask(SIG_SETMASK, saved, NULL);
        return;
    }
    sigemptyset(&set);
    for (i = 0; i < 3; i++)
        sigaddset(&set, fatal_signals[i]);
    (void)sigprocmask(SIG_BLOCK, &set, saved);
}

/* Remove the temporary file, if there is one. */
static void tmp_discard(void)
{
    sigset_t saved;

    signals_block(true, &saved);
    if (tmp_live)
        (void)unlink(tmp_path);
    tmp_live = 0;
    signals_block(false, &saved);
}

/* Write `len` bytes to fd, whatever the short writes. */
static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return RFG_EIO;
        p += n;
        len -= (size_t)n;
    }
    return RFG_OK;
}

/* Test hook: when RFG_TEST_FIX_PAUSE_FILE names a file, write our pid
 * into it (creating it; a FIFO lets the test wait for this moment) and
 * wait until someone removes it, so that a test can change the file
 * being fixed, or send a signal, at a known point: after the new text
 * is in its temporary file, before the final check and the rename. */
static void test_pause(void)
{
    const char *m = getenv("RFG_TEST_FIX_PAUSE_FILE");
    char ev[4096];
    int fd, in, n;

    if (!m || !*m)
        return;
    fd = open(m, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    n = snprintf(ev, sizeof(ev), "%ld\n", (long)getpid());
    (void)write_all(fd, ev, (size_t)n);
    close(fd);
    in = inotify_init1(IN_CLOEXEC);
    if (in >= 0 && inotify_add_watch(in, m, IN_DELETE_SELF | IN_MOVE_SELF |
                                                IN_ATTRIB) < 0) {
        close(in);
        in = -1;
    }
    while (access(m, F_OK) == 0) {
        if (in < 0 || read(in, ev, sizeof(ev)) < 0)
            nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    if (in >= 0)
        close(in);
}

/* Replace the real file `target` (snapshot `was`) by `data`: a temporary
 * file beside it, with its owner, group and mode, fsync'd; a last check
 * that nobody changed the file meanwhile; rename; fsync the directory.
 * *written says whether the rename happened. The temporary file is
 * removed on every error and on SIGINT/SIGTERM/SIGHUP. */
static int replace_file(const char *target, const struct file_snap *was,
                        const char *data, size_t len, bool *written,
                        struct diag_list *dl)
{
    struct file_snap now;
    struct stat tst;
    sigset_t saved;
    char *dir = NULL, *slash;
    int fd = -1, dfd, rc = RFG_OK, n, err;

    *written = false;
    n = snprintf(tmp_path, sizeof(tmp_path), "%s.rfguard-XXXXXX", target);
    if (n < 0 || (size_t)n >= sizeof(tmp_path))
        return diag_fail(dl, RFG_EINVAL, NULL, "path too long");
    signals_block(true, &saved);
    fd = mkstemp(tmp_path);
    tmp_live = fd >= 0;
    signals_block(false, &saved);
    if (fd < 0)
        return diag_fail(dl, RFG_EIO, NULL, "cannot create a temporary "
                         "file beside it: %s", strerror(errno));
    /* owner and group first: chown clears the set-id bits of a mode */
    if (fstat(fd, &tst) != 0 ||
        ((tst.st_uid != was->st.st_uid || tst.st_gid != was->st.st_gid) &&
         fchown(fd, tst.st_uid != was->st.st_uid ? was->st.st_uid
                                                 : (uid_t)-1,
                tst.st_gid != was->st.st_gid ? was->st.st_gid
                                             : (gid_t)-1) != 0)) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot keep its owner and group "
                       "(%lu:%lu): %s", (unsigned long)was->st.st_uid,
                       (unsigned long)was->st.st_gid, strerror(errno));
        goto fail;
    }
    if (fchmod(fd, was->st.st_mode & 07777) != 0 ||
        write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot write the new text: %s",
                       strerror(errno));
        goto fail;
    }
    n = close(fd);
    fd = -1;
    if (n != 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot write the new text: %s",
                       strerror(errno));
        goto fail;
    }
    test_pause();
    /* someone's edit since the read would be lost: refuse instead */
    rc = snap_take(&now, target, was->len, dl);
    if (!rc && !snap_same(was, &now))
        rc = diag_fail(dl, RFG_EINVAL, NULL, "changed while rfguard was "
                       "fixing it (another editor or program?): run "
                       "'rfguard fix --write' again");
    if (rc)
        goto fail;
    /* (a change in the instant between that check and the rename is
     * the one window left: rename cannot compare and swap) */
    signals_block(true, &saved);
    n = rename(tmp_path, target);
    err = errno;
    if (n != 0)
        (void)unlink(tmp_path);
    tmp_live = 0;
    signals_block(false, &saved);
    if (n != 0)
        return diag_fail(dl, RFG_EIO, NULL, "cannot replace it: %s",
                         strerror(err));
    *written = true;
    /* the rename itself must reach the disk too */
    dir = strdup(target);
    if (!dir)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir] = '\0';
    dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0)
        rc = diag_fail(dl, RFG_EIO, NULL, "written, but its directory "
                       "could not be synced to disk: %s", strerror(errno));
    if (dfd >= 0)
        close(dfd);
    free(dir);
    return rc;
fail:
    if (fd >= 0)
        close(fd);
    tmp_discard();
    return rc;
}

/* Refuse what cannot be replaced without harm: not the text that was
 * parsed, several hard links (a rename would split them), no write
 * permission. */
static int check_replaceable(const struct file_snap *s,
                             const struct input_file *f, const char *target,
                             struct diag_list *dl)
{
    unsigned char sha[32];

    rfg_sha256(f->buf, f->len, sha);
    if (s->len != f->len || memcmp(sha, s->sha, sizeof(sha)))
        return diag_fail(dl, RFG_EINVAL, NULL, "changed since rfguard read "
                         "it: run 'rfguard fix --write' again");
    if (s->st.st_nlink > 1)
        return diag_fail(dl, RFG_EINVAL, NULL, "has %lu hard links, and "
                         "rewriting it would split them: fix it with "
                         "'rfguard fix --apply' or edit it by hand",
                         (unsigned long)s->st.st_nlink);
    if (!(s->st.st_mode & S_IWUSR) || access(target, W_OK) != 0)
        return diag_fail(dl, RFG_EINVAL, NULL, "is read-only: make it "
                         "writable to fix it in place");
    return RFG_OK;
}

/* Patch one file in place. `res[i]` are the results of its documents
 * d[0..n). Returns RFG_OK (written or unchanged) or an error already
 * reported on stderr. */
static int write_file(struct input_file *f, const struct input_doc *d,
                      size_t n, cJSON **after)
{
    struct yedit *ye = NULL;
    struct diag_list dl;
    struct ydoc_stream ys = {0};
    struct sbuf out;
    cJSON *want = NULL, *got = NULL;
    struct file_snap snap;
    char *target = NULL;
    size_t i, changed = 0;
    char line[512];
    bool written = false;
    int rc;

    diag_list_init(&dl, f->name);
    sbuf_init(&out, 0);
    for (i = 0; i < n; i++)
        changed += after[i] != NULL;
    if (!changed) {
        fprintf(stderr, "%s: nothing to fix\n", f->name);
        return RFG_OK;
    }
    if (!strcmp(f->path, "-")) {
        fprintf(stderr, "rfguard fix: --write cannot rewrite stdin; use "
                        "--apply\n");
        return RFG_EINVAL;
    }
    /* a symbolic link stays: its target is the file to rewrite */
    target = realpath(f->path, NULL);
    if (!target)
        rc = diag_fail(&dl, RFG_EIO, NULL, "cannot resolve its path: %s",
                       strerror(errno));
    else
        rc = snap_take(&snap, target, f->len, &dl);
    if (!rc)
        rc = check_replaceable(&snap, f, target, &dl);
    if (!rc)
        rc = yedit_new(&ye, f->buf, f->len, &dl);
    for (i = 0; !rc && i < n; i++)
        if (after[i])
            rc = yedit_diff(ye, posmap_get(d[i].doc->pm, d[i].obj),
                            d[i].obj, after[i], &dl);
    if (!rc)
        rc = yedit_render(ye, &out);
    /* Read the result back: it must be exactly the patched objects. */
    want = cJSON_CreateArray();
    got = cJSON_CreateArray();
    if (!rc && (!want || !got))
        rc = RFG_ENOMEM;
    for (i = 0; !rc && i < n; i++)
        if (!cJSON_AddItemToArray(want, cJSON_Duplicate(after[i] ? after[i]
                                                                  : d[i].obj,
                                                        1)))
            rc = RFG_ENOMEM;
    if (!rc)
        rc = ydoc_load(&ys, sbuf_str(&out), out.len, NULL, &dl);
    if (!rc)
        rc = objects_of(got, &ys);
    if (!rc && !json_equal(want, got))
        rc = diag_fail(&dl, RFG_EINVAL, NULL,
                       "cannot rewrite in place: the result would not read "
                       "back as the patched objects");
    if (!rc) {
        rc = replace_file(target, &snap, out.p, out.len, &written, &dl);
        if (written)
            fprintf(stderr, "%s: fixed %zu failover%s\n", f->name, changed,
                    changed == 1 ? "" : "s");
    }
    if (rc) {
        for (i = 0; i < dl.len; i++) {
            diag_format(&dl.v[i], line, sizeof(line));
            fprintf(stderr, "%s%s\n", line,
                    written ? "" : " (file left unchanged)");
        }
        if (!dl.len)
            fprintf(stderr, "%s: cannot rewrite in place (file left "
                            "unchanged)\n", f->name);
    }
    ydoc_stream_cleanup(&ys);
    cJSON_Delete(want);
    cJSON_Delete(got);
    yedit_free(ye);
    sbuf_cleanup(&out);
    free(target);
    diag_list_cleanup(&dl);
    return rc;
}

int cmd_fix(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"namespace", required_argument, NULL, 'n'},
        {"apply", no_argument, NULL, 'a'},
        {"write", no_argument, NULL, 'w'},
        {"crd", required_argument, NULL, 'K'},
        {"stdin-filename", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *ns = "default", *crd = NULL;
    const char *stdin_name = NULL;
    struct policy_set *pol = NULL;
    struct input_set in;
    enum rf_target target = 0;
    enum fix_mode mode = FIX_PATCH;
    cJSON **after = NULL;
    int c, exit_code = CLI_EXIT_ERROR;
    size_t i, k;
    bool failed = false;
    char line[512];

    /* one arena per input file holds its trees (see arena.h) */
    arena_install_cjson_hooks();
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:n:awh", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy_path = optarg;
            break;
        case 't':
            if (cli_parse_target("fix", optarg, &target))
                return CLI_EXIT_ERROR;
            break;
        case 'n':
            ns = optarg;
            break;
        case 'a':
            mode = FIX_APPLY;
            break;
        case 'w':
            mode = FIX_WRITE;
            break;
        case 'K':
            crd = optarg;
            break;
        case 'S':
            stdin_name = optarg;
            break;
        case 'h':
            fix_usage(stdout);
            return CLI_EXIT_OK;
        default:
            fix_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rfguard fix: no input (give files, directories "
                        "or - for stdin)\n");
        return CLI_EXIT_ERROR;
    }
    if (cli_check_stdin_name("fix", stdin_name, argv + optind,
                             (size_t)(argc - optind)))
        return CLI_EXIT_ERROR;
    if (cli_open_policy(&pol, policy_path, stderr))
        return CLI_EXIT_ERROR;
    if (crd && cli_use_crd("fix", crd, target ? target : pol->target,
                           false)) {
        policy_free(pol);
        return CLI_EXIT_ERROR;
    }
    inputs_init(&in, ns, rfg_sha256);
    in.cmd = "fix";
    in.stdin_name = stdin_name;
    if (inputs_load(&in, argv + optind, (size_t)(argc - optind), NULL))
        goto oom;
    /* A RedisFailover of an API no operator serves is an error, as in
     * lint: nothing was checked, and its file is not rewritten. */
    for (i = 0; i < in.ndocs; i++)
        (void)lnote_legacy(&in.docs[i].file->errs, in.docs[i].doc->pm,
                           in.docs[i].obj, in.docs[i].pos);
    for (i = 0; i < in.nfiles; i++)
        for (k = 0; k < in.files[i].errs.len; k++) {
            diag_format(&in.files[i].errs.v[k], line, sizeof(line));
            fprintf(stderr, "%s\n", line);
            failed = true;
        }
    after = calloc(in.ndocs + 1, sizeof(*after));
    if (!after)
        goto oom;
    for (i = 0; i < in.ndocs; i++) {
        const struct input_doc *d = &in.docs[i];
        struct rules_input ri;
        struct rules_result res;
        struct diag_list dl;
        int rc = RFG_OK;

        if (!rf_kind_of(d->obj)) {
            if (mode == FIX_APPLY && print_applied(d->obj, i == 0))
                goto oom;
            continue;
        }
        memset(&ri, 0, sizeof(ri));
        ri.obj = d->obj;
        ri.op = RULES_CREATE;
        ri.pol = pol;
        ri.cv = &in.cv;
        ri.target = target;
        ri.default_ns = ns;
        ri.want_fix = true;
        if (rules_eval(&res, &ri))
            goto oom;
        if (mode == FIX_PATCH) {
            rc = print_patch(d, ns, res.patch);
        } else if (cJSON_GetArraySize(res.patch) > 0 || mode == FIX_APPLY) {
            after[i] = cJSON_Duplicate(d->obj, 1);
            diag_list_init(&dl, d->file->name);
            rc = after[i] ? jpatch_apply(&after[i], res.patch, &dl)
                          : RFG_ENOMEM;
            diag_list_cleanup(&dl);
            if (!rc && mode == FIX_APPLY)
                rc = print_applied(after[i], i == 0);
        }
        rules_result_cleanup(&res);
        if (rc)
            goto oom;
    }
    if (mode == FIX_WRITE) {
        signals_install();
        for (i = 0, k = 0; i < in.nfiles; i++) {
            size_t start = k;

            while (k < in.ndocs && in.docs[k].file == &in.files[i])
                k++;
            /* unreadable files and templates (inputs.c) were reported
             * above and are never rewritten */
            if (in.files[i].errs.nerr)
                continue;
            if (write_file(&in.files[i], in.docs + start, k - start,
                           after + start))
                failed = true;
        }
        signals_restore();
    }
    exit_code = failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "rfguard fix: out of memory\n");
out:
    fflush(stdout);
    for (i = 0; after && i < in.ndocs; i++)
        cJSON_Delete(after[i]);
    free(after);
    inputs_cleanup(&in);
    policy_free(pol);
    return exit_code;
}
