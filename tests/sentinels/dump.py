#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""dump.py - helpers of tests/integration/sentinels_real.sh.

  dump.py make < SPEC > dump.json
      A List like `kubectl get redisfailovers,pods,secrets -A -o json`
      prints, from a spec of lines (blank lines and # comments skipped):
        rf NS NAME REDIS_REPLICAS SENTINEL_REPLICAS [secret=NAME]
           [port=N] [disableMyMaster]
        redis NS FAILOVER INDEX IP
        sentinel NS FAILOVER INDEX IP
        secret NS NAME KEY VALUE
      Pods are Running, labelled as the operator labels them, with
      status.podIP; a redis pod is rfr-FAILOVER-INDEX, a sentinel pod
      rfs-FAILOVER-7d9f8c6b5-INDEX.

  dump.py findings OUT.json
      The findings of `rfguard sentinels -o json`, one a line:
      RULE<TAB>OBJECT<TAB>MESSAGE, sorted.

  dump.py procedure OUT.json NS/NAME
      The "procedure" strings given for failover NS/NAME, one a line
      (wherever the JSON carries them next to that object's name).

Not a test by itself; it knows nothing of Redis.
"""
import base64
import json
import sys


def make(lines):
    items = []
    for raw in lines:
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        kind, args = line[0], line[1:]
        if kind == "rf":
            ns, name, nredis, nsent = args[:4]
            spec = {"redis": {"replicas": int(nredis)},
                    "sentinel": {"replicas": int(nsent)}}
            for opt in args[4:]:
                if opt.startswith("secret="):
                    spec["auth"] = {"secretPath": opt[len("secret="):]}
                elif opt.startswith("port="):
                    spec["redis"]["port"] = int(opt[len("port="):])
                elif opt == "disableMyMaster":
                    spec["sentinel"]["disableMyMaster"] = True
                else:
                    sys.exit("dump.py: unknown rf option: %s" % opt)
            items.append({
                "apiVersion": "databases.spotahome.com/v1",
                "kind": "RedisFailover",
                "metadata": {"name": name, "namespace": ns,
                             "uid": "uid-%s-%s" % (ns, name)},
                "spec": spec})
        elif kind in ("redis", "sentinel"):
            ns, rf, idx, ip = args
            if kind == "redis":
                pod, port = "rfr-%s-%s" % (rf, idx), 6379
            else:
                pod, port = "rfs-%s-7d9f8c6b5-%s" % (rf, idx), 26379
            items.append({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": pod, "namespace": ns,
                    "labels": {
                        "app.kubernetes.io/component": kind,
                        "app.kubernetes.io/managed-by": "redis-operator",
                        "app.kubernetes.io/name": rf,
                        "app.kubernetes.io/part-of": "redis-failover",
                        "redisfailovers.databases.spotahome.com/name": rf}},
                "spec": {"containers": [{
                    "name": kind, "ports": [{"containerPort": port,
                                             "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": ip,
                           "podIPs": [{"ip": ip}]}})
        elif kind == "secret":
            ns, name, key, value = args
            items.append({
                "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": name, "namespace": ns},
                "data": {key: base64.b64encode(value.encode()).decode()}})
        else:
            sys.exit("dump.py: unknown spec line: %s" % raw.strip())
    return {"apiVersion": "v1", "kind": "List", "items": items,
            "metadata": {"resourceVersion": ""}}


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("dump.py: %s: %s" % (path, e))


def findings(doc):
    out = []
    for f in doc.get("findings", []):
        msg = " ".join(str(f.get("message", "")).split())
        out.append("%s\t%s\t%s" % (f.get("rule"), f.get("object"), msg))
    return sorted(out)


def procedures(node, obj):
    """Every "procedure" list in a dict that names obj (ns/name)."""
    found = []
    if isinstance(node, dict):
        names = {str(v) for v in node.values() if isinstance(v, str)}
        ns, _, name = obj.partition("/")
        meta = node.get("metadata") if isinstance(node.get("metadata"),
                                                  dict) else {}
        named = (obj in names or
                 (node.get("namespace") == ns and node.get("name") == name) or
                 (meta.get("namespace") == ns and meta.get("name") == name))
        if named and isinstance(node.get("procedure"), list):
            found.extend(str(s) for s in node["procedure"])
        for v in node.values():
            found.extend(procedures(v, obj))
    elif isinstance(node, list):
        for v in node:
            found.extend(procedures(v, obj))
    return found


def main(argv):
    if len(argv) >= 2 and argv[1] == "make":
        json.dump(make(sys.stdin), sys.stdout, indent=1)
        print()
    elif len(argv) == 3 and argv[1] == "findings":
        for line in findings(load(argv[2])):
            print(line)
    elif len(argv) == 4 and argv[1] == "procedure":
        for line in procedures(load(argv[2]), argv[3]):
            print(line)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
