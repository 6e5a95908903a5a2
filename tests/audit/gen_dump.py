#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# gen_dump.py - writes dump.json (no argument) or dump-fixed.json ("fixed")
# to stdout: python3 gen_dump.py > dump.json; python3 gen_dump.py fixed >
# dump-fixed.json. The README says what the cluster holds.
import base64, copy, json, sys
PW = "Known-Pa55word-4-audit-tests"
def b64(s): return base64.b64encode(s.encode()).decode()
n = [0]
def md(ns, name, labels=None):
    n[0] += 1
    m = {"name": name, "namespace": ns, "resourceVersion": str(1000 + n[0]),
         "uid": "00000000-0000-4000-8000-%012d" % n[0],
         "creationTimestamp": "2026-01-01T00:00:00Z"}
    if labels: m["labels"] = labels
    return m
def aff(name, comp):
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {
            "app.kubernetes.io/name": name, "app.kubernetes.io/component": comp,
            "app.kubernetes.io/part-of": "redis-failover"}}}]}}
def plain(ns, name, labels, auth=None):
    o = {"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
         "metadata": md(ns, name, labels),
         "spec": {"sentinel": {"replicas": 3}, "redis": {"replicas": 3}}}
    if auth: o["spec"]["auth"] = {"secretPath": auth}
    return o
def secret(ns, name, pw):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": md(ns, name),
            "type": "Opaque", "data": {"password": b64(pw)}}
def clean(ns, name, sec, pw, port):
    rf = {"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
          "metadata": md(ns, name, {"tier": "backend", "app": name}),
          "spec": {"auth": {"secretPath": sec},
            "sentinel": {"replicas": 3, "image": "redis:7.2.4-alpine",
                         "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                         "affinity": aff(name, "sentinel")},
            "redis": {"replicas": 3, "image": "redis:7.2.4-alpine", "port": port,
                      "resources": {"requests": {"cpu": "200m", "memory": "1Gi"},
                                    "limits": {"memory": "1Gi"}},
                      "storage": {"keepAfterDeletion": True, "persistentVolumeClaim": {
                          "metadata": {"name": "redis-data"},
                          "spec": {"accessModes": ["ReadWriteOnce"],
                                   "resources": {"requests": {"storage": "10Gi"}}}}},
                      "affinity": aff(name, "redis"),
                      "topologySpreadConstraints": [{"maxSkew": 1,
                          "topologyKey": "topology.kubernetes.io/zone",
                          "whenUnsatisfiable": "ScheduleAnyway",
                          "labelSelector": {"matchLabels": {
                              "app.kubernetes.io/name": name,
                              "app.kubernetes.io/component": "redis",
                              "app.kubernetes.io/part-of": "redis-failover"}}}]}}}
    np = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
          "metadata": md(ns, name + "-sentinel"),
          "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name,
                                                   "app.kubernetes.io/component": "sentinel"}},
                   "policyTypes": ["Ingress"],
                   "ingress": [{"from": [{"podSelector": {"matchLabels": {
                       "app.kubernetes.io/part-of": "redis-failover"}}}],
                       "ports": [{"port": 26379}]}]}}
    return [secret(ns, sec, pw), rf, np]
fixed = len(sys.argv) > 1 and sys.argv[1] == "fixed"
items = []
items.append(plain("team-a", "cache", {"tier": "frontend", "app": "cache"}))
items.append(plain("team-b", "sessions", {"tier": "frontend", "app": "sessions"}))
items.append(plain("team-c", "orders", {"tier": "backend", "app": "orders"}, "orders-auth"))
items.append(plain("team-c", "payments", {"tier": "backend", "app": "payments"}, "payments-auth"))
items.append(secret("team-c", "orders-auth", PW))
items.append(secret("team-c", "payments-auth", PW if not fixed else "an0ther-Pa55word-only-4-payments"))
items += clean("shop", "sidekiq", "sidekiq-auth", "6f1c2b9e4d7a8350c1e2f3a4b5c6d7e8", 6391)
items.append(plain("team-e", "ghost", {"tier": "backend", "app": "ghost"}, "ghost-auth"))
if fixed:
    # team-a/cache gets the clean shape
    items = [i for i in items if not (i["metadata"]["name"] == "cache")]
    c = clean("team-a", "cache", "cache-auth", "d41d8cd98f00b204e9800998ecf8427e", 6392)
    c[1]["metadata"]["uid"] = "00000000-0000-4000-8000-000000000001"
    items += c
print(json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                  "items": items}, indent=4))
