#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# rftool.py - helpers for the cluster tests (tests/integration/cluster*.sh):
# build RedisFailover and Secret objects and AdmissionReview requests, talk
# to kapi.py's control port, and send reviews to `rfguard serve` over
# HTTPS. Loopback only; standard library only.
#
#   rftool.py rf NS NAME [--secret S] [--port N] [--mymaster]   -> JSON
#   rftool.py rr NS NAME [--secret S] [--typo]                 -> JSON
#       an OpsTree RedisReplication with an embedded sentinel (a password
#       from Secret S, key "password"; --typo: a misspelt spec field)
#   rftool.py secret NS NAME PASSWORD                          -> JSON
#   rftool.py netpol NS NAME RF [--open]                       -> JSON
#       a NetworkPolicy selecting the sentinel pods of failover RF that
#       admits only the failovers' own pods to 26379 (--open: every source)
#   rftool.py ctl CPORT PATH [JSON|@FILE|-]                    -> reply
#   rftool.py validate PORT CA NS NAME [--secret S] [--dry-run]
#             [--port N] [--mymaster] [--op CREATE] [--rules R1,R2]
#             [--kind rr] [--typo] [--mutate]
#       prints "allowed", "allowed warnings=..." or "denied: message",
#       about the cluster rules (CLUSTER_RULES) or the rules of --rules;
#       --kind rr sends a RedisReplication (see rr) instead; --mutate asks
#       /mutate and prints "patch=[...]" (the JSON Patch) or "no patch"
#   rftool.py wait-ready PORT CA SECONDS                       -> exit 0/1
import argparse
import json
import ssl
import sys
import time
import urllib.error
import urllib.request
import uuid


def rf(ns, name, secret=None, port=None, mymaster=False):
    spec = {"sentinel": {"replicas": 3}, "redis": {"replicas": 3}}
    if not mymaster:
        spec["sentinel"]["disableMyMaster"] = True
    if port:
        spec["redis"]["port"] = port
    if secret:
        spec["auth"] = {"secretPath": secret}
    # the operator-group label keeps the Freshworks v3.3.3+ rule quiet
    return {"apiVersion": "databases.spotahome.com/v1",
            "kind": "RedisFailover",
            "metadata": {"name": name, "namespace": ns, "labels": {
                "redis-failover.freshworks.com/operator-group": "default"}},
            "spec": spec}


def rr(ns, name, secret=None, typo=False):
    spec = {"clusterSize": 3,
            "kubernetesConfig": {"image": "quay.io/opstree/redis:v7.0.15"},
            "sentinel": {"size": 3,
                         "image": "quay.io/opstree/redis-sentinel:v7.0.15"}}
    if secret:
        spec["kubernetesConfig"]["redisSecret"] = {"name": secret,
                                                   "key": "password"}
    if typo:
        spec["clustreSize"] = 3
    return {"apiVersion": "redis.redis.opstreelabs.in/v1beta2",
            "kind": "RedisReplication",
            "metadata": {"name": name, "namespace": ns},
            "spec": spec}


PLURAL = {"RedisFailover": "redisfailovers",
          "RedisReplication": "redisreplications",
          "RedisSentinel": "redissentinels"}


def secret(ns, name, password):
    import base64
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": ns},
            "data": {"password":
                     base64.b64encode(password.encode()).decode()}}


def netpol(ns, name, rf_name, open_port=False):
    peer = {"namespaceSelector": {}} if open_port else \
        {"podSelector": {"matchLabels": {
            "app.kubernetes.io/part-of": "redis-failover"}}}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"podSelector": {"matchLabels": {
                        "app.kubernetes.io/name": rf_name,
                        "app.kubernetes.io/component": "sentinel"}},
                     "policyTypes": ["Ingress"],
                     "ingress": [{"from": [peer],
                                  "ports": [{"port": 26379}]}]}}


def review(obj, op="CREATE", dry_run=False):
    md = obj["metadata"]
    group, version = obj["apiVersion"].split("/")
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {
                "uid": str(uuid.uuid4()),
                "kind": {"group": group, "version": version,
                         "kind": obj["kind"]},
                "resource": {"group": group, "version": version,
                             "resource": PLURAL[obj["kind"]]},
                "name": md["name"], "namespace": md["namespace"],
                "operation": op,
                "userInfo": {"username": "tester"},
                "object": obj, "oldObject": obj if op == "UPDATE" else None,
                "dryRun": dry_run}}


# Socket timeouts only catch a hang: the tests never time a request.
HANG_S = 180


def https_post(port, ca, path, body, timeout=HANG_S):
    ctx = ssl.create_default_context(cafile=ca)
    req = urllib.request.Request(
        "https://localhost:%d%s" % (port, path), data=body,
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, context=ctx, timeout=timeout) as r:
        return json.loads(r.read())


# The rules that consult the cluster view: the tests look at these only,
# so rules added later (placement, images...) do not change their result.
CLUSTER_RULES = ("sentinel-identity-shared", "master-name-clusterwide-unique",
                 "redis-port-unique", "auth-secret-exists",
                 "auth-password-key", "auth-password-charset",
                 "auth-secret-unique")


def ours(item):
    return any(item.startswith("[%s] " % r) for r in CLUSTER_RULES)


def only(rules):
    """Report on `rules` (a list of rule ids) instead of CLUSTER_RULES."""
    global CLUSTER_RULES
    CLUSTER_RULES = tuple(rules)


def verdict(resp):
    """"allowed [warnings=...]", "denied: ..." (cluster rules' denials) or
    "denied-other: ..." (denied by other rules only)."""
    r = resp["response"]
    if r["allowed"]:
        w = [x for x in r.get("warnings") or [] if ours(x)]
        return "allowed" + (" warnings=" + " | ".join(w) if w else "")
    msg = r.get("status", {}).get("message", "")
    body = msg.split(": ", 1)[1] if msg.startswith("rfguard denied") else msg
    items = ["[" + x if i else x for i, x in enumerate(body.split("; ["))]
    mine = [x for x in items if ours(x)]
    if mine:
        return "denied: " + "; ".join(mine)
    return "denied-other: " + msg


CTL_GETS = ("/stats", "/leases", "/calls")


def ctl(cport, path, data=None):
    body = data.encode() if data is not None else b"{}"
    get = path in CTL_GETS
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (cport, path),
                                 data=None if get else body,
                                 method="GET" if get else "POST")
    with urllib.request.urlopen(req, timeout=HANG_S) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("rr")
    p.add_argument("ns")
    p.add_argument("name")
    p.add_argument("--secret")
    p.add_argument("--typo", action="store_true")
    for name in ("rf", "validate"):
        p = sub.add_parser(name)
        if name == "validate":
            p.add_argument("sport", type=int)
            p.add_argument("ca")
        p.add_argument("ns")
        p.add_argument("name")
        p.add_argument("--secret")
        p.add_argument("--port", type=int)
        p.add_argument("--mymaster", action="store_true")
        p.add_argument("--dry-run", action="store_true")
        p.add_argument("--op", default="CREATE")
        p.add_argument("--rules")
        if name == "validate":
            p.add_argument("--kind", choices=("rf", "rr"), default="rf")
            p.add_argument("--typo", action="store_true")
            p.add_argument("--mutate", action="store_true")
    p = sub.add_parser("secret")
    p.add_argument("ns")
    p.add_argument("name")
    p.add_argument("password")
    p = sub.add_parser("netpol")
    p.add_argument("ns")
    p.add_argument("name")
    p.add_argument("rf")
    p.add_argument("--open", action="store_true")
    p = sub.add_parser("ctl")
    p.add_argument("cport", type=int)
    p.add_argument("path")
    p.add_argument("data", nargs="?")
    p = sub.add_parser("wait-ready")
    p.add_argument("sport", type=int)
    p.add_argument("ca")
    p.add_argument("seconds", type=float)
    a = ap.parse_args()

    if a.cmd == "rf":
        print(json.dumps(rf(a.ns, a.name, a.secret, a.port, a.mymaster)))
    elif a.cmd == "rr":
        print(json.dumps(rr(a.ns, a.name, a.secret, a.typo)))
    elif a.cmd == "secret":
        print(json.dumps(secret(a.ns, a.name, a.password)))
    elif a.cmd == "netpol":
        print(json.dumps(netpol(a.ns, a.name, a.rf, a.open)))
    elif a.cmd == "ctl":
        data = a.data
        if data == "-":
            data = sys.stdin.read()
        elif data and data.startswith("@"):
            data = open(data[1:]).read()
        print(ctl(a.cport, a.path, data))
    elif a.cmd == "validate":
        if a.rules:
            only(a.rules.split(","))
        if a.kind == "rr":
            obj = rr(a.ns, a.name, a.secret, a.typo)
        else:
            obj = rf(a.ns, a.name, a.secret, a.port, a.mymaster)
        body = json.dumps(review(obj, a.op, a.dry_run)).encode()
        if a.mutate:
            r = https_post(a.sport, a.ca, "/mutate", body)["response"]
            if r.get("patch"):
                import base64
                print("patch=" + base64.b64decode(r["patch"]).decode())
            else:
                print("no patch")
        else:
            print(verdict(https_post(a.sport, a.ca, "/validate", body)))
    elif a.cmd == "wait-ready":
        ctx = ssl.create_default_context(cafile=a.ca)
        end = time.time() + a.seconds
        while time.time() < end:
            try:
                with urllib.request.urlopen(
                        "https://localhost:%d/readyz" % a.sport,
                        context=ctx, timeout=2) as r:
                    if r.status == 200:
                        return 0
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
