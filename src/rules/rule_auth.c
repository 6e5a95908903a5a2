/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_auth.c - auth rules: a password Secret is named,
 * exists, has a usable 'password' key, and is not shared with another
 * failover. Reads Secrets only through the cluster view, which never
 * holds a password: only its length, shape and SHA-256. OpsTree objects
 * name their Secret and its key in spec.kubernetesConfig.redisSecret; a
 * RedisSentinel may share it with the RedisReplication it watches.
 */
#include <stdio.h>
#include <string.h>

#include "ot.h"
#include "rules_impl.h"
#include "suggest.h"

#define AUTH_PTR "/spec/auth/secretPath"
#define OT_AUTH_PTR "/spec/kubernetesConfig/redisSecret"
#define NETPOL_ANNOTATION "rfguard.io/sentinel-network-policy"

/* Why `s` cannot name a Secret (a DNS-1123 subdomain: at most 253 lower
 * case letters, digits, '-' and '.', each dot-separated part starting
 * and ending with a letter or digit), or NULL when it can. */
static const char *secret_name_problem(const char *s)
{
    size_t n = strlen(s), i;

    if (s[0] == '/' || s[0] == '~' || !strncmp(s, "./", 2))
        return "it is a file path, but the operator reads a Secret name";
    if (n && s[n - 1] == '/')
        return "it ends with '/': the operator reads a Secret name, not a "
               "directory";
    if (strchr(s, '/'))
        return "it contains '/', as a file path would: the operator reads "
               "a Secret name";
    if (n > 253)
        return "it is longer than 253 characters";
    for (i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return "Secret names are lower case (upper case suggests an "
                   "unreplaced placeholder)";
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '.'))
            return "it has a character other than lower-case letters, "
                   "digits, '-' and '.'";
    for (i = 0; i < n; i++) {
        bool edge = i == 0 || i == n - 1 || s[i - 1] == '.' ||
                    s[i + 1] == '.';

        if (edge && (s[i] == '-' || s[i] == '.'))
            return "each dot-separated part must start and end with a "
                   "letter or digit";
    }
    return NULL;
}

/* The Secret holding the object's password: a RedisFailover's
 * spec.auth.secretPath, an OpsTree object's kubernetesConfig.redisSecret
 * name; NULL when unset or empty. */
static const char *auth_secret_name(const struct rule_ctx *ctx)
{
    struct ot_fields o;

    if (rule_kind(ctx) == RF_KIND_FAILOVER)
        return rule_secret_path(ctx);
    ot_fields_init(&o, rule_obj(ctx));
    return o.secret;
}

/* auth-required of an OpsTree object: kubernetesConfig.redisSecret with
 * a valid Secret name and a key. */
static void ot_auth_required(struct rule_ctx *ctx)
{
    const cJSON *spec = json_get(rule_obj(ctx), "spec");
    const cJSON *kc = json_get(spec, "kubernetesConfig");
    const cJSON *sec = json_get(kc, "redisSecret");
    const char *name = json_str(sec, "name"), *key = json_str(sec, "key");
    const char *why;
    char hint[256];

    /* the wrong types are schema-type's */
    if (rf_not_map(spec) || rf_not_map(kc) || rf_not_map(sec) ||
        rf_not_string(json_get(sec, "name")) ||
        rf_not_string(json_get(sec, "key")))
        return;
    if (name && *name && (why = secret_name_problem(name)) != NULL) {
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR "/name",
                    "set spec.kubernetesConfig.redisSecret.name to the name "
                    "of a Secret in the same namespace",
                    "spec.kubernetesConfig.redisSecret.name \"%s\" is not a "
                    "valid Secret name: %s", name, why);
        return;
    }
    if (name && *name && key && *key)
        return;
    if (name && *name) {
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR,
                    "set spec.kubernetesConfig.redisSecret.key to the key of "
                    "the Secret that holds the password",
                    "spec.kubernetesConfig.redisSecret has no key: the "
                    "operator reads the password from the key it names");
        return;
    }
    snprintf(hint, sizeof(hint),
             "create a Secret with the password in namespace %s and set "
             "spec.kubernetesConfig.redisSecret.name and .key",
             rule_ns(ctx));
    rule_report(ctx, RULE_STRONG, OT_AUTH_PTR, hint,
                "spec.kubernetesConfig.redisSecret is not set: %s",
                rule_kind(ctx) == RF_KIND_REPLICATION
                    ? "Redis and its replication run without a password"
                    : "the sentinels run without a password, and anyone "
                      "who reaches them can reconfigure them");
}

static void check_auth_required(struct rule_ctx *ctx)
{
    char hint[256];
    const char *sp = rule_secret_path(ctx);
    const cJSON *spec, *auth;
    const char *why;

    if (rule_kind(ctx) != RF_KIND_FAILOVER) {
        ot_auth_required(ctx);
        return;
    }
    if (sp && (why = secret_name_problem(sp)) != NULL) {
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "set spec.auth.secretPath to the name of a Secret in the "
                    "failover's namespace",
                    "spec.auth.secretPath \"%s\" is not a valid Secret name: "
                    "%s",
                    sp, why);
        return;
    }
    if (sp)
        return;
    /* spec.auth (or secretPath) of the wrong type: schema-type says so */
    spec = json_get(rule_obj(ctx), "spec");
    auth = json_get(spec, "auth");
    if (rf_not_map(spec) || rf_not_map(auth) ||
        rf_not_string(json_get(auth, "secretPath")))
        return;
    snprintf(hint, sizeof(hint),
             "create a Secret with a 'password' key in namespace %s and set "
             "spec.auth.secretPath to its name",
             rule_ns(ctx));
    rule_report(ctx, RULE_STRONG, AUTH_PTR, hint,
                "spec.auth.secretPath is not set: Redis and its replication "
                "run without a password");
}

/* The Secret this failover names, or NULL (also when there is no view). */
static const struct cview_secret *own_secret(struct rule_ctx *ctx)
{
    const char *sp = auth_secret_name(ctx);

    if (!sp || !rule_input(ctx)->cv)
        return NULL;
    return cview_find_secret(rule_input(ctx)->cv, rule_ns(ctx), sp);
}

/* The Secret of namespace `ns` in the view (indexed) whose name is
 * nearest to `want` (a likely typo), or NULL when none is close.
 * Borrowed. */
static const char *nearest_secret(const struct cview *cv, const char *ns,
                                  const char *want)
{
    const char *best = NULL;
    size_t bestd = 99, i, n = strlen(want);
    struct cview_key k;

    memset(&k, 0, sizeof(k));
    k.ns = ns;
    for (i = cview_class_first(cv, CVIEW_C_SECRET_NS,
                               cview_class_find(cv, CVIEW_C_SECRET_NS, &k));
         i != CVIEW_END; i = cview_class_next(cv, CVIEW_C_SECRET_NS, i)) {
        const struct cview_secret *t = &cv->secrets[i];
        size_t d;

        d = schema_edit_distance(want, t->name, false);
        if (d < bestd || (d == bestd && best && strcmp(t->name, best) < 0)) {
            bestd = d;
            best = t->name;
        }
    }
    return best && bestd > 0 && (bestd <= 1 || bestd * 3 <= n) ? best : NULL;
}

static void check_auth_secret_exists(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const char *sp = auth_secret_name(ctx);
    const char *near;
    char also[160] = "";
    bool rf = rule_kind(ctx) == RF_KIND_FAILOVER;

    /* an invalid name is auth-required's finding */
    if (!sp || !cv || own_secret(ctx) || secret_name_problem(sp) ||
        !rj_view(ctx))
        return;
    near = nearest_secret(cv, rule_ns(ctx), sp);
    if (near)
        snprintf(also, sizeof(also), " (did you mean `%.100s`?)", near);
    if (cv->complete)
        rule_report(ctx, RULE_STRONG, rf ? AUTH_PTR : OT_AUTH_PTR,
                    rf ? "create the Secret before the failover"
                       : "create the Secret first",
                    "Secret %s/%s does not exist%s: %s",
                    rule_ns(ctx), sp, also,
                    rf ? "the operator stops before creating any redis or "
                         "sentinel pod"
                       : "the pods that read the password from it cannot "
                         "start");
    else
        rule_report(ctx, RULE_WEAK, rf ? AUTH_PTR : OT_AUTH_PTR,
                    "add the Secret (or SealedSecret/ExternalSecret) to the "
                    "linted files, or make sure it exists in the cluster",
                    "Secret %s/%s is not among the linted documents%s",
                    rule_ns(ctx), sp, also);
}

/* auth-password-key of an OpsTree object: Secret `s` has the key that
 * kubernetesConfig.redisSecret.key names (its absence is auth-required's),
 * and, when that key is 'password', a non-empty value. */
static void ot_password_key(struct rule_ctx *ctx,
                            const struct cview_secret *s)
{
    struct ot_fields o;
    size_t i;

    ot_fields_init(&o, rule_obj(ctx));
    if (!o.secret_key || !*o.secret_key)
        return;
    if (s->bad_key) {
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR,
                    "data values are padded standard base64; use stringData "
                    "for plain text",
                    "%s %s/%s: data.%s %s, so the API server refuses the "
                    "Secret",
                    s->kind, s->ns, s->name, s->bad_key, s->bad_why);
        return;
    }
    for (i = 0; i < s->nkeys; i++)
        if (!strcmp(s->keys[i], o.secret_key))
            break;
    if (i == s->nkeys)
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR "/key",
                    "add the key to the Secret, or name one of its keys in "
                    "spec.kubernetesConfig.redisSecret.key",
                    "%s %s/%s has no key '%s': the pods that read the "
                    "password from it cannot start",
                    s->kind, s->ns, s->name, o.secret_key);
    else if (strcmp(o.secret_key, "password") || !s->value_known)
        return;     /* only the 'password' key's value is summarised */
    else if (s->pw_problem == CVIEW_PW_UNDECODABLE)
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR,
                    "data values are base64; use stringData for plain text",
                    "%s %s/%s: data.password is not valid base64", s->kind,
                    s->ns, s->name);
    else if (s->pw_len == 0)
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR,
                    "set a non-empty password",
                    "%s %s/%s has an empty 'password': the pods run without "
                    "a password",
                    s->kind, s->ns, s->name);
}

static void check_auth_password_key(struct rule_ctx *ctx)
{
    const struct cview_secret *s = own_secret(ctx);

    if (!s || !s->keys_known)
        return;
    if (rule_kind(ctx) != RF_KIND_FAILOVER) {
        ot_password_key(ctx, s);
        return;
    }
    if (s->bad_key)
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "data values are padded standard base64; use stringData "
                    "for plain text",
                    "%s %s/%s: data.%s %s, so the API server refuses the "
                    "Secret",
                    s->kind, s->ns, s->name, s->bad_key, s->bad_why);
    else if (!s->has_password)
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "add a 'password' key to the Secret",
                    "%s %s/%s has no 'password' key: the operator cannot "
                    "render redis.conf and pods fail to start",
                    s->kind, s->ns, s->name);
    else if (s->value_known && s->pw_problem == CVIEW_PW_UNDECODABLE)
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "data values are base64; use stringData for plain text",
                    "%s %s/%s: data.password is not valid base64", s->kind,
                    s->ns, s->name);
    else if (s->value_known && s->pw_len == 0)
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "set a non-empty password",
                    "%s %s/%s has an empty 'password': the operator silently "
                    "runs Redis without auth",
                    s->kind, s->ns, s->name);
}

static void check_auth_password_charset(struct rule_ctx *ctx)
{
    const struct cview_secret *s = own_secret(ctx);
    int min = rule_param_int(ctx, "minLength", 16);
    static const char *const what[] = {
        [CVIEW_PW_WHITESPACE] = "whitespace",
        [CVIEW_PW_QUOTE] = "a quote character",
        [CVIEW_PW_HASH] = "'#'",
        [CVIEW_PW_CONTROL] = "a control character",
    };

    if (!s || !s->value_known || !s->has_password || s->pw_len == 0 ||
        s->pw_problem == CVIEW_PW_UNDECODABLE)
        return;
    if (s->pw_problem != CVIEW_PW_OK)
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "use letters, digits and punctuation other than quotes "
                    "and '#'",
                    "the password in %s/%s contains %s: the operator writes "
                    "it unquoted into redis.conf",
                    s->ns, s->name, what[s->pw_problem]);
    else if (min > 0 && s->pw_len < (size_t)min)
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "use a longer random password",
                    "the password in %s/%s is %zu characters, shorter than "
                    "the policy's minimum of %d",
                    s->ns, s->name, s->pw_len, min);
}

/* Whether entry `f` may share the password of OpsTree object `o` (named
 * `name`): a RedisSentinel and the RedisReplication of its namespace it
 * watches (redisReplicationName) are meant to, either way round. */
static bool ot_share_ok(const struct ot_fields *o, const char *ns,
                        const char *name, const struct cview_failover *f)
{
    if (!f->ot || strcmp(f->ns, ns))
        return false;
    if (o->kind == RF_KIND_SENTINEL && f->kind == RF_KIND_REPLICATION)
        return o->repl && !strcmp(o->repl, f->name);
    if (o->kind == RF_KIND_REPLICATION && f->kind == RF_KIND_SENTINEL)
        return f->ot->repl && name && !strcmp(f->ot->repl, name);
    return false;
}

/* The members of group `g` of class `c` other than the object itself
 * and those it may share with: the earliest into *first, how many. */
static size_t ot_sharers(struct rule_ctx *ctx, const struct cview *cv,
                         enum cview_class c, size_t g,
                         const struct ot_fields *o,
                         const struct cview_failover **first)
{
    const char *ns = rule_ns(ctx), *name = rule_name(ctx);
    size_t i, n = 0;

    *first = NULL;
    for (i = cview_class_first(cv, c, g); i != CVIEW_END;
         i = cview_class_next(cv, c, i)) {
        const struct cview_failover *f = &cv->rfs[i];

        if ((f->kind == o->kind && !strcmp(f->ns, ns) && name &&
             !strcmp(f->name, name)) || ot_share_ok(o, ns, name, f))
            continue;
        if (!*first)
            *first = f;
        n++;
    }
    return n;
}

/* auth-secret-unique of an OpsTree object: as for a failover, but its
 * RedisSentinel or RedisReplication partner may share. */
static void ot_secret_unique(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const struct cview_failover *f;
    const struct cview_secret *mine;
    const char *ns = rule_ns(ctx);
    struct cview_key k;
    struct ot_fields o;
    size_t n;

    ot_fields_init(&o, rule_obj(ctx));
    if (!o.secret || !cv || !(cv = rj_view(ctx)))
        return;
    memset(&k, 0, sizeof(k));
    k.ns = ns;
    k.name = o.secret;
    n = ot_sharers(ctx, cv, CVIEW_C_SECRET_USERS,
                   cview_class_find(cv, CVIEW_C_SECRET_USERS, &k), &o, &f);
    if (f) {
        rule_report(ctx, RULE_STRONG, OT_AUTH_PTR,
                    "give each object its own Secret and password (a "
                    "RedisSentinel may share the one of the "
                    "RedisReplication it watches)",
                    "Secret %s is also used by %s %s/%s: a stale sentinel "
                    "or replica of one can authenticate to the other%s%s%s",
                    o.secret, cview_kind_name(f), f->ns, f->name,
                    f->origin ? "; it is defined at " : "",
                    f->origin ? f->origin : "",
                    n > 1 ? "; more objects use the Secret too" : "");
        return;
    }
    mine = own_secret(ctx);
    if (!mine || !mine->has_hash ||
        (o.secret_key && strcmp(o.secret_key, "password")))
        return;
    k.hash = mine->pw_hash;
    n = ot_sharers(ctx, cv, CVIEW_C_PW_USERS,
                   cview_class_find(cv, CVIEW_C_PW_USERS, &k), &o, &f);
    if (!f)
        return;
    rule_report(ctx, !strcmp(f->ns, ns) ? RULE_STRONG : RULE_WEAK,
                OT_AUTH_PTR, "give each object its own password",
                "the password in %s/%s is the same as in %s/%s: a stale "
                "sentinel or replica of one can authenticate to the other; "
                "it is used by %s %s/%s%s%s%s",
                ns, o.secret, f->ns, f->secret, cview_kind_name(f), f->ns,
                f->name, f->origin ? ", defined at " : "",
                f->origin ? f->origin : "",
                n > 1 ? "; more objects share the password" : "");
}

/* Count the other failovers that share `sp` in this namespace, or (when
 * `mine` has a fingerprint) the same password anywhere; name the
 * earliest. Failovers with a bootstrapNode are left out. */
static void check_auth_secret_unique(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const cJSON *obj = rule_obj(ctx);
    const char *sp = rf_secret_path(obj);
    const char *ns = rule_ns(ctx);
    const struct cview_secret *mine;
    const struct cview_failover *same = NULL, *pw = NULL;
    struct cview_hits h = {CVIEW_END, 0}, hns = {CVIEW_END, 0};
    struct cview_key k;
    size_t self;
    bool pw_same_ns = false;

    if (rule_kind(ctx) != RF_KIND_FAILOVER) {
        ot_secret_unique(ctx);
        return;
    }
    if (!sp || !cv || json_get(json_get(obj, "spec"), "bootstrapNode") ||
        !(cv = rj_view(ctx)))
        return;
    self = rj_self(ctx);
    memset(&k, 0, sizeof(k));
    k.ns = ns;
    k.name = sp;
    cview_class_hits(cv, CVIEW_C_SECRET_USERS,
                     cview_class_find(cv, CVIEW_C_SECRET_USERS, &k), self,
                     &h);
    if (h.first != CVIEW_END) {
        same = &cv->rfs[h.first];
        rule_report(ctx, RULE_STRONG, AUTH_PTR,
                    "give each failover its own Secret and password",
                    "Secret %s is also used by %s %s/%s: a "
                    "stale sentinel or replica of one failover can "
                    "authenticate to the other%s%s%s",
                    sp, cview_kind_name(same), same->ns, same->name,
                    same->origin ? "; it is defined at " : "",
                    same->origin ? same->origin : "",
                    h.n > 1 ? "; more failovers use the Secret too" : "");
        return;
    }
    mine = own_secret(ctx);
    if (!mine || !mine->has_hash)
        return;
    /* Every other user of Secret ns/sp is the object itself (none was
     * found above), so the users of the fingerprint are the others. */
    k.hash = mine->pw_hash;
    cview_class_hits(cv, CVIEW_C_PW_USERS,
                     cview_class_find(cv, CVIEW_C_PW_USERS, &k), self, &h);
    cview_class_hits(cv, CVIEW_C_PW_USERS_NS,
                     cview_class_find(cv, CVIEW_C_PW_USERS_NS, &k), self,
                     &hns);
    pw_same_ns = hns.n > 0;
    if (h.first != CVIEW_END)
        pw = &cv->rfs[h.first];
    if (pw)
        rule_report(ctx, pw_same_ns ? RULE_STRONG : RULE_WEAK, AUTH_PTR,
                    "give each failover its own password",
                    "the password in %s/%s is the same as in %s/%s: a "
                    "stale sentinel or replica of one failover can "
                    "authenticate to the other; it is used by %s "
                    "%s/%s%s%s%s",
                    ns, sp, pw->ns, pw->secret, cview_kind_name(pw), pw->ns,
                    pw->name,
                    pw->origin ? ", defined at " : "",
                    pw->origin ? pw->origin : "",
                    h.n > 1 ? "; more failovers share the password" : "");
}

static void check_auth_change(struct rule_ctx *ctx)
{
    const char *was = rf_secret_path(rule_old(ctx));
    const char *now = rule_secret_path(ctx);

    if ((!was && !now) || (was && now && !strcmp(was, now)))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/auth/secretPath",
                "the operator cannot rotate passwords: plan a migration to "
                "a new failover",
                "spec.auth.secretPath changes from %s%s%s to %s%s%s: the "
                "operator uses the new password at once while running pods "
                "keep the old one, so replication breaks mid-roll and "
                "sentinel auth-pass goes stale",
                was ? "\"" : "", was ? was : "none", was ? "\"" : "",
                now ? "\"" : "", now ? now : "none", now ? "\"" : "");
}

/* The sentinel annotation naming a guarding NetworkPolicy, or NULL. */
static const char *netpol_annotation(const struct rule_ctx *ctx)
{
    const char *np = json_str(json_get(json_get(rule_obj(ctx), "metadata"),
                                       "annotations"),
                              NETPOL_ANNOTATION);

    return np && *np ? np : NULL;
}

/* Whether the NetworkPolicies of the view guard this failover's sentinel
 * pods: at least one selects them and isolates them for ingress, and
 * none of those lets every source reach port 26379 (policies add up, so
 * one open rule opens the port). *open names such a policy. */
static bool netpol_guards(struct rule_ctx *ctx,
                          const struct cview_netpol **open)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const cJSON *sent = rule_spec(ctx, RF_SENTINEL);
    const cJSON *labels;
    bool any = false;
    struct cview_key k;
    size_t i;

    *open = NULL;
    /* a policy never applies to pods on the host network */
    if (!cv || !cv->nnetpols || cJSON_IsTrue(json_get(sent, "hostNetwork")))
        return false;
    memset(&k, 0, sizeof(k));
    k.ns = rule_ns(ctx);
    if (!rj_view(ctx) || (i = cview_class_find(cv, CVIEW_C_NETPOL_NS, &k))
                             == CVIEW_END)
        return false;
    labels = rule_pod_labels(ctx, RF_SENTINEL);
    if (!labels)
        return false;
    /* only the policies of the failover's namespace can select its pods */
    for (i = cview_class_first(cv, CVIEW_C_NETPOL_NS, i); i != CVIEW_END;
         i = cview_class_next(cv, CVIEW_C_NETPOL_NS, i)) {
        const struct cview_netpol *np = &cv->netpols[i];

        if (!np->ingress || !cview_selector_matches(np->selector, labels))
            continue;
        any = true;
        if (np->open_sentinel && !*open)
            *open = np;
    }
    return any && !*open;
}

static void check_sentinel_no_auth(struct rule_ctx *ctx)
{
    const struct cview_netpol *open;
    const cJSON *md = json_get(rule_obj(ctx), "metadata");
    const cJSON *ann = json_get(md, "annotations");

    /* annotations of the wrong type may hold the guard's name, but only
     * schema-type can tell */
    if (rf_not_map(md) || rf_not_map(ann) ||
        rf_not_string(json_get(ann, NETPOL_ANNOTATION)))
        return;
    if (netpol_annotation(ctx) || netpol_guards(ctx, &open))
        return;
    if (open)
        rule_report(ctx, RULE_STRONG, "/spec/sentinel",
                    "limit the 'from' of that policy's rules covering port "
                    "26379 to the pods that need sentinel",
                    "NetworkPolicy %s/%s lets any source reach port "
                    "26379: it selects this failover's sentinels, and "
                    "sentinels take no password",
                    open->ns, open->name);
    else
        rule_report(ctx, RULE_STRONG, "/spec/sentinel",
                    "restrict port 26379 with a NetworkPolicy (in the "
                    "cluster, or linted with the failover), or name it in "
                    "annotation "
                    NETPOL_ANNOTATION,
                    "sentinels of this failover accept unauthenticated "
                    "clients on port 26379: the operator sets no sentinel "
                    "password, so any pod can reconfigure them (spotahome "
                    "#302)");
}

/* sentinel-no-auth looks for a NetworkPolicy in the view only when no
 * annotation names one. */
static bool view_no_annotation(const struct rule_ctx *ctx)
{
    return netpol_annotation(ctx) == NULL;
}

/* The auth rules that read Secrets from the view have nothing to check,
 * and so nothing they cannot verify, without spec.auth.secretPath. */
static bool view_has_secret(const struct rule_ctx *ctx)
{
    return auth_secret_name(ctx) != NULL;
}

/* The auth rules, in catalogue order. */
static const struct rule_desc auth_rules[] = {
    {
        .id = "auth-required",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "a Secret holds the Redis password: spec.auth.secretPath "
            "(OpsTree: spec.kubernetesConfig.redisSecret)",
        .check = check_auth_required,
    },
    {
        .id = "auth-secret-exists",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .flags = RULE_CLUSTER,
        .doc = "the auth Secret exists in the object's namespace",
        .check = check_auth_secret_exists,
        .needs_view = view_has_secret,
    },
    {
        .id = "auth-password-key",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .flags = RULE_CLUSTER,
        .doc = "the auth Secret has a non-empty 'password' key (OpsTree: the "
            "key redisSecret names)",
        .check = check_auth_password_key,
        .needs_view = view_has_secret,
    },
    {
        .id = "auth-password-charset",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_CLUSTER,
        .doc = "the password has no whitespace, quotes, # or control "
            "characters and is long enough",
        .params = "minLength",
        .check = check_auth_password_charset,
        .needs_view = view_has_secret,
    },
    {
        .id = "auth-secret-unique",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .flags = RULE_CLUSTER,
        .doc = "no two failovers share an auth Secret or password",
        .check = check_auth_secret_unique,
        .needs_view = view_has_secret,
    },
    {
        .id = "auth-change",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "spec.auth.secretPath is not added, removed or changed on an "
            "existing failover",
        .check = check_auth_change,
    },
    {
        .id = "sentinel-no-auth",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_CLUSTER,
        .doc = "sentinels take no password: a NetworkPolicy guards port 26379 "
            "(one in the linted files, or named in annotation "
            "rfguard.io/sentinel-network-policy)",
        .check = check_sentinel_no_auth,
        .needs_view = view_no_annotation,
    },
};

RULE_FAMILY(auth, auth_rules);
