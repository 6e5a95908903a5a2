/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_explain.c - the long form of each rule for `rfguard explain`: why
 * it exists (the failure it prevents and where that is documented), a
 * failing and a passing example, and the fix. Generated once from
 * reference/rules.md and the fixtures in tests/rules/, then kept by hand;
 * test_rules checks that every catalogue rule has an entry.
 */
#include <string.h>

#include "rules.h"

static const struct rule_explain explain[] = {
    {"affinity-drops-default-spread",
     "user affinity replaces the default soft anti-affinity (sourc"
     "e: `generator.go:777-780`)",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      nodeAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "          nodeSelectorTerms:\n"
     "          - matchExpressions:\n"
     "            - key: pool\n"
     "              operator: In\n"
     "              values:\n"
     "              - redis\n",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "`add /spec/redis/affinity/podAntiAffinity {...per-cluster te"
     "rm...}`"},
    {"auth-change",
     "no rotation support; mid-roll masterauth mismatch; sentinel "
     "auth-pass stale (source: #568, #570)",
     "# before:\n"
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n"
     "# after:\n"
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth-2\n",
     "# before:\n"
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n"
     "# after:\n"
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     NULL},
    {"auth-password-charset",
     "value is written unquoted into redis.conf (source: `generato"
     "r.go:228`)",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     NULL},
    {"auth-password-key",
     "missing key: reconcile error + pod CreateContainerConfigErro"
     "r; empty: auth silently off (source: `util.go:25-29`, `gener"
     "ator.go:227,1146`)",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     NULL},
    {"auth-required",
     "without auth any pod/sentinel/operator can attach replicas c"
     "ross-RF (source: #698, `util.go:15-18`)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "    ...\n",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     "– (optionally default to `<name>-redis-auth` then enforce ex"
     "istence)"},
    {"auth-secret-exists",
     "operator stops before creating StatefulSet/Deployment (sourc"
     "e: `svc/client.go:117-120`, `ensurer.go:46-57`)",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     "spec:\n"
     "  auth:\n"
     "    secretPath: cache-auth\n",
     NULL},
    {"auth-secret-unique",
     "identical auth-pass/masterauth lets a stale sentinel or SLAV"
     "EOF reach another RF (source: #550; inferred from how sentinels "
     "adopt replicas they can authenticate to)",
     "spec:\n"
     "  auth:\n"
     "    secretPath: shared-auth\n",
     "spec:\n"
     "  auth:\n"
     "    secretPath: orders-auth\n",
     NULL},
    {"bootstrap-host",
     "operator rejects empty; sentinel MONITOR needs an address (r"
     "esolve-hostnames not configured) (source: `validate.go:19-22"
     "`, F README:466)",
     "spec:\n"
     "  bootstrapNode:\n"
     "    host: ''\n"
     "    port: '6379'\n",
     "spec:\n"
     "  bootstrapNode:\n"
     "    host: 10.0.0.12\n"
     "    port: '6379'\n"
     "    allowSentinels: true\n",
     NULL},
    {"bootstrap-port",
     "field is a string; default ignores spec.redis.port (source: "
     "`validate.go:24-26`)",
     "spec:\n"
     "  bootstrapNode:\n"
     "    port: '70000'\n",
     "spec:\n"
     "  bootstrapNode:\n"
     "    port: '6380'\n",
     "`add /spec/bootstrapNode/port \"6379\"` if empty"},
    {"bootstrap-removed",
     "operator takes over and elects a master (source: #664, `chec"
     "ker.go:87-90`)",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "    ...\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "    ...\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "    ...\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "    ...\n",
     NULL},
    {"bootstrap-sentinels-intermingle",
     "new sentinels monitor the source under the same name and pas"
     "sword → may join the source's sentinel group (source: README"
     ":318 (S) / :480 (F))",
     "spec:\n"
     "  bootstrapNode:\n"
     "    allowSentinels: true\n",
     "spec:\n"
     "  bootstrapNode:\n"
     "    host: 10.0.0.12\n"
     "    port: '6379'\n",
     NULL},
    {"custom-command",
     "otherwise no auth/port/pinger/monitor (source: `generator.go"
     ":1061-1080`, example custom-command.yaml)",
     "spec:\n"
     "  redis:\n"
     "    command:\n"
     "    - redis-server\n"
     "    - --port\n"
     "    - '6379'\n",
     "spec:\n"
     "  redis:\n"
     "    command:\n"
     "    - redis-server\n"
     "    - /redis/redis.conf\n"
     "    - --loglevel\n"
     "    - warning\n",
     NULL},
    {"custom-renames-latent",
     "only redis.conf changes; applies at next pod restart, mixed "
     "state (the operator writes renames to redis.conf only)",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n",
     NULL},
    {"customconfig-forbidden",
     "error loop or operator loses control (source: README:144; #1"
     "75, #197, #198, #505, #172, #233, PR #74)",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - port 6380\n"
     "    - maxmemory-policy allkeys-lru\n"
     "    - replicaof 10.0.0.1 6379\n"
     "    - cluster-enabled yes\n",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - maxmemory-policy allkeys-lru\n",
     "`remove /spec/redis/customConfig/<i>`; `port N` → `replace /"
     "spec/redis/port N`"},
    {"customconfig-format",
     "malformed entry fails every reconcile (source: `redis/client"
     ".go:420-429`)",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - maxmemory-policy\n"
     "    - save  900 1\n",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - maxmemory-policy allkeys-lru\n"
     "    - save \"\"\n",
     NULL},
    {"customconfig-replica-priority",
     "applied after the injected value (dedup is exact-match only)"
     ": 0 everywhere = no failover target; >0 in bootstrap mode ma"
     "kes bootstrap replicas promotable (source: `validate.go:27-3"
     "0`)",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - replica-priority 0\n",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - maxmemory-policy allkeys-lru\n",
     NULL},
    {"disablemymaster-pruned",
     "silently pruned → still `mymaster` (the target CRD has no "
     "disableMyMaster field)",
     "# target: spotahome-v1.3\n"
     "spec:\n"
     "  sentinel:\n"
     "    disableMyMaster: true\n",
     "spec:\n"
     "  sentinel:\n"
     "    disableMyMaster: true\n",
     "remove field + message"},
    {"disablemymaster-toggle",
     "clients must switch master name; live sentinels keep the gro"
     "up seeded from the old ConfigMap until restart while the ope"
     "rator MONITORs the new name (derived from `F generator.go:34"
     "-46`, `F redis/client.go:209-233`) (source: code)",
     "# target: freshworks-v3.3\n"
     "# before:\n"
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: sentinel\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "# after:\n"
     "spec:\n"
     "  sentinel:\n"
     "    disableMyMaster: true\n",
     "# before:\n"
     "spec:\n"
     "  sentinel:\n"
     "    disableMyMaster: true\n"
     "# after:\n"
     "spec:\n"
     "  sentinel:\n"
     "    disableMyMaster: true\n",
     NULL},
    {"engine-image",
     "wrong binaries (source: `F engine_image_hint.go:13-43`)",
     "# target: freshworks-v3.3\n"
     "spec:\n"
     "  redis:\n"
     "    image: redis:7.2.4-alpine\n",
     "spec:\n"
     "  redis:\n"
     "    image: valkey/valkey:7.2.11-alpine\n",
     NULL},
    {"exporter-config-rename",
     "exporter needs CONFIG (source: oliver006/redis_exporter #146"
     ")",
     "spec:\n"
     "  redis:\n"
     "    exporter:\n"
     "      enabled: true\n"
     "      image: oliver006/redis_exporter:v1.43.0\n",
     "spec:\n"
     "  redis:\n"
     "    exporter:\n"
     "      enabled: true\n"
     "      image: oliver006/redis_exporter:v1.43.0\n",
     "`add /spec/redis/exporter/args/- \"--config-command=<to>\"`"},
    {"fw-master-rollout",
     "spec changes not applied / master never updated (source: `F "
     "handler.go:62-69`, `F checker.go:13,63`)",
     "# target: freshworks-v3.3\n"
     "spec:\n"
     "  redis:\n"
     "    disableMasterRollout: true\n",
     "spec:\n"
     "  redis:\n"
     "    disableMasterRollout: false\n",
     NULL},
    {"fw-operator-group",
     "unlabelled RFs are ignored (source: `F factory.go:30,71-75`)",
     "# target: freshworks-v3.3\n"
     "metadata:\n"
     "  name: cache\n"
     "  namespace: shop\n",
     "metadata:\n"
     "  name: cache\n"
     "  namespace: shop\n"
     "  labels:\n"
     "    redis-failover.freshworks.com/operator-group: shop\n",
     "`add /metadata/labels/redis-failover.freshworks.com~1operato"
     "r-group \"<group>\"`"},
    {"fw-skip-reconcile",
     "spec changes not applied / master never updated (source: `F "
     "handler.go:62-69`, `F checker.go:13,63`)",
     "# target: freshworks-v3.3\n"
     "metadata:\n"
     "  annotations:\n"
     "    redis-failover.freshworks.com/skip-reconcile: 'true'\n",
     "metadata:\n"
     "  annotations:\n"
     "    redis-failover.freshworks.com/skip-reconcile: 'false'\n",
     NULL},
    {"hostnetwork",
     "fixed ports 26379/9121/9355 collide per node cluster-wide; "
     "the node IP is shared, so sentinel groups merge more easily "
     "(source: `generator.go:52,592,844-849`, `constants.go:5-6`)",
     "spec:\n"
     "  redis:\n"
     "    hostNetwork: true\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "`add /spec/<kind>/dnsPolicy \"ClusterFirstWithHostNet\"`"},
    {"image-pinned",
     "defaults change with operator version → an operator upgrade "
     "re-rolls every unpinned RF at once; pull policy defaults to "
     "Always (source: `defaults.go:6-8`, `F defaults.go:8`, #550 ("
     "zekena2), `generator.go:1082-1087`)",
     "spec:\n"
     "  redis:\n"
     "    image: redis:latest\n",
     "spec:\n"
     "  redis:\n"
     "    image: redis:7.2.4-alpine\n",
     "`add /spec/redis/image \"<current default>\"` (same for sentin"
     "el/exporter)"},
    {"image-redis-min",
     "redis.conf carries an ACL `user` line; liveness uses `--user"
     "` (source: `generator.go:28,452`)",
     "spec:\n"
     "  redis:\n"
     "    image: redis:5.0.14-alpine\n",
     "spec:\n"
     "  redis:\n"
     "    image: redis:7.2.4-alpine\n",
     NULL},
    {"keep-after-deletion",
     "PVCs are garbage-collected with the RF (source: README:123, "
     "`generator.go:430-433`)",
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "`add /spec/redis/storage/keepAfterDeletion true` (CREATE onl"
     "y)"},
    {"keep-after-deletion-immutable",
     "ownerRef baked into the frozen VCT at create time (source: `"
     "generator.go:430-433`)",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     NULL},
    {"labels-override-operator",
     "RF labels override operator values on every child object (so"
     "urce: `handler.go:113`)",
     "metadata:\n"
     "  labels:\n"
     "    app.kubernetes.io/managed-by: Helm\n",
     "metadata:\n"
     "  labels:\n"
     "    team: shop\n",
     NULL},
    {"labels-volatile",
     "each bump re-rolls all pods and rewrites PDB selectors (sour"
     "ce: `handler.go:88-114`, README:190-209)",
     "metadata:\n"
     "  labels:\n"
     "    helm.sh/chart: cache-1.2.3\n",
     "metadata:\n"
     "  labels:\n"
     "    helm.sh/chart: cache-1.2.3\n",
     "`add /spec/labelWhitelist [...]`"},
    {"labelwhitelist-regex",
     "invalid entries silently skipped (source: `handler.go:97-101"
     "`)",
     "spec:\n"
     "  labelWhitelist:\n"
     "  - ^team$\n"
     "  - ^app(\n",
     "spec:\n"
     "  labelWhitelist:\n"
     "  - ^team$\n"
     "  - ^app\\.kubernetes\\.io/(name|instance)$\n"
     "  - (?i)^env.*?$\n",
     NULL},
    {"master-name-clusterwide-unique",
     "master name = RF name; namespaces do not isolate sentinels ("
     "source: `F README.md:318`, `F master.go:3-9`)",
     "# target: freshworks-v3.3\n"
     "metadata:\n"
     "  name: cache\n",
     "metadata:\n"
     "  name: cache\n",
     NULL},
    {"maxmemory-headroom",
     "F refuses to create the StatefulSet; eviction otherwise. R's"
     " template yields ≈105% of the request (Mi×1.049 written as `"
     "mb`) (source: `F svc/client.go:187-238`, `R redis.yaml:47-57"
     "`)",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - maxmemory-policy allkeys-lru\n"
     "    - maxmemory 500mb\n",
     "spec:\n"
     "  redis:\n"
     "    customConfig:\n"
     "    - maxmemory 400mb\n",
     NULL},
    {"name-charset",
     "CRD names allow dots, but `rfs-/rfr-/rfrm-/rfrs-<n>` Service"
     "s must be DNS-1035 labels; shutdown script env `RFS_<NAME>_S"
     "ERVICE_HOST` (source: `names.go:45-47`, `generator.go:248-25"
     "1`)",
     "metadata:\n"
     "  name: cache.v2\n",
     "metadata:\n"
     "  name: cache\n",
     NULL},
    {"name-length",
     "revision-hash label > 63 → no pods; operator refuses (source"
     ": `validate.go:10-17`, README:115, PR #92)",
     "metadata:\n"
     "  name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     "metadata:\n"
     "  name: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
     NULL},
    {"pdb-disable-noop",
     "existing PDB is never deleted (source: #653, `svc/client.go:"
     "87-112`)",
     "# target: spotahome-v1.2\n"
     "spec:\n"
     "  sentinel:\n"
     "    disablePodDisruptionBudget: true\n",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: sentinel\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     NULL},
    {"pdb-sentinel-from-redis-count",
     "operator bug (source: `svc/client.go:195-198`)",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 5\n",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 3\n",
     "– (`disablePodDisruptionBudget` + own PDB)"},
    {"pdb-single-replica",
     "minAvailable ≥ pod count (1 of 1, or 2 of 1 for a lone senti"
     "nel) blocks node drains (source: #628)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 1\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 1\n",
     "`add /spec/<kind>/disablePodDisruptionBudget true` (target ≥"
     "1.3.0-rc1)"},
    {"port-change",
     "OnDelete roll leaves master and replicas on different ports;"
     " sentinel monitor flips (source: `generator.go:23-24`, `heal"
     ".go:206-229`)",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    port: 6380\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    port: 6380\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    port: 6380\n",
     NULL},
    {"pvc-name",
     "name is used as the volume mount name (source: `generator.go"
     ":1050-1059`)",
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "`add /spec/redis/storage/persistentVolumeClaim/metadata/name"
     " \"redis-data\"`"},
    {"redis-port-unique",
     "S's only name-independent isolation lever; hostNetwork share"
     "s node IPs (source: #550 (samof76))",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: orders\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: orders\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "`add /spec/redis/port <free port from configured pool>`"},
    {"redis-replicas-ha",
     "no failover target (source: `checker.go:121-131`; `R redis.y"
     "aml:4-5`)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 1\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n",
     NULL},
    {"redis-spread-selector-scope",
     "a selector on component/part-of only counts every RF's pods "
     "in the namespace; upstream example does exactly that (source"
     ": `S example/redisfailover/topology-spread-contraints.yaml:1"
     "5-26`)",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "`add .../labelSelector/matchLabels/app.kubernetes.io~1name \""
     "<rf>\"`"},
    {"rename-duplicate",
     "Redis refuses to start (\"No such command in rename-command\")"
     " (source: helm/charts #18825)",
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n"
     "    - from: flushall\n"
     "      to: ''\n"
     "    - from: FLUSHEVERYTHING\n"
     "      to: ''\n",
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n"
     "    - from: FLUSHDB\n"
     "      to: X9FLUSHDB\n",
     NULL},
    {"rename-injection",
     "values are templated inside quotes without escaping → config"
     " injection / FATAL unbalanced quotes (source: #716, `generat"
     "or.go:29-31`)",
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: a\" \"b\n"
     "    - from: ''\n"
     "      to: x\n",
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: x9-FLUSH.all\n"
     "    - from: KEYS\n"
     "      to: ''\n",
     NULL},
    {"rename-operator-commands",
     "operator uses INFO/SLAVEOF/CONFIG SET, probes use INFO/PING,"
     " shutdown uses SAVE; Sentinel failover needs SLAVEOF/REPLICA"
     "OF, CONFIG REWRITE, CLIENT KILL, MULTI/EXEC, pub/sub and no "
     "`sentinel rename-command` is configured (source: `redis/clie"
     "nt.go`, `generator.go:251-321`; redis/redis #5589)",
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n"
     "    - from: config\n"
     "      to: X9CONFIG\n",
     "spec:\n"
     "  redis:\n"
     "    customCommandRenames:\n"
     "    - from: FLUSHALL\n"
     "      to: X9FLUSHALL\n",
     "remove entry"},
    {"replicas-zero",
     "silently becomes 3, not scale-to-zero (source: `validate.go:"
     "40-50`)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 0\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n",
     NULL},
    {"reserved-names",
     "invalid pod spec (source: `generator.go:21,39-43,386,552-565"
     ",855-1025`)",
     "spec:\n"
     "  redis:\n"
     "    extraVolumes:\n"
     "    - name: redis-data\n"
     "      emptyDir: {}\n",
     "spec:\n"
     "  redis:\n"
     "    extraVolumes:\n"
     "    - name: tls\n"
     "      secret:\n"
     "        secretName: cache-tls\n",
     NULL},
    {"resources-set",
     "scheduling/OOM (source: `R redis.yaml:64-67`)",
     "spec:\n"
     "  redis:\n"
     "    resources:\n"
     "      requests:\n"
     "        cpu: 100m\n",
     "spec:\n"
     "  redis:\n"
     "    resources:\n"
     "      requests:\n"
     "        cpu: 100m\n"
     "        memory: 512Mi\n"
     "      limits:\n"
     "        memory: 512Mi\n",
     NULL},
    {"scale-down-master",
     "the StatefulSet removes the highest ordinals first: a scale-down "
     "that reaches the master's ordinal kills the master",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 5\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n",
     NULL},
    {"schema-enum",
     "The API server rejects a value outside the enum (freshworks "
     "spec.engine is Redis or Valkey). (source: Kubernetes CRD val"
     "idation)",
     "# target: freshworks-v3.3\n"
     "spec:\n"
     "  engine: KeyDB\n",
     "spec:\n"
     "  engine: Valkey\n",
     "Use one of the listed values."},
    {"schema-required",
     "The API server rejects an object that lacks a required field"
     ", e.g. a container without a name in extraContainers. (sourc"
     "e: Kubernetes CRD validation)",
     "spec:\n"
     "  redis:\n"
     "    extraContainers:\n"
     "    - image: busybox:1.36\n",
     "spec:\n"
     "  redis:\n"
     "    extraContainers:\n"
     "    - name: sidecar\n"
     "      image: busybox:1.36\n",
     "Add the field."},
    {"schema-type",
     "The API server rejects values of the wrong type (a quoted nu"
     "mber, a fractional cpu in an int-or-string field, a malforme"
     "d quantity): the apply fails. (source: Kubernetes CRD valida"
     "tion)",
     "spec:\n"
     "  redis:\n"
     "    port: '6380'\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "    resources:\n"
     "      requests:\n"
     "        cpu: 500m\n"
     "        memory: 1Gi\n",
     "Write the value with the type the CRD wants."},
    {"schema-unknown-field",
     "The API server prunes fields its CRD does not know, silently"
     " (structural schema): a typo or a field of a newer operator "
     "never reaches the operator, so the setting you wrote is not "
     "the one that runs. (source: Kubernetes CRD field pruning)",
     "spec:\n"
     "  redis:\n"
     "    replica: 3\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "Fix the name (the finding suggests the nearest field), or ta"
     "rget the operator version that has the field."},
    {"sentinel-customconfig-forbidden",
     "operator owns auth/quorum; multi-arg options are passed as o"
     "ne argument; scripts need files (source: `redis/client.go:23"
     "3-247,409-418`)",
     "spec:\n"
     "  sentinel:\n"
     "    customConfig:\n"
     "    - down-after-milliseconds 5000\n"
     "    - failover-timeout 10000\n"
     "    - quorum 1\n"
     "    - notification-script /x.sh\n",
     "spec:\n"
     "  sentinel:\n"
     "    customConfig:\n"
     "    - down-after-milliseconds 5000\n"
     "    - failover-timeout 10000\n",
     "remove"},
    {"sentinel-customconfig-partial",
     "user list replaces the defaults; the ConfigMap seeds 1000 ms"
     " / 3000 ms → hair-trigger failovers (source: `validate.go:60"
     "-62`, `generator.go:34-37`)",
     "spec:\n"
     "  sentinel:\n"
     "    customConfig:\n"
     "    - parallel-syncs 1\n",
     "spec:\n"
     "  sentinel:\n"
     "    customConfig:\n"
     "    - down-after-milliseconds 5000\n"
     "    - failover-timeout 10000\n"
     "    - parallel-syncs 1\n",
     "`add /spec/sentinel/customConfig/- \"down-after-milliseconds "
     "5000\"` (and `failover-timeout 10000`)"},
    {"sentinel-identity-shared",
     "cross-RF sentinel merge, wrong-master replication, data loss"
     " (source: #550, #297, #698; `redis/client.go:58`)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: orders\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: orders\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "F: `add /spec/sentinel/disableMyMaster true`"},
    {"sentinel-no-auth",
     "sentinels accept unauthenticated clients; add a NetworkPolic"
     "y (source: #302)",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: sentinel\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: sentinel\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     NULL},
    {"sentinel-replicas",
     "quorum n/2+1: 2 sentinels tolerate 0 losses, 4 tolerate 1 li"
     "ke 3 (source: `generator.go:851-853`; redis.io sentinel docs"
     ")",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 2\n",
     "spec:\n"
     "  sentinel:\n"
     "    replicas: 3\n",
     "`replace /spec/sentinel/replicas 3` when 1–2 (policy)"},
    {"sentinel-spread-selector-scope",
     "same (source: same file `:29-41`)",
     "spec:\n"
     "  sentinel:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/component: sentinel\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  sentinel:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: sentinel\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "same"},
    {"skip-annotation",
     "An exemption is a hole in the checks, so it is governed. It needs "
     "rfguard.io/skip-reason of at least 10 characters (not counting "
     "spaces) that a reviewer can check; without one nothing is skipped "
     "and this rule denies. A misspelt rule id exempts nothing while "
     "looking as if it did, so it is named. Anyone who can write the "
     "object can skip a warn rule; a deny rule (its severity under the "
     "policy in force) is skipped only where the policy's spec.skips "
     "lists it, and only in the namespaces and for the users or groups "
     "(the admission request's userInfo) it names. Otherwise the rule is "
     "checked as usual, so its finding still denies, and this rule warns "
     "why the skip is not honoured: not allowed by the policy, not in an "
     "allowed namespace, or not an allowed user. rfguard lint has no "
     "user: a skip the policy limits to users or groups is not honoured "
     "there, though admission may honour it. The webhook logs every skip "
     "it honours (rule, user, reason) and counts it in "
     "rfguard_skips_total. (source: rfguard policy)",
     "metadata:\n"
     "  annotations:\n"
     "    rfguard.io/skip: redis-replicas-ha, auth-required\n"
     "    rfguard.io/skip-reason: ok\n",
     "metadata:\n"
     "  annotations:\n"
     "    rfguard.io/skip: redis-replicas-ha\n"
     "    rfguard.io/skip-reason: cache only, rebuilt from the DB nightly\n",
     "Give a reason of at least 10 characters and use the ids of "
     "`rfguard rules`. For a deny rule, fix what it reports, or have a "
     "cluster admin allow the skip in the policy:\n"
     "  spec:\n"
     "    skips:\n"
     "      - denyRules: [auth-required]\n"
     "        namespaces: [dev-*]        # optional\n"
     "        groups: [platform-admins]  # optional, with users"},
    {"spread-missing",
     "default is soft only; all redis pods may land on one node (s"
     "ource: `generator.go:782-797`, #403)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    topologySpreadConstraints:\n"
     "    - maxSkew: 1\n"
     "      topologyKey: topology.kubernetes.io/zone\n"
     "      whenUnsatisfiable: ScheduleAnyway\n"
     "      labelSelector:\n"
     "        matchLabels:\n"
     "          app.kubernetes.io/name: cache\n"
     "          app.kubernetes.io/component: redis\n"
     "          app.kubernetes.io/part-of: redis-failover\n",
     "`add /spec/<redis|sentinel>/affinity/podAntiAffinity` (preferred "
     "per node, weight 100; `mode: required` makes it required) and "
     "`add .../topologySpreadConstraints` (zones, ScheduleAnyway), both "
     "pinned to this failover's pods; on UPDATE only with the policy's "
     "podTemplateMutations: always, as it restarts every pod"},
    {"spread-namespace-selector",
     "same-named RFs in other namespaces counted (source: k8s sema"
     "ntics)",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          namespaceSelector: {}\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     NULL},
    {"spread-selector-no-match",
     "a non-matching selector makes the rule a no-op (source: `S e"
     "xample/redisfailover/pod-anti-affinity.yaml:10-21`)",
     "spec:\n"
     "  redis:\n"
     "    topologySpreadConstraints:\n"
     "    - maxSkew: 1\n"
     "      topologyKey: topology.kubernetes.io/zone\n"
     "      whenUnsatisfiable: ScheduleAnyway\n"
     "      labelSelector:\n"
     "        matchLabels:\n"
     "          app.kubernetes.io/name: cache\n"
     "          app.kubernetes.io/component: redis\n"
     "          app.kubernetes.io/part-of: redis-failover\n"
     "          security: us-west-1\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "replace topologyKey with `topology.kubernetes.io/zone`"},
    {"spread-selector-role",
     "label flips at runtime; default affinity already skips the m"
     "aster (source: `generator.go:343,777-798`)",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "              redisfailovers-role: slave\n",
     "spec:\n"
     "  redis:\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "`remove` that key"},
    {"storage-both",
     "PVC wins silently (source: `generator.go:1030-1039`)",
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      emptyDir:\n"
     "        medium: Memory\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "remove emptyDir"},
    {"storage-ephemeral",
     "data lost if all pods restart together (source: #403)",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n",
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "    storage:\n"
     "      keepAfterDeletion: true\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "    ...\n",
     NULL},
    {"storage-kind-immutable",
     "< v1.2.4: API rejects the StatefulSet update, reconcile loop"
     "s (#79, #278, #337); ≥ v1.2.4: stored VCTs re-applied, so th"
     "e change is ignored or the mount name no longer matches a VC"
     "T (update/pod creation fails) (source: `statefulset.go:172`)",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    replicas: 3\n"
     "    affinity:\n"
     "      podAntiAffinity:\n"
     "        requiredDuringSchedulingIgnoredDuringExecution:\n"
     "        - topologyKey: kubernetes.io/hostname\n"
     "          labelSelector:\n"
     "            matchLabels:\n"
     "              app.kubernetes.io/name: cache\n"
     "              app.kubernetes.io/component: redis\n"
     "              app.kubernetes.io/part-of: redis-failover\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n",
     NULL},
    {"storage-size",
     "shrink rejected by API; grow patches PVCs and needs `allowVo"
     "lumeExpansion` (source: `statefulset.go:113-169`, #638)",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 5Gi\n",
     "# before:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10Gi\n"
     "# after:\n"
     "spec:\n"
     "  redis:\n"
     "    storage:\n"
     "      persistentVolumeClaim:\n"
     "        metadata:\n"
     "          name: redis-data\n"
     "        spec:\n"
     "          accessModes:\n"
     "          - ReadWriteOnce\n"
     "          resources:\n"
     "            requests:\n"
     "              storage: 10240Mi\n",
     NULL},
};

const struct rule_explain *rules_explain(const char *id)
{
    size_t i;

    for (i = 0; i < sizeof(explain) / sizeof(explain[0]); i++)
        if (!strcmp(explain[i].id, id))
            return &explain[i];
    return NULL;
}
