/* SPDX-License-Identifier: Apache-2.0
 *
 * check_deploy.c - property test for the rendered deploy/ overlays. Reads
 * the output of `kubectl kustomize deploy/<overlay>` with rfguard's own
 * YAML loader (ydoc) and checks what the install depends on: the webhook
 * configurations (excluded namespaces, timeout, sideEffects, review
 * versions, failurePolicy, rules, Service reference), the Deployment's
 * hardening, probes and mounts, the Service's target port, the PDB, the
 * NetworkPolicy, RBAC (and that it grants what the cluster cache lists
 * and watches), and where the caBundle comes from.
 *
 * It knows the manifests, not a cluster: nothing here talks to the API
 * server. Run by tests/cli/deploy.sh:
 *   check_deploy RENDERED.yaml cert-manager|self-signed
 * Prints "N passed, N failed"; exit 0 only if every check passed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "diag.h"
#include "ydoc.h"

#define MAX_INPUT (8u * 1024u * 1024u)

static struct ydoc_stream g_docs;
static const char *g_overlay;

/* The Service the webhooks call and its namespace (also the exclusion that
 * matters most: rfguard must never review its own namespace). */
#define RFG_NS "rfguard"
#define RFG_NAME "rfguard"

/* First child of an array or object, NULL for anything else. */
static const cJSON *first_child(const cJSON *o)
{
    return (cJSON_IsArray(o) || cJSON_IsObject(o)) ? o->child : NULL;
}

/* Like cJSON_ArrayForEach, but evaluates `arr` once (the cJSON macro
 * evaluates it twice, which -Wnull-dereference cannot see through). */
#define EACH(it, arr) for ((it) = first_child(arr); (it); (it) = (it)->next)

static const cJSON *get(const cJSON *o, const char *key)
{
    if (!cJSON_IsObject(o))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Follow a '.'-separated path of object keys; NULL if any step is absent.
 * Keys containing '.' cannot be reached this way; use get() for those. */
static const cJSON *at(const cJSON *o, const char *path)
{
    char key[128];
    const char *p = path;

    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (n >= sizeof(key))
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        o = get(o, key);
        p += n;
        if (*p == '.')
            p++;
    }
    return o;
}

static const char *str_at(const cJSON *o, const char *path)
{
    const cJSON *v = at(o, path);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool str_is(const char *s, const char *want)
{
    return s && strcmp(s, want) == 0;
}

/* True if the array `arr` holds the string `want`. */
static bool has_str(const cJSON *arr, const char *want)
{
    const cJSON *it;

    if (!cJSON_IsArray(arr))
        return false;
    EACH(it, arr)
        if (cJSON_IsString(it) && strcmp(it->valuestring, want) == 0)
            return true;
    return false;
}

/* The first document of `kind` named `name` (any name if NULL). */
static const cJSON *find(const char *kind, const char *name)
{
    size_t i;

    for (i = 0; i < g_docs.len; i++) {
        const cJSON *d = g_docs.docs[i].root;

        if (!str_is(str_at(d, "kind"), kind))
            continue;
        if (!name || str_is(str_at(d, "metadata.name"), name))
            return d;
    }
    return NULL;
}

static const cJSON *deployment(void)
{
    return find("Deployment", RFG_NAME);
}

static const cJSON *pod_spec(void)
{
    return at(deployment(), "spec.template.spec");
}

static const cJSON *container(void)
{
    const cJSON *c = get(pod_spec(), "containers");

    return cJSON_IsArray(c) ? cJSON_GetArrayItem(c, 0) : NULL;
}

/* The container port that `ref` (a name or a number) designates, or -1. */
static int container_port(const cJSON *ref)
{
    const cJSON *p;

    EACH(p, get(container(), "ports")) {
        const cJSON *num = get(p, "containerPort");

        if (!cJSON_IsNumber(num))
            continue;
        if (cJSON_IsString(ref) && str_is(str_at(p, "name"), ref->valuestring))
            return num->valueint;
        if (cJSON_IsNumber(ref) && num->valueint == ref->valueint)
            return num->valueint;
    }
    return -1;
}

/* The value following `flag` in the container's command + args. */
static const char *arg_value(const char *flag)
{
    static const char *const lists[] = {"command", "args"};
    bool next = false;
    size_t i;

    for (i = 0; i < 2; i++) {
        const cJSON *a;

        EACH(a, get(container(), lists[i])) {
            if (!cJSON_IsString(a))
                continue;
            if (next)
                return a->valuestring;
            next = strcmp(a->valuestring, flag) == 0;
        }
    }
    return NULL;
}

/* Every key/value of `sel` (a matchLabels object) is in `labels`. */
static bool selects(const cJSON *sel, const cJSON *labels)
{
    const cJSON *kv;

    if (!cJSON_IsObject(sel) || !sel->child)
        return false;
    EACH(kv, sel) {
        const cJSON *l = get(labels, kv->string);

        if (!cJSON_IsString(kv) || !cJSON_IsString(l) ||
            strcmp(kv->valuestring, l->valuestring) != 0)
            return false;
    }
    return true;
}

/* A volumeMount of the container named `vol`; NULL if not mounted. */
static const cJSON *mount_of(const char *vol)
{
    const cJSON *m;

    EACH(m, get(container(), "volumeMounts"))
        if (str_is(str_at(m, "name"), vol))
            return m;
    return NULL;
}

/* The volume whose `field`.`key` is `value` (e.g. secret.secretName). */
static const cJSON *volume_with(const char *path, const char *value)
{
    const cJSON *v;

    EACH(v, get(pod_spec(), "volumes"))
        if (!value ? at(v, path) != NULL : str_is(str_at(v, path), value))
            return v;
    return NULL;
}

/* `file` lies directly or deeper under directory `dir`. */
static bool under_dir(const char *file, const char *dir)
{
    size_t n;

    if (!file || !dir)
        return false;
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return strncmp(file, dir, n) == 0 && file[n] == '/' && file[n + 1];
}

static void test_namespace(void)
{
    const cJSON *ns = find("Namespace", RFG_NS);

    CHECK(ns != NULL);
    CHECK(str_is(str_at(deployment(), "metadata.namespace"), RFG_NS));
    CHECK(str_is(str_at(find("Service", RFG_NAME), "metadata.namespace"),
                 RFG_NS));
}

/* One webhook entry of either configuration. */
static void check_webhook(const cJSON *wh, const char *path)
{
    const cJSON *e, *r, *svc, *timeout;
    const char *se, *fp;
    bool excluded = false, rule_ok = false, ot_ok = false;

    CHECK(str_at(wh, "name") && strchr(str_at(wh, "name"), '.'));

    /* admissionReviewVersions: exactly [v1] */
    CHECK(cJSON_GetArraySize(get(wh, "admissionReviewVersions")) == 1);
    CHECK(has_str(get(wh, "admissionReviewVersions"), "v1"));

    timeout = get(wh, "timeoutSeconds");
    CHECK(cJSON_IsNumber(timeout));
    if (cJSON_IsNumber(timeout))
        CHECK(timeout->valueint >= 1 && timeout->valueint <= 5);

    se = str_at(wh, "sideEffects");
    CHECK(str_is(se, "None") || str_is(se, "NoneOnDryRun"));

    fp = str_at(wh, "failurePolicy");
    CHECK(str_is(fp, "Fail") || str_is(fp, "Ignore"));

    CHECK(str_is(str_at(wh, "matchPolicy"), "Equivalent"));

    EACH(e, at(wh, "namespaceSelector.matchExpressions")) {
        const cJSON *vals = get(e, "values");

        if (str_is(str_at(e, "key"), "kubernetes.io/metadata.name") &&
            str_is(str_at(e, "operator"), "NotIn") &&
            has_str(vals, "kube-system") &&
            has_str(vals, "kube-node-lease") && has_str(vals, RFG_NS))
            excluded = true;
    }
    CHECK(excluded);

    EACH(r, get(wh, "rules")) {
        if (has_str(get(r, "apiGroups"), "databases.spotahome.com") &&
            has_str(get(r, "apiVersions"), "v1") &&
            has_str(get(r, "resources"), "redisfailovers") &&
            has_str(get(r, "operations"), "CREATE") &&
            has_str(get(r, "operations"), "UPDATE") &&
            !has_str(get(r, "resources"), "*"))
            rule_ok = true;
        /* the OpsTree operator's two kinds, CREATE and UPDATE */
        if (has_str(get(r, "apiGroups"), "redis.redis.opstreelabs.in") &&
            has_str(get(r, "apiVersions"), "v1beta2") &&
            has_str(get(r, "resources"), "redissentinels") &&
            has_str(get(r, "resources"), "redisreplications") &&
            has_str(get(r, "operations"), "CREATE") &&
            has_str(get(r, "operations"), "UPDATE") &&
            !has_str(get(r, "resources"), "*"))
            ot_ok = true;
    }
    CHECK(rule_ok);
    CHECK(ot_ok);

    /* The Service reference must hit the rfguard Service on a port it
     * exposes (443 when unset). */
    svc = at(wh, "clientConfig.service");
    CHECK(svc != NULL);
    CHECK(str_is(str_at(svc, "name"), RFG_NAME));
    CHECK(str_is(str_at(svc, "namespace"), RFG_NS));
    CHECK(str_is(str_at(svc, "path"), path));
    {
        const cJSON *port = get(svc, "port"), *sp;
        int want = cJSON_IsNumber(port) ? port->valueint : 443;
        bool found = false;

        EACH(sp, at(find("Service", RFG_NAME), "spec.ports")) {
            const cJSON *n = get(sp, "port");

            if (cJSON_IsNumber(n) && n->valueint == want)
                found = true;
        }
        CHECK(found);
    }
}

static void check_config(const char *kind, const char *path)
{
    const cJSON *cfg = find(kind, NULL), *wh;
    int n = 0;

    CHECK(cfg != NULL);
    EACH(wh, get(cfg, "webhooks")) {
        check_webhook(wh, path);
        n++;
    }
    CHECK(n >= 1);
}

static void test_validating_webhook(void)
{
    check_config("ValidatingWebhookConfiguration", "/validate");
}

static void test_mutating_webhook(void)
{
    check_config("MutatingWebhookConfiguration", "/mutate");
}

static void test_replicas_and_spread(void)
{
    const cJSON *rep = at(deployment(), "spec.replicas");
    const cJSON *tsc = get(pod_spec(), "topologySpreadConstraints");

    CHECK(deployment() != NULL);
    CHECK(cJSON_IsNumber(rep) && rep->valueint >= 2);
    CHECK(at(pod_spec(), "affinity.podAntiAffinity") != NULL);
    CHECK(cJSON_GetArraySize(tsc) >= 1);
    /* the spread selects this Deployment's pods, not every pod */
    CHECK(selects(at(cJSON_GetArrayItem(tsc, 0), "labelSelector.matchLabels"),
                  at(deployment(), "spec.template.metadata.labels")));
}

static void test_security_context(void)
{
    const cJSON *psc = get(pod_spec(), "securityContext");
    const cJSON *csc = get(container(), "securityContext");
    const cJSON *uid = get(csc, "runAsUser");

    if (!uid)
        uid = get(psc, "runAsUser");
    CHECK(container() != NULL);
    CHECK(cJSON_IsTrue(get(psc, "runAsNonRoot")) ||
          cJSON_IsTrue(get(csc, "runAsNonRoot")));
    CHECK(cJSON_IsNumber(uid) && uid->valueint > 0);
    CHECK(cJSON_IsFalse(get(csc, "allowPrivilegeEscalation")));
    CHECK(cJSON_IsTrue(get(csc, "readOnlyRootFilesystem")));
    CHECK(!cJSON_IsTrue(get(csc, "privileged")));
    CHECK(has_str(at(csc, "capabilities.drop"), "ALL"));
    CHECK(at(csc, "capabilities.add") == NULL);
    CHECK(str_is(str_at(csc, "seccompProfile.type"), "RuntimeDefault") ||
          str_is(str_at(psc, "seccompProfile.type"), "RuntimeDefault"));
    CHECK(get(pod_spec(), "hostNetwork") == NULL ||
          cJSON_IsFalse(get(pod_spec(), "hostNetwork")));
}

static void test_resources(void)
{
    const cJSON *res = get(container(), "resources");

    CHECK(at(res, "requests.cpu") != NULL);
    CHECK(at(res, "requests.memory") != NULL);
    CHECK(at(res, "limits.memory") != NULL);
}

static void check_probe(const char *probe, const char *path)
{
    const cJSON *hg = at(container(), probe);
    const cJSON *port;

    hg = get(hg, "httpGet");
    CHECK(hg != NULL);
    CHECK(str_is(str_at(hg, "path"), path));
    CHECK(str_is(str_at(hg, "scheme"), "HTTPS"));
    /* the probe goes to the TLS port the webhook listens on */
    port = get(hg, "port");
    CHECK(container_port(port) > 0);
    CHECK(container_port(port) == container_port(at(
        cJSON_GetArrayItem(at(find("Service", RFG_NAME), "spec.ports"), 0),
        "targetPort")));
}

static void test_probes(void)
{
    check_probe("readinessProbe", "/readyz");
    check_probe("livenessProbe", "/healthz");
}

static void test_service_targets_container(void)
{
    const cJSON *svc = find("Service", RFG_NAME), *sp;
    const char *listen = arg_value("--listen");
    bool https = false;

    CHECK(svc != NULL);
    CHECK(selects(at(svc, "spec.selector"),
                  at(deployment(), "spec.template.metadata.labels")));
    EACH(sp, at(svc, "spec.ports")) {
        const cJSON *port = get(sp, "port");
        int cport = container_port(get(sp, "targetPort"));

        if (!cJSON_IsNumber(port) || port->valueint != 443)
            continue;
        https = true;
        /* targetPort names or numbers a real container port ... */
        CHECK(cport > 0);
        /* ... and that is the one `rfguard serve --listen` binds. */
        CHECK(listen != NULL);
        if (listen && cport > 0) {
            const char *colon = strrchr(listen, ':');

            CHECK(colon && strtol(colon + 1, NULL, 10) == cport);
        }
    }
    CHECK(https);
    CHECK(listen && strcmp(listen, ":8443") == 0);
}

static void test_metrics(void)
{
    const char *ml = arg_value("--metrics-listen");
    const cJSON *svc = find("Service", "rfguard-metrics");

    CHECK(ml && strcmp(ml, ":9090") == 0);
    CHECK(svc != NULL);
    CHECK(container_port(at(cJSON_GetArrayItem(at(svc, "spec.ports"), 0),
                            "targetPort")) == 9090);
}

static void test_tls_mount(void)
{
    const char *secret = NULL;
    const cJSON *vol = NULL, *m;
    const cJSON *v;

    /* the volume whose mount holds --tls-cert */
    EACH(v, get(pod_spec(), "volumes")) {
        const char *name = str_at(v, "name");

        m = mount_of(name);
        if (get(v, "secret") && m &&
            under_dir(arg_value("--tls-cert"), str_at(m, "mountPath"))) {
            vol = v;
            secret = str_at(v, "secret.secretName");
        }
    }
    CHECK(vol != NULL);
    CHECK(secret != NULL);
    m = mount_of(str_at(vol, "name"));
    /* a subPath mount is never refreshed by kubelet: rotation would not
     * reach the process */
    CHECK(m != NULL && get(m, "subPath") == NULL &&
          get(m, "subPathExpr") == NULL);
    CHECK(under_dir(arg_value("--tls-key"), str_at(m, "mountPath")));
    CHECK(str_is(secret, "rfguard-tls"));
}

static void test_policy_configmap(void)
{
    const char *policy = arg_value("--policy");
    const cJSON *vol = volume_with("configMap.name", "rfguard-policy");
    const cJSON *m = vol ? mount_of(str_at(vol, "name")) : NULL;
    const cJSON *cm = find("ConfigMap", "rfguard-policy");
    const char *base;

    CHECK(policy != NULL);
    CHECK(vol != NULL);
    CHECK(cm != NULL);
    CHECK(m != NULL && get(m, "subPath") == NULL);
    CHECK(m && under_dir(policy, str_at(m, "mountPath")));
    base = policy ? strrchr(policy, '/') : NULL;
    CHECK(base && get(get(cm, "data"), base + 1) != NULL);
}

static void test_pdb(void)
{
    const cJSON *pdb = find("PodDisruptionBudget", NULL);
    const cJSON *min = at(pdb, "spec.minAvailable");
    const cJSON *rep = at(deployment(), "spec.replicas");

    CHECK(pdb != NULL);
    CHECK(str_is(str_at(pdb, "metadata.namespace"), RFG_NS));
    CHECK(selects(at(pdb, "spec.selector.matchLabels"),
                  at(deployment(), "spec.template.metadata.labels")));
    CHECK(min != NULL || at(pdb, "spec.maxUnavailable") != NULL);
    /* a PDB that allows no eviction blocks node drains forever */
    if (cJSON_IsNumber(min) && cJSON_IsNumber(rep))
        CHECK(min->valueint < rep->valueint);
}

static void test_networkpolicy(void)
{
    const cJSON *np = find("NetworkPolicy", NULL);

    CHECK(np != NULL);
    CHECK(str_is(str_at(np, "metadata.namespace"), RFG_NS));
    CHECK(selects(at(np, "spec.podSelector.matchLabels"),
                  at(deployment(), "spec.template.metadata.labels")));
    CHECK(cJSON_GetArraySize(at(np, "spec.ingress")) >= 1);
}

/* No wildcard anywhere in a rule list; verbs of `res` within `allowed`. */
static void check_rules(const cJSON *role)
{
    const cJSON *r, *s;

    CHECK(cJSON_GetArraySize(get(role, "rules")) >= 1);
    EACH(r, get(role, "rules")) {
        CHECK(!has_str(get(r, "apiGroups"), "*"));
        CHECK(!has_str(get(r, "resources"), "*"));
        CHECK(!has_str(get(r, "verbs"), "*"));
        EACH(s, get(r, "verbs"))
            CHECK(cJSON_IsString(s) &&
                  (str_is(s->valuestring, "get") ||
                   str_is(s->valuestring, "list") ||
                   str_is(s->valuestring, "watch") ||
                   /* writes only on Leases, in its own namespace */
                   (has_str(get(r, "resources"), "leases") &&
                    str_is(str_at(role, "kind"), "Role"))));
    }
}

/* Whether a rule of `role` grants `verb` on `res` of API group `group`
 * (for every object, or for one named `name` when that is not NULL). */
static bool grants(const cJSON *role, const char *group, const char *res,
                   const char *verb, const char *name)
{
    const cJSON *r, *names;

    EACH(r, get(role, "rules")) {
        names = get(r, "resourceNames");
        if (has_str(get(r, "apiGroups"), group) &&
            has_str(get(r, "resources"), res) &&
            has_str(get(r, "verbs"), verb) &&
            (!cJSON_GetArraySize(names) || (name && has_str(names, name))))
            return true;
    }
    return false;
}

/* The ClusterRole covers what the cluster cache lists and watches
 * (src/net/kcache.c): RedisFailovers, the OpsTree RedisSentinels and
 * RedisReplications, Secrets, NetworkPolicies and the redisfailovers
 * CRD, and that CRD only. */
static void test_rbac_cache(void)
{
    static const char *const lw[] = {"list", "watch"};
    static const char *const glw[] = {"get", "list", "watch"};
    static const char *const crd = "redisfailovers.databases.spotahome.com";
    const cJSON *cr = find("ClusterRole", RFG_NAME);
    const cJSON *r;
    size_t i;

    for (i = 0; i < 2; i++) {
        CHECK(grants(cr, "databases.spotahome.com", "redisfailovers", lw[i],
                     NULL));
        CHECK(grants(cr, "", "secrets", lw[i], NULL));
        CHECK(grants(cr, "networking.k8s.io", "networkpolicies", lw[i],
                     NULL));
        CHECK(grants(cr, "apiextensions.k8s.io", "customresourcedefinitions",
                     lw[i], crd));
    }
    for (i = 0; i < 3; i++) {
        CHECK(grants(cr, "redis.redis.opstreelabs.in", "redissentinels",
                     glw[i], NULL));
        CHECK(grants(cr, "redis.redis.opstreelabs.in", "redisreplications",
                     glw[i], NULL));
    }
    CHECK(grants(cr, "apiextensions.k8s.io", "customresourcedefinitions",
                 "get", crd));
    /* no other CRD: the grant is limited to the operator's */
    EACH(r, get(cr, "rules"))
        if (has_str(get(r, "resources"), "customresourcedefinitions"))
            CHECK(cJSON_GetArraySize(get(r, "resourceNames")) == 1 &&
                  has_str(get(r, "resourceNames"), crd));
}

static void test_rbac(void)
{
    const cJSON *sa = find("ServiceAccount", NULL);
    const cJSON *cr = find("ClusterRole", RFG_NAME);
    const cJSON *role = find("Role", NULL);

    CHECK(sa != NULL);
    CHECK(str_is(str_at(pod_spec(), "serviceAccountName"),
                 str_at(sa, "metadata.name")));
    CHECK(cr != NULL);
    check_rules(cr);
    CHECK(role != NULL);
    CHECK(str_is(str_at(role, "metadata.namespace"), RFG_NS));
    check_rules(role);
    CHECK(find("ClusterRoleBinding", NULL) != NULL);
    CHECK(find("RoleBinding", NULL) != NULL);
}

/* The background audit's grant is a ClusterRole of its own, bound to
 * rfguard's ServiceAccount: PolicyReports of wgpolicyk8s.io and nothing
 * else, no wildcard, no watch. */
static void test_rbac_policyreports(void)
{
    static const char *const verbs[] = {"get", "list", "create", "patch",
                                        "update", "delete"};
    const cJSON *cr = find("ClusterRole", "rfguard-policyreports");
    const cJSON *crb = find("ClusterRoleBinding", "rfguard-policyreports");
    const cJSON *r;
    size_t i;

    CHECK(cr != NULL);
    CHECK(crb != NULL);
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        CHECK(grants(cr, "wgpolicyk8s.io", "policyreports", verbs[i], NULL));
    EACH(r, get(cr, "rules")) {
        CHECK(cJSON_GetArraySize(get(r, "apiGroups")) == 1 &&
              has_str(get(r, "apiGroups"), "wgpolicyk8s.io"));
        CHECK(cJSON_GetArraySize(get(r, "resources")) == 1 &&
              has_str(get(r, "resources"), "policyreports"));
        CHECK(!has_str(get(r, "verbs"), "*") &&
              !has_str(get(r, "verbs"), "watch"));
    }
    CHECK(str_is(str_at(crb, "roleRef.name"), "rfguard-policyreports"));
    CHECK(str_is(str_at(cJSON_GetArrayItem(get(crb, "subjects"), 0),
                        "name"),
                 str_at(find("ServiceAccount", NULL), "metadata.name")));
}

/* Both configurations ask cert-manager's CA injector for the caBundle,
 * naming a Certificate that exists and writes the mounted Secret. */
static void check_cert_manager(const char *kind)
{
    const cJSON *cfg = find(kind, NULL);
    const cJSON *ann = at(cfg, "metadata.annotations");
    const cJSON *ref = get(ann, "cert-manager.io/inject-ca-from");
    const cJSON *cert = NULL;
    size_t i;

    CHECK(cJSON_IsString(ref));
    if (!cJSON_IsString(ref))
        return;
    for (i = 0; i < g_docs.len; i++) {
        const cJSON *d = g_docs.docs[i].root;
        const char *ns = str_at(d, "metadata.namespace");
        const char *name = str_at(d, "metadata.name");
        char want[256];

        if (!str_is(str_at(d, "kind"), "Certificate") || !ns || !name)
            continue;
        snprintf(want, sizeof(want), "%s/%s", ns, name);
        if (strcmp(want, ref->valuestring) == 0)
            cert = d;
    }
    CHECK(cert != NULL);
    CHECK(str_is(str_at(cert, "spec.secretName"),
                 str_at(volume_with("secret.secretName", NULL),
                        "secret.secretName")));
    CHECK(has_str(at(cert, "spec.dnsNames"), RFG_NAME "." RFG_NS ".svc"));
    CHECK(at(cert, "spec.issuerRef.name") != NULL);
}

/* Every webhook carries a caBundle: base64 of a PEM certificate. */
static void check_cabundle(const char *kind)
{
    const cJSON *wh;
    int n = 0;

    EACH(wh, get(find(kind, NULL), "webhooks")) {
        const char *b = str_at(wh, "clientConfig.caBundle");

        /* "LS0tLS1CRUdJTi" is base64 for "-----BEGIN" */
        CHECK(b && strncmp(b, "LS0tLS1CRUdJTi", 14) == 0);
        n++;
    }
    CHECK(n >= 1);
}

static void test_ca_source(void)
{
    if (str_is(g_overlay, "cert-manager")) {
        check_cert_manager("ValidatingWebhookConfiguration");
        check_cert_manager("MutatingWebhookConfiguration");
    } else {
        const cJSON *sec = find("Secret", "rfguard-tls");

        check_cabundle("ValidatingWebhookConfiguration");
        check_cabundle("MutatingWebhookConfiguration");
        CHECK(sec != NULL);
        CHECK(str_is(str_at(sec, "metadata.namespace"), RFG_NS));
        CHECK(cJSON_IsString(get(get(sec, "data"), "tls.crt")));
        CHECK(cJSON_IsString(get(get(sec, "data"), "tls.key")));
    }
}

/* Read the whole file into a NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t got;

        if (cap - n < 4096) {
            char *nb;

            if (cap >= MAX_INPUT)
                goto fail;
            cap = cap ? cap * 2 : 65536;
            nb = realloc(buf, cap + 1);
            if (!nb)
                goto fail;
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

int main(int argc, char **argv)
{
    struct ydoc_limits lim;
    struct diag_list dl;
    char *buf;
    size_t len = 0, i;
    int rc;

    if (argc != 3 || (strcmp(argv[2], "cert-manager") != 0 &&
                      strcmp(argv[2], "self-signed") != 0)) {
        fprintf(stderr, "usage: check_deploy RENDERED.yaml "
                        "cert-manager|self-signed\n");
        return 2;
    }
    g_overlay = argv[2];
    buf = slurp(argv[1], &len);
    if (!buf) {
        perror(argv[1]);
        return 2;
    }
    ydoc_limits_default(&lim);
    diag_list_init(&dl, argv[1]);
    rc = ydoc_load(&g_docs, buf, len, &lim, &dl);
    if (rc != RFG_OK) {
        for (i = 0; i < dl.len; i++) {
            char msg[400];

            diag_format(&dl.v[i], msg, sizeof(msg));
            fprintf(stderr, "%s\n", msg);
        }
        fprintf(stderr, "%s: %s\n", argv[1], rfg_strerror(rc));
        diag_list_cleanup(&dl);
        ydoc_stream_cleanup(&g_docs);
        free(buf);
        return 2;
    }
    printf("%s: %zu documents (%s)\n", argv[1], g_docs.len, g_overlay);

    RUN(test_namespace);
    RUN(test_validating_webhook);
    RUN(test_mutating_webhook);
    RUN(test_replicas_and_spread);
    RUN(test_security_context);
    RUN(test_resources);
    RUN(test_probes);
    RUN(test_service_targets_container);
    RUN(test_metrics);
    RUN(test_tls_mount);
    RUN(test_policy_configmap);
    RUN(test_pdb);
    RUN(test_networkpolicy);
    RUN(test_rbac);
    RUN(test_rbac_cache);
    RUN(test_rbac_policyreports);
    RUN(test_ca_source);

    rc = CHECK_DONE();
    diag_list_cleanup(&dl);
    ydoc_stream_cleanup(&g_docs);
    free(buf);
    return rc;
}
