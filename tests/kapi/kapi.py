#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# kapi.py - a small stand-in for kube-apiserver, for rfguard's cluster
# tests. It serves exactly the endpoints rfguard uses, over HTTPS, with the
# real API's semantics and response shapes:
#   - list RedisFailovers, OpsTree RedisSentinels and RedisReplications
#     (redis.redis.opstreelabs.in/v1beta2), Secrets, NetworkPolicies and
#     Pods (all namespaces; labelSelector k=v terms)
#     and CustomResourceDefinitions with metadata.resourceVersion,
#     limit/continue paging, fieldSelectors on `type`, metadata.name and
#     metadata.namespace, and built-in-type list items without
#     kind/apiVersion (as the real server sends them);
#   - watch with ?watch=1&resourceVersion=&allowWatchBookmarks=&
#     timeoutSeconds= as a chunked stream of one JSON event per line:
#     ADDED, MODIFIED, DELETED, BOOKMARK, and ERROR with a 410 Expired
#     Status when the resourceVersion is older than the last compaction;
#   - the redisfailovers CRD as a stored object (get, list, watch): the
#     Spotahome or Freshworks flavour's, or the CRD a test set with POST
#     /set {"crd": {...}} (null goes back to the flavour's); each change
#     is a MODIFIED event, and flavour "none" deletes it (DELETED);
#   - Leases (coordination.k8s.io/v1) in one namespace: create (201, or
#     409 AlreadyExists Status), get (404 NotFound Status), list with a
#     labelSelector, update (PUT; 409 Conflict when metadata.
#     resourceVersion is not the current one), delete with resourceVersion
#     preconditions (409);
#   - PolicyReports (wgpolicyk8s.io/v1alpha2, namespaced): get, list
#     (one namespace or all, with a labelSelector), create (POST),
#     delete, and server-side apply: PATCH .../policyreports/NAME with
#     Content-Type application/apply-patch+yaml (a JSON body; others are
#     415) and ?fieldManager= (required, 422 without), which creates or
#     replaces the object (201/200) and keeps metadata.uid and
#     creationTimestamp, as a simplified apply; ?dryRun=All stores
#     nothing. POST /set {"policyreports": false} removes the resource
#     (and its objects), as when the CRD is not installed: every
#     policyreports path then answers 404 like an unknown resource;
#     true brings it back, empty; POST /set {"opstree": false} does the
#     same for redissentinels and redisreplications (the OpsTree CRDs);
#     {"unserved": ["redisfailovers", ...]} answers 404 on those
#     resources (their objects stay), [] serves them again;
#   - bearer-token auth (401 Status) and per-resource refusals (403).
# A plain-HTTP control server on loopback lets a test add, change and
# delete objects, compact the event log, drop watch connections, slow or
# hang the server, refuse connections ("down"), rotate the token and read
# counters. With --state FILE the objects survive a restart on the same
# port (the "API server went away and came back" case).
#
# Per-call delays and the call log (for tests that judge what a client
# asked, not how long it took):
#   POST /set {"delays": [{"method": "POST", "resource": "leases",
#              "before_ms": 0, "after_ms": 3000, "times": 1}]}
#     before_ms: the server is slow to act on a matching call; after_ms:
#     it acts at once (the Lease exists) but its answer is late. Method,
#     resource and verb (create, get, list, watch, update, delete) match
#     when given; "times" makes a rule apply to that many calls only.
#     An empty list removes every rule.
#   GET /calls: every API call so far, oldest first: {"n", "method",
#     "verb", "resource", "namespace", "name", "status", "before_ms",
#     "after_ms"}, and for an apply "field_manager", "force" and
#     "content_type"; POST /calls/reset forgets them.
#   GET /policyreports: the stored PolicyReports (all namespaces).
#
# Usage: kapi.py --cert C --key K [--port N] [--token T] [--portfile F]
#                [--state F] [--bookmark-interval S] [--flavor F]
# Writes {"port":N,"control":M} to --portfile once listening.
import argparse
import base64
import copy
import json
import os
import socket
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

RF_GROUP = "databases.spotahome.com"
OT_GROUP = "redis.redis.opstreelabs.in"
OT_RESOURCES = ("redissentinels", "redisreplications")
RESOURCES = {
    # resource key: (list kind, apiVersion, kind, items carry kind?)
    "redisfailovers": ("RedisFailoverList", RF_GROUP + "/v1",
                       "RedisFailover", True),
    "redissentinels": ("RedisSentinelList", OT_GROUP + "/v1beta2",
                       "RedisSentinel", True),
    "redisreplications": ("RedisReplicationList", OT_GROUP + "/v1beta2",
                          "RedisReplication", True),
    "secrets": ("SecretList", "v1", "Secret", False),
    "pods": ("PodList", "v1", "Pod", False),
    "leases": ("LeaseList", "coordination.k8s.io/v1", "Lease", False),
    "customresourcedefinitions": ("CustomResourceDefinitionList",
                                  "apiextensions.k8s.io/v1",
                                  "CustomResourceDefinition", False),
    "networkpolicies": ("NetworkPolicyList", "networking.k8s.io/v1",
                        "NetworkPolicy", False),
    "policyreports": ("PolicyReportList", "wgpolicyk8s.io/v1alpha2",
                      "PolicyReport", True),
}
GROUPS = ((RF_GROUP, "v1"), (OT_GROUP, "v1beta2"),
          ("coordination.k8s.io", "v1"),
          ("apiextensions.k8s.io", "v1"), ("networking.k8s.io", "v1"),
          ("wgpolicyk8s.io", "v1alpha2"))
# what POST (create) and DELETE serve; PATCH is apply on policyreports
WRITABLE = ("leases", "policyreports")
APPLY_TYPE = "application/apply-patch+yaml"
GROUP_OF = {"leases": "coordination.k8s.io", "policyreports":
            "wgpolicyk8s.io"}
CRD_NAME = "redisfailovers." + RF_GROUP
KIND_TO_RES = {v[2]: k for k, v in RESOURCES.items()}


def status(code, reason, message, details=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {},
          "status": "Failure", "message": message, "reason": reason,
          "code": code}
    if details:
        st["details"] = details
    return st


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    """Objects, the resourceVersion counter and per-resource event logs."""

    def __init__(self, state_file):
        self.cond = threading.Condition()
        self.rv = 1000
        self.objs = {r: {} for r in RESOURCES}      # (ns, name) -> obj
        self.events = {r: [] for r in RESOURCES}    # (rv, type, obj)
        self.compacted = {r: 0 for r in RESOURCES}
        self.state_file = state_file
        self.watches = set()                        # live handler sockets
        self.stats = {"list": {r: 0 for r in RESOURCES},
                      "watch": {r: 0 for r in RESOURCES},
                      "expired": 0, "requests": 0, "unauthorized": 0,
                      "forbidden": 0, "dropped": 0, "lease_creates": 0,
                      "lease_updates": 0, "lease_deletes": 0}
        if state_file and os.path.exists(state_file):
            with open(state_file) as f:
                st = json.load(f)
            self.rv = st["rv"]
            for r, items in st["objs"].items():
                for o in items:
                    md = o["metadata"]
                    self.objs[r][(md.get("namespace", ""), md["name"])] = o
            # events from before the restart are gone: watches resuming
            # from any earlier resourceVersion must relist, as after a
            # compaction while they were away
            self.rv += 1
            for r in RESOURCES:
                self.compacted[r] = self.rv

    def save(self):
        if not self.state_file:
            return
        st = {"rv": self.rv,
              "objs": {r: list(d.values()) for r, d in self.objs.items()}}
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f)
        os.replace(tmp, self.state_file)

    def put(self, res, obj, silent=False, create_only=False):
        """Create or replace; returns (obj, created) or None on conflict."""
        with self.cond:
            md = obj.setdefault("metadata", {})
            key = (md.get("namespace", ""), md["name"])
            old = self.objs[res].get(key)
            if old is not None and create_only:
                return None, False
            self.rv += 1
            md["resourceVersion"] = str(self.rv)
            if old is None:
                if res == "leases":
                    self.stats["lease_creates"] += 1
                md["uid"] = str(uuid.uuid4())
                md["creationTimestamp"] = now_rfc3339()
            else:
                md["uid"] = old["metadata"]["uid"]
                md["creationTimestamp"] = old["metadata"]["creationTimestamp"]
            apiv, kind = RESOURCES[res][1], RESOURCES[res][2]
            obj["apiVersion"] = apiv
            obj["kind"] = kind
            self.objs[res][key] = obj
            if not silent:
                self.events[res].append(
                    (self.rv, "ADDED" if old is None else "MODIFIED",
                     copy.deepcopy(obj)))
            self.save()
            self.cond.notify_all()
            return obj, old is None

    def replace(self, res, obj, precond_rv=None):
        """Update an existing object (PUT); precond_rv is the
        resourceVersion the client read. -> (obj, "ok"|"notfound"|
        "conflict")."""
        with self.cond:
            md = obj["metadata"]
            old = self.objs[res].get((md.get("namespace", ""), md["name"]))
            if old is None:
                return None, "notfound"
            if precond_rv is not None and \
                    old["metadata"]["resourceVersion"] != precond_rv:
                return old, "conflict"
            if res == "leases":
                self.stats["lease_updates"] += 1
            obj, _ = self.put(res, obj)
            return obj, "ok"

    def delete(self, res, ns, name, precond_rv=None, silent=False):
        with self.cond:
            old = self.objs[res].get((ns, name))
            if old is None:
                return None, "notfound"
            if precond_rv is not None and \
                    old["metadata"]["resourceVersion"] != precond_rv:
                return old, "conflict"
            del self.objs[res][(ns, name)]
            if res == "leases":
                self.stats["lease_deletes"] += 1
            self.rv += 1
            gone = copy.deepcopy(old)
            gone["metadata"]["resourceVersion"] = str(self.rv)
            if not silent:
                self.events[res].append((self.rv, "DELETED", gone))
            self.save()
            self.cond.notify_all()
            return gone, "ok"

    def compact(self):
        """Forget every event: watches from an older resourceVersion now
        get 410 Expired and must relist."""
        with self.cond:
            self.rv += 1
            for r in RESOURCES:
                self.events[r] = []
                self.compacted[r] = self.rv
            self.save()
            self.cond.notify_all()


def field_match(obj, selector):
    """The `type` field selector of Secrets: a=b, a==b, a!=b, comma ANDed."""
    if not selector:
        return True
    for term in selector.split(","):
        if "!=" in term:
            k, v = term.split("!=", 1)
            neg = True
        else:
            k, v = term.replace("==", "=").split("=", 1)
            neg = False
        k = k.strip()
        if k == "type":
            have = obj.get("type", "Opaque")
        elif k == "metadata.name":
            have = obj["metadata"]["name"]
        elif k == "metadata.namespace":
            have = obj["metadata"].get("namespace", "")
        else:
            raise ValueError("field label not supported: " + k)
        if (have == v) == neg:
            return False
    return True


def label_match(obj, selector):
    if not selector:
        return True
    labels = obj["metadata"].get("labels", {})
    for term in selector.split(","):
        k, v = term.replace("==", "=").split("=", 1)
        if labels.get(k) != v:
            return False
    return True


def crd(flavor):
    """The redisfailovers CRD of a flavour: the fields the cluster tests'
    failovers use (rftool.py rf), and disableMyMaster for Freshworks. A
    field it lacks is one the API server prunes, and rfguard says so."""
    def obj(**props):
        return {"type": "object", "properties": props}
    num = {"type": "integer", "format": "int32"}
    text = {"type": "string"}
    sentinel = obj(replicas=num, image=text,
                   customConfig={"type": "array", "items": text})
    if flavor == "freshworks":
        sentinel["properties"]["disableMyMaster"] = {"type": "boolean"}
    redis = obj(replicas=num, port=num, image=text,
                customConfig={"type": "array", "items": text})
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "redisfailovers." + RF_GROUP,
                     "resourceVersion": "1"},
        "spec": {"group": RF_GROUP, "scope": "Namespaced",
                 "names": {"kind": "RedisFailover", "plural":
                           "redisfailovers"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": obj(
                                   apiVersion=text, kind=text,
                                   metadata={"type": "object"},
                                   spec=obj(sentinel=sentinel, redis=redis,
                                            auth=obj(secretPath=text)))}}]}}


def install_crd(st, ctl):
    """Store the CRD the test set, else the flavour's; none: delete it."""
    c = ctl.crd if ctl.crd is not None else \
        (None if ctl.flavor == "none" else crd(ctl.flavor))
    if c is None:
        st.delete("customresourcedefinitions", "", CRD_NAME)
        return
    c = copy.deepcopy(c)
    c.setdefault("metadata", {}).setdefault("name", CRD_NAME)
    c["metadata"].pop("namespace", None)
    st.put("customresourcedefinitions", c)


class Control:
    def __init__(self, args):
        self.token = args.token
        self.forbidden = set()
        self.delay_ms = 0
        self.hang = False
        self.down = False
        self.flavor = args.flavor
        self.crd = None         # a CRD set by the test, served instead
        self.bookmark_interval = args.bookmark_interval
        self.lock = threading.Lock()
        self.delays = []        # per-call delay rules (see the header)
        self.calls = []         # the call log
        self.policyreports = True   # False: the CRD is not installed
        self.opstree = True     # False: the OpsTree CRDs are not installed
        self.unserved = set()   # resources answered 404 (no CRD)

    def match_delay(self, method, res, verb):
        """(before_ms, after_ms) of the first rule matching this call."""
        with self.lock:
            for d in self.delays:
                if d.get("method", method) != method or \
                        d.get("resource", res) != res or \
                        d.get("verb", verb) != verb:
                    continue
                if "times" in d:
                    d["times"] -= 1
                    if d["times"] <= 0:
                        self.delays.remove(d)
                return int(d.get("before_ms", 0)), int(d.get("after_ms", 0))
        return 0, 0

    def log_call(self, entry):
        with self.lock:
            entry["n"] = len(self.calls) + 1
            self.calls.append(entry)


def route(path):
    """-> (resource, namespace or None, name or None) or None."""
    p = [x for x in path.split("/") if x]
    if p[:2] == ["api", "v1"]:
        rest = p[2:]
    elif len(p) >= 3 and p[0] == "apis" and \
            (p[1], p[2]) in GROUPS:
        rest = p[3:]
    else:
        return None
    ns = None
    if len(rest) >= 2 and rest[0] == "namespaces":
        ns = rest[1]
        rest = rest[2:]
    if not rest or rest[0] not in RESOURCES:
        return None
    res = rest[0]
    name = rest[1] if len(rest) > 1 else None
    if len(rest) > 2:
        return None
    return res, ns, name


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kapi"

    def parse_request(self):
        self.call = None    # set by gate() for the call log
        return super().parse_request()

    def log_message(self, fmt, *a):
        if os.environ.get("KAPI_VERBOSE"):
            super().log_message(fmt, *a)

    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        call = self.call
        if call is not None:
            call["status"] = code
            if call["after_ms"]:
                time.sleep(call["after_ms"] / 1000.0)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def gate(self, res, verb):
        """Slow/hang/auth/RBAC; returns False when it already answered."""
        st, ctl = self.server.store, self.server.ctl
        st.stats["requests"] += 1
        r = route(urlsplit(self.path).path)
        before, after = ctl.match_delay(self.command, res, verb)
        self.call = {"method": self.command, "verb": verb, "resource": res,
                     "namespace": r[1] if r else None,
                     "name": r[2] if r else None, "status": None,
                     "before_ms": before, "after_ms": after}
        ctl.log_call(self.call)
        while ctl.hang:
            time.sleep(0.05)
        if ctl.delay_ms:
            time.sleep(ctl.delay_ms / 1000.0)
        if before:
            time.sleep(before / 1000.0)
        if ctl.down:
            # a server that is down answers nothing, not even on a
            # connection accepted just before it went down
            self.close_connection = True
            return False
        authz = self.headers.get("Authorization", "")
        try:
            has_cert = bool(self.connection.getpeercert())
        except (AttributeError, ValueError):
            has_cert = False
        if ctl.token and authz != "Bearer " + ctl.token and not has_cert:
            st.stats["unauthorized"] += 1
            self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            return False
        if (res == "policyreports" and not ctl.policyreports) or \
                (res in OT_RESOURCES and not ctl.opstree) or \
                res in ctl.unserved:
            # no CRD: the API server does not know the resource at all
            self.send_json(404, status(404, "NotFound",
                                       "the server could not find the "
                                       "requested resource"))
            return False
        if res in ctl.forbidden:
            st.stats["forbidden"] += 1
            self.send_json(403, status(
                403, "Forbidden",
                '%s is forbidden: User "system:serviceaccount:rfguard:'
                'rfguard" cannot %s resource "%s"' % (res, verb, res),
                {"kind": res}))
            return False
        return True

    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        r = route(u.path)
        if not r:
            self.send_json(404, status(404, "NotFound",
                                       "the server could not find the "
                                       "requested resource"))
            return
        res, ns, name = r
        verb = "get" if name else ("watch" if q.get("watch") in
                                   ("1", "true") else "list")
        if not self.gate(res, verb):
            return
        if name:
            obj = self.server.store.objs[res].get((ns or "", name))
            if obj is None:
                self.send_json(404, status(
                    404, "NotFound", '%s "%s" not found' % (res, name),
                    {"name": name, "kind": res}))
            else:
                self.send_json(200, obj)
            return
        if verb == "watch":
            self.watch(res, ns, q)
        else:
            self.list(res, ns, q)

    def selected(self, res, ns, q):
        try:
            return [o for (ons, _), o in
                    sorted(self.server.store.objs[res].items())
                    if (ns is None or ons == ns)
                    and field_match(o, q.get("fieldSelector"))
                    and label_match(o, q.get("labelSelector"))]
        except ValueError as e:
            self.send_json(400, status(400, "BadRequest", str(e)))
            return None

    def list(self, res, ns, q):
        st = self.server.store
        with st.cond:
            st.stats["list"][res] += 1
            items = self.selected(res, ns, q)
            if items is None:
                return
            rv = st.rv
            off = 0
            if q.get("continue"):
                tok = json.loads(base64.b64decode(q["continue"]))
                if tok["rv"] < st.compacted[res]:
                    st.stats["expired"] += 1
                    self.send_json(410, status(
                        410, "Expired", "The provided continue parameter is "
                        "too old to display a consistent list result."))
                    return
                off, rv = tok["off"], tok["rv"]
            limit = int(q.get("limit") or 0)
            page = items[off:off + limit] if limit else items[off:]
            listkind, apiv, _, with_kind = RESOURCES[res]
            out_items = []
            for o in page:
                o = copy.deepcopy(o)
                if not with_kind:
                    o.pop("kind", None)
                    o.pop("apiVersion", None)
                out_items.append(o)
            md = {"resourceVersion": str(rv)}
            if limit and off + limit < len(items):
                md["continue"] = base64.b64encode(json.dumps(
                    {"rv": rv, "off": off + limit}).encode()).decode()
                md["remainingItemCount"] = len(items) - off - limit
            body = {"kind": listkind, "apiVersion": apiv, "metadata": md,
                    "items": out_items}
        self.send_json(200, body)

    def chunk(self, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, res, ns, q):
        st, ctl = self.server.store, self.server.ctl
        rv_s = q.get("resourceVersion", "")
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true")
        deadline = time.time() + int(q.get("timeoutSeconds") or 1800)
        fsel, lsel = q.get("fieldSelector"), q.get("labelSelector")
        st.stats["watch"][res] += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        st.watches.add(self.connection)
        try:
            with st.cond:
                if rv_s in ("", "0"):
                    pending = [(st.rv, "ADDED", copy.deepcopy(o))
                               for o in self.selected(res, ns, q) or []]
                    since = st.rv
                else:
                    since = int(rv_s)
                    pending = []
                    if since < st.compacted[res]:
                        st.stats["expired"] += 1
                        pending = [(0, "ERROR", status(
                            410, "Expired", "too old resource version: "
                            "%d (%d)" % (since, st.compacted[res])))]
            last_bm = time.time()
            while True:
                for ev_rv, typ, obj in pending:
                    if typ != "ERROR":
                        md = obj["metadata"]
                        if ns is not None and md.get("namespace") != ns:
                            continue
                        if not field_match(obj, fsel) or \
                                not label_match(obj, lsel):
                            continue
                    self.chunk({"type": typ, "object": obj})
                    if typ == "ERROR":
                        raise EOFError
                pending = []
                with st.cond:
                    while True:
                        if st.compacted[res] > since:
                            # events were forgotten under this watch
                            pending = [(0, "ERROR", status(
                                410, "Expired", "too old resource version:"
                                " %d (%d)" % (since, st.compacted[res])))]
                            st.stats["expired"] += 1
                            break
                        new = [e for e in st.events[res] if e[0] > since]
                        if new:
                            pending = new
                            since = new[-1][0]
                            break
                        if time.time() >= deadline:
                            raise EOFError
                        if bookmarks and \
                                time.time() - last_bm >= ctl.bookmark_interval:
                            since = max(since, st.rv)
                            pending = [(0, "BOOKMARK", {
                                "kind": RESOURCES[res][2],
                                "apiVersion": RESOURCES[res][1],
                                "metadata": {"resourceVersion":
                                             str(since)}})]
                            last_bm = time.time()
                            break
                        st.cond.wait(0.2)
                        # dropped, or the server went down after this
                        # watch started (before it was in st.watches)
                        if self.connection not in st.watches or ctl.down:
                            raise ConnectionError
                if pending and pending[0][1] == "BOOKMARK":
                    self.chunk({"type": "BOOKMARK",
                                "object": pending[0][2]})
                    pending = []
        except EOFError:
            try:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except OSError:
                pass
        except (OSError, ConnectionError):
            self.close_connection = True
        finally:
            st.watches.discard(self.connection)
        self.close_connection = True

    def do_POST(self):
        u = urlsplit(self.path)
        r = route(u.path)
        body = self.read_body()
        if not r or r[0] not in WRITABLE or r[2] or not r[1]:
            self.send_json(405, status(405, "MethodNotAllowed",
                                       "the server does not allow this "
                                       "method on the requested resource"))
            return
        res = r[0]
        if not self.gate(res, "create"):
            return
        try:
            obj = json.loads(body)
            name = obj["metadata"]["name"]
        except (ValueError, KeyError, TypeError):
            self.send_json(400, status(400, "BadRequest", "bad body"))
            return
        obj["metadata"]["namespace"] = r[1]
        self.call["name"] = name
        if q_dry(u):
            self.send_json(201, obj)
            return
        got, created = self.server.store.put(res, obj, create_only=True)
        if got is None:
            self.send_json(409, status(
                409, "AlreadyExists",
                '%s.%s "%s" already exists' % (res, GROUP_OF[res], name),
                {"name": name, "group": GROUP_OF[res], "kind": res}))
            return
        self.send_json(201, got)

    def do_PUT(self):
        u = urlsplit(self.path)
        r = route(u.path)
        body = self.read_body()
        if not r or r[0] != "leases" or not r[1] or not r[2]:
            self.send_json(405, status(405, "MethodNotAllowed",
                                       "not allowed"))
            return
        if not self.gate("leases", "update"):
            return
        try:
            obj = json.loads(body)
            name = obj["metadata"]["name"]
        except (ValueError, KeyError, TypeError):
            self.send_json(400, status(400, "BadRequest", "bad body"))
            return
        if name != r[2]:
            self.send_json(400, status(400, "BadRequest",
                                       "the name of the object does not "
                                       "match the name on the URL"))
            return
        obj["metadata"]["namespace"] = r[1]
        got, how = self.server.store.replace(
            "leases", obj, obj["metadata"].get("resourceVersion"))
        if how == "notfound":
            self.send_json(404, status(
                404, "NotFound", 'leases.coordination.k8s.io "%s" not found'
                % name, {"name": name, "group": "coordination.k8s.io",
                         "kind": "leases"}))
        elif how == "conflict":
            self.send_json(409, status(
                409, "Conflict", "Operation cannot be fulfilled on "
                'leases.coordination.k8s.io "%s": the object has been '
                "modified; please apply your changes to the latest version "
                "and try again" % name))
        else:
            self.send_json(200, got)

    def do_DELETE(self):
        u = urlsplit(self.path)
        r = route(u.path)
        body = self.read_body()
        if not r or r[0] not in WRITABLE or not r[2]:
            self.send_json(405, status(405, "MethodNotAllowed",
                                       "not allowed"))
            return
        res = r[0]
        if not self.gate(res, "delete"):
            return
        pre = None
        if body:
            try:
                pre = (json.loads(body).get("preconditions") or {}) \
                    .get("resourceVersion")
            except ValueError:
                self.send_json(400, status(400, "BadRequest", "bad body"))
                return
        if q_dry(u):
            got = self.server.store.objs[res].get((r[1] or "", r[2]))
            how = "ok" if got is not None else "notfound"
        else:
            gone, how = self.server.store.delete(res, r[1] or "", r[2], pre)
        if how == "notfound":
            self.send_json(404, status(
                404, "NotFound", '%s.%s "%s" not found'
                % (res, GROUP_OF[res], r[2]),
                {"name": r[2], "group": GROUP_OF[res], "kind": res}))
        elif how == "conflict":
            self.send_json(409, status(
                409, "Conflict", "Operation cannot be fulfilled on "
                '%s.%s "%s": Precondition failed: '
                "ResourceVersion: %s, got %s" % (
                    res, GROUP_OF[res], r[2], pre,
                    gone["metadata"]["resourceVersion"])))
        else:
            self.send_json(200, gone if not q_dry(u) else got)

    def do_PATCH(self):
        """Server-side apply of a PolicyReport (simplified): the applied
        object replaces the stored one; uid, creationTimestamp stay."""
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        r = route(u.path)
        body = self.read_body()
        if not r or r[0] != "policyreports" or not r[1] or not r[2]:
            self.send_json(405, status(405, "MethodNotAllowed",
                                       "not allowed"))
            return
        res, ns, name = r
        if not self.gate(res, "patch"):
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        self.call["content_type"] = ctype.strip()
        self.call["field_manager"] = q.get("fieldManager")
        self.call["force"] = q.get("force") == "true"
        if ctype.strip() != APPLY_TYPE:
            self.send_json(415, status(
                415, "UnsupportedMediaType", "the body of the request was "
                "in an unknown format - accepted media types include: "
                "application/json-patch+json, application/merge-patch+json"
                ", application/apply-patch+yaml"))
            return
        if not q.get("fieldManager"):
            self.send_json(422, status(
                422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: '
                "fieldManager: Required value: is required for apply "
                "patch"))
            return
        try:
            obj = json.loads(body)
            md = obj["metadata"]
            if not isinstance(md, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            self.send_json(400, status(400, "BadRequest",
                                       "error decoding YAML: the test "
                                       "server reads JSON bodies only"))
            return
        if obj.get("apiVersion") != RESOURCES[res][1] or \
                obj.get("kind") != RESOURCES[res][2]:
            self.send_json(400, status(400, "BadRequest",
                                       "apiVersion and kind must be %s %s"
                                       % (RESOURCES[res][1],
                                          RESOURCES[res][2])))
            return
        if md.get("name") != name or md.get("namespace", ns) != ns:
            self.send_json(400, status(400, "BadRequest",
                                       "the name or namespace of the "
                                       "object does not match the URL"))
            return
        md["namespace"] = ns
        for k in ("uid", "resourceVersion", "creationTimestamp"):
            md.pop(k, None)
        md["managedFields"] = [{"manager": q["fieldManager"],
                                "operation": "Apply",
                                "apiVersion": RESOURCES[res][1]}]
        if q_dry(u):
            self.send_json(200, obj)
            return
        got, created = self.server.store.put(res, obj)
        self.send_json(201 if created else 200, got)


def q_dry(u):
    return "dryRun=All" in u.query


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, store, ctl, sslctx):
        super().__init__(addr, Api)
        self.store, self.ctl, self.sslctx = store, ctl, sslctx

    def finish_request(self, request, client_address):
        if self.ctl.down:
            # refuse like a dead endpoint: reset the connection
            request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                               b"\x01\x00\x00\x00\x00\x00\x00\x00")
            request.close()
            return
        request.settimeout(60)
        try:
            conn = self.sslctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        super().finish_request(conn, client_address)

    def handle_error(self, request, client_address):
        pass


class Ctl(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        st = self.server.store
        if self.path == "/stats":
            self.reply(200, st.stats)
        elif self.path == "/leases":
            self.reply(200, list(st.objs["leases"].values()))
        elif self.path == "/calls":
            with self.server.ctl.lock:
                self.reply(200, list(self.server.ctl.calls))
        elif self.path == "/policyreports":
            with st.cond:
                self.reply(200, [copy.deepcopy(o) for _, o in sorted(
                    st.objs["policyreports"].items())])
        else:
            self.reply(404, {})

    def do_POST(self):
        st, ctl = self.server.store, self.server.ctl
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        silent = q.get("silent") == "1"
        if u.path == "/objects":
            res = KIND_TO_RES[body["kind"]]
            obj, _ = st.put(res, body, silent=silent)
            self.reply(200, {"resourceVersion":
                             obj["metadata"]["resourceVersion"]})
        elif u.path == "/delete":
            res = KIND_TO_RES[body["kind"]]
            gone, how = st.delete(res, body.get("namespace", ""),
                                  body["name"], silent=silent)
            self.reply(200 if how == "ok" else 404, {"result": how})
        elif u.path == "/calls/reset":
            with ctl.lock:
                ctl.calls = []
            self.reply(200, {})
        elif u.path == "/compact":
            st.compact()
            self.reply(200, {"rv": st.rv})
        elif u.path == "/drop":
            dropped = 0
            for c in list(st.watches):
                st.watches.discard(c)
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                dropped += 1
            st.stats["dropped"] += dropped
            with st.cond:
                st.cond.notify_all()
            self.reply(200, {"dropped": dropped})
        elif u.path == "/set":
            for k in ("delay_ms", "hang", "down", "flavor", "token",
                      "bookmark_interval", "crd"):
                if k in body:
                    setattr(ctl, k, body[k])
            if "forbidden" in body:
                ctl.forbidden = set(body["forbidden"])
            if "policyreports" in body:
                ctl.policyreports = bool(body["policyreports"])
                if not ctl.policyreports:
                    # the CRD goes, and its objects with it
                    for ns, name in list(st.objs["policyreports"]):
                        st.delete("policyreports", ns, name)
            if "unserved" in body:
                ctl.unserved = set(body["unserved"])
            if "opstree" in body:
                ctl.opstree = bool(body["opstree"])
                if not ctl.opstree:
                    for r in OT_RESOURCES:
                        for ns, name in list(st.objs[r]):
                            st.delete(r, ns, name)
            if "crd" in body or "flavor" in body:
                install_crd(st, ctl)
            if "delays" in body:
                with ctl.lock:
                    ctl.delays = [dict(d) for d in body["delays"]]
            if body.get("down"):
                for c in list(st.watches):
                    st.watches.discard(c)
                    try:
                        c.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            self.reply(200, {})
        else:
            self.reply(404, {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default="")
    ap.add_argument("--portfile")
    ap.add_argument("--state")
    ap.add_argument("--bookmark-interval", type=float, default=1.0)
    ap.add_argument("--flavor", default="spotahome",
                    choices=["spotahome", "freshworks", "none"])
    ap.add_argument("--client-ca")
    args = ap.parse_args()

    sslctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sslctx.minimum_version = ssl.TLSVersion.TLSv1_2
    sslctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        sslctx.load_verify_locations(args.client_ca)
        sslctx.verify_mode = ssl.CERT_OPTIONAL
    fresh = not (args.state and os.path.exists(args.state))
    store = Store(args.state)
    ctl = Control(args)
    if fresh:   # a restart keeps the CRD it had
        install_crd(store, ctl)
    api = ApiServer(("127.0.0.1", args.port), store, ctl, sslctx)
    cs = ThreadingHTTPServer(("127.0.0.1", 0), Ctl)
    cs.daemon_threads = True
    cs.store, cs.ctl = store, ctl
    threading.Thread(target=cs.serve_forever, daemon=True).start()
    if args.portfile:
        tmp = args.portfile + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"port": api.server_address[1],
                       "control": cs.server_address[1]}, f)
        os.replace(tmp, args.portfile)
    try:
        api.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
