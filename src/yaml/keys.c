/* SPDX-License-Identifier: Apache-2.0
 *
 * keys.c - the loader's mapping keys: how a scalar key is spelled as a
 * string (the pending key, checked and placed by ytree.c), and the keys
 * it does not copy: the property names of the RedisFailover CRDs and the
 * keys every Kubernetes object has. Such a key becomes a pointer into
 * this file's constant table (marked cJSON_StringIsConst, so nobody
 * frees it), so a tree of a thousand failovers holds one "metadata", not
 * a thousand, and two keys that are both constants compare by address.
 * A lookup costs one hash of four bytes and one memcmp. Nothing here
 * knows what the keys mean.
 */
#include "ydoc_impl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {
    "accessModes", "add", "affinity", "allocatedResourceStatuses",
    "allocatedResources", "allowPrivilegeEscalation", "allowSentinels",
    "annotations", "apiGroup", "apiVersion", "app",
    "app.kubernetes.io/component", "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by", "app.kubernetes.io/name",
    "app.kubernetes.io/part-of", "app.kubernetes.io/version",
    "appArmorProfile", "args", "audience", "auth", "awsElasticBlockStore",
    "azureDisk", "azureFile", "binaryData", "bootstrapNode", "cachingMode",
    "capabilities", "capacity", "cephfs", "chapAuthDiscovery",
    "chapAuthSession", "cinder", "claimName", "claims", "clusterTrustBundle",
    "command", "conditions", "configCopy", "configMap", "configMapKeyRef",
    "configMapRef", "containerName", "containerPort",
    "containerSecurityContext", "continue", "creationTimestamp", "csi",
    "currentVolumeAttributesClassName", "customCommandRenames", "customConfig",
    "customLivenessProbe", "customReadinessProbe", "customStartupProbe",
    "data", "dataSource", "dataSourceRef", "datasetName", "datasetUUID",
    "defaultMode", "deletionTimestamp", "devicePath", "directory",
    "disableMasterRollout", "disableMyMaster", "disablePodDisruptionBudget",
    "diskName", "diskURI", "divisor", "dnsPolicy", "downwardAPI", "driver",
    "drop", "effect", "emptyDir", "enabled", "endpoints", "engine", "env",
    "envFrom", "ephemeral", "exec", "expirationSeconds", "exporter",
    "extraContainers", "extraVolumeMounts", "extraVolumes", "failureThreshold",
    "fc", "fieldPath", "fieldRef", "fieldsType", "fieldsV1", "finalizers",
    "flexVolume", "flocker", "from", "fsGroup", "fsGroupChangePolicy",
    "fsType", "gateway", "gcePersistentDisk", "generateName", "generation",
    "gitRepo", "glusterfs", "gmsaCredentialSpec", "gmsaCredentialSpecName",
    "group", "grpc", "helm.sh/chart", "host", "hostIP", "hostNetwork",
    "hostPath", "hostPort", "hostProcess", "httpGet", "httpHeaders", "image",
    "imagePullPolicy", "imagePullSecrets", "immutable", "initContainers",
    "initialDelaySeconds", "initiatorName", "iqn", "iscsi", "iscsiInterface",
    "items", "keepAfterDeletion", "key", "keyring", "kind", "labelSelector",
    "labelWhitelist", "labels", "lastProbeTime", "lastTransitionTime", "level",
    "lifecycle", "limits", "livenessProbe", "localhostProfile", "lun",
    "managedFields", "manager", "matchExpressions", "matchFields",
    "matchLabelKeys", "matchLabels", "maxSkew", "medium", "message",
    "metadata", "minDomains", "mismatchLabelKeys", "mode",
    "modifyVolumeStatus", "monitors", "mountPath", "mountPropagation", "name",
    "namespace", "namespaceSelector", "namespaces", "nfs", "nodeAffinity",
    "nodeAffinityPolicy", "nodePublishSecretRef", "nodeSelector",
    "nodeSelectorTerms", "nodeTaintsPolicy", "operation", "operator",
    "optional", "options", "ownerReferences", "partition", "password", "path",
    "pdID", "pdName", "periodSeconds", "persistentVolumeClaim", "phase",
    "photonPersistentDisk", "podAffinity", "podAffinityTerm", "podAnnotations",
    "podAntiAffinity", "pool", "port", "portals", "ports", "portworxVolume",
    "postStart", "preStop", "preference",
    "preferredDuringSchedulingIgnoredDuringExecution", "prefix",
    "preventMasterEviction", "priorityClassName", "privileged", "procMount",
    "projected", "protectionDomain", "protocol", "pullPolicy", "quobyte",
    "rbd", "readOnly", "readOnlyRootFilesystem", "readinessProbe", "reason",
    "recursiveReadOnly", "redis", "reference", "registry",
    "remainingItemCount", "replicas", "repository", "request", "requests",
    "requiredDuringSchedulingIgnoredDuringExecution",
    "reservedPodMemoryPercent", "resizePolicy", "resizeStatus", "resource",
    "resourceFieldRef", "resourceName", "resourceVersion", "resources",
    "restartPolicy", "revision", "role", "runAsGroup", "runAsNonRoot",
    "runAsUser", "runAsUserName", "scaleIO", "scheme", "seLinuxChangePolicy",
    "seLinuxOptions", "seccompProfile", "seconds", "secret", "secretFile",
    "secretKeyRef", "secretName", "secretPath", "secretRef", "securityContext",
    "selector", "selfLink", "sentinel", "server", "service",
    "serviceAccountName", "serviceAccountToken", "serviceAnnotations",
    "shareName", "shutdownConfigMap", "signerName", "sizeLimit", "sleep",
    "sources", "spec", "sslEnabled", "startupConfigMap", "startupProbe",
    "status", "stdin", "stdinOnce", "stopSignal", "storage",
    "storageClassName", "storageMode", "storagePolicyID", "storagePolicyName",
    "storagePool", "storageos", "stringData", "subPath", "subPathExpr",
    "successThreshold", "supplementalGroups", "supplementalGroupsPolicy",
    "sysctls", "system", "targetPortal", "targetVolumeAttributesClassName",
    "targetWWNs", "tcpSocket", "tenant", "terminationGracePeriod",
    "terminationGracePeriodSeconds", "terminationMessagePath",
    "terminationMessagePolicy", "time", "timeoutSeconds", "to",
    "tolerationSeconds", "tolerations", "topologyKey",
    "topologySpreadConstraints", "tty", "type", "uid", "user", "value",
    "valueFrom", "values", "volume", "volumeAttributes",
    "volumeAttributesClassName", "volumeClaimTemplate", "volumeDevices",
    "volumeID", "volumeMode", "volumeMounts", "volumeName", "volumeNamespace",
    "volumePath", "vsphereVolume", "weight", "whenUnsatisfiable",
    "windowsOptions", "workingDir", "wwids",
};

#define NWORDS (sizeof(words) / sizeof(words[0]))
#define TAB_BITS 10
#define TAB_SIZE ((size_t)1 << TAB_BITS)
#define KEY_MAX 63          /* longer keys are never looked up */

/* Slot -> 1 + index into words, 0 = empty; filled once. */
static uint16_t tab[TAB_SIZE];
static unsigned char lens[NWORDS];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;
static atomic_bool tab_ready;   /* tab is built: no pthread_once call */

/* A hash of the length and the first, middle and last bytes. */
static size_t key_hash(const char *s, size_t n)
{
    uint32_t x = (uint32_t)n | (uint32_t)(unsigned char)s[0] << 8 |
                 (uint32_t)(unsigned char)s[n / 2] << 16 |
                 (uint32_t)(unsigned char)s[n - 1] << 24;

    return (size_t)((x * 0x9E3779B1u) >> (32 - TAB_BITS));
}

static void tab_build(void)
{
    size_t i, j;

    for (i = 0; i < NWORDS; i++) {
        size_t n = strlen(words[i]);
        struct yscalar v;

        /* a word that reads as no string when plain ("on", "null") is
         * left out: ykey_set_const skips the resolution */
        yscalar_resolve_plain(words[i], n, &v);
        if (v.kind != SK_STR)
            continue;
        lens[i] = (unsigned char)n;
        j = key_hash(words[i], n);
        while (tab[j])
            j = (j + 1) & (TAB_SIZE - 1);
        tab[j] = (uint16_t)(i + 1);
    }
    atomic_store_explicit(&tab_ready, true, memory_order_release);
}

const char *ykey_intern(const char *s, size_t n)
{
    size_t j;

    if (n == 0 || n > KEY_MAX)
        return NULL;
    if (!atomic_load_explicit(&tab_ready, memory_order_acquire) &&
        pthread_once(&tab_once, tab_build) != 0)
        return NULL;
    for (j = key_hash(s, n); tab[j]; j = (j + 1) & (TAB_SIZE - 1)) {
        size_t w = (size_t)tab[j] - 1;

        if (lens[w] == n && memcmp(words[w], s, n) == 0)
            return words[w];
    }
    return NULL;
}

/* ---- the pending key ---- */

bool ykey_set_const(struct yloader *L, const char *s, size_t n)
{
    const char *k = ykey_intern(s, n);

    if (!k)
        return false;
    L->key = k;
    L->klen = n;
    L->key_const = true;
    return true;
}

/* Make room for a pending key of n bytes. */
static int kbuf_reserve(struct yloader *L, size_t n)
{
    char *nb;
    size_t ncap;

    if (n + 1 <= L->kcap)
        return RFG_OK;
    ncap = L->kcap ? L->kcap : 64;
    while (ncap < n + 1)
        ncap *= 2;
    nb = realloc(L->kbuf, ncap);
    if (!nb)
        return RFG_ENOMEM;
    L->kbuf = nb;
    L->kcap = ncap;
    return RFG_OK;
}

/* The pending key from a resolved scalar (sigs.k8s.io/yaml turns
 * non-string keys into strings). */
int ykey_set(struct yloader *L, const struct yscalar *v, const char *s,
             size_t n)
{
    char tmp[64];
    const char *k = tmp;
    size_t kn;

    switch (v->kind) {
    case SK_NULL:
        k = "null";
        break;
    case SK_BOOL:
        k = v->b ? "true" : "false";
        break;
    case SK_INT:
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v->i);
        break;
    case SK_UINT:
        snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->u);
        break;
    case SK_FLOAT:
    case SK_NOTJSON:
        yscalar_format_key(tmp, sizeof(tmp), v->f);
        break;
    case SK_STR:
    default:
        k = s;
        break;
    }
    kn = k == s ? n : strlen(k);
    L->klen = kn;
    L->key = ykey_intern(k, kn);
    L->key_const = L->key != NULL;
    if (L->key_const)
        return RFG_OK;
    if (kbuf_reserve(L, kn))
        return RFG_ENOMEM;
    memcpy(L->kbuf, k, kn);
    L->kbuf[kn] = '\0';
    L->key = L->kbuf;
    return RFG_OK;
}

/* The pending key from an anchored scalar node. */
int ykey_set_node(struct yloader *L, const cJSON *node)
{
    struct yscalar v;

    memset(&v, 0, sizeof(v));
    if (cJSON_IsString(node)) {
        return ykey_set(L, &v, node->valuestring,
                        strlen(node->valuestring));
    } else if (cJSON_IsNull(node)) {
        v.kind = SK_NULL;
    } else if (cJSON_IsBool(node)) {
        v.kind = SK_BOOL;
        v.b = cJSON_IsTrue(node);
    } else {
        double d = node->valuedouble;

        if (yscalar_is_int64(d)) {
            v.kind = SK_INT;
            v.i = (int64_t)d;
        } else {
            v.kind = SK_FLOAT;
            v.f = d;
        }
    }
    return ykey_set(L, &v, NULL, 0);
}
