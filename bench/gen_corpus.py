#!/usr/bin/env python3
"""Write the lint benchmark corpus: N RedisFailover documents, each with
its own auth Secret, spread over files of PER_FILE failovers. Every
failover is valid under the default policy (own port, own password,
scoped spread), so the run measures the full rule set, not error paths.
Usage: gen_corpus.py OUTDIR [N] [PER_FILE]"""
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
per = int(sys.argv[3]) if len(sys.argv) > 3 else 100
os.makedirs(out, exist_ok=True)

TPL = """---
apiVersion: v1
kind: Secret
metadata:
  name: rf{i}-auth
  namespace: team{ns}
type: Opaque
stringData:
  password: pw{i:08d}Zq7LmXv3Kd9Rt2
---
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: rf{i}
  namespace: team{ns}
  labels:
    app: rf{i}
  annotations:
    rfguard.io/sentinel-network-policy: rf{i}-sentinels
spec:
  auth:
    secretPath: rf{i}-auth
  sentinel:
    replicas: 3
    image: redis:7.2.4-alpine
    resources:
      requests: {{cpu: 50m, memory: 64Mi}}
      limits: {{memory: 128Mi}}
    affinity:
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                app.kubernetes.io/name: rf{i}
                app.kubernetes.io/component: sentinel
                app.kubernetes.io/part-of: redis-failover
  redis:
    replicas: 3
    image: redis:7.2.4-alpine
    port: {port}
    storage:
      keepAfterDeletion: true
      persistentVolumeClaim:
        metadata:
          name: redis-data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests: {{storage: 1Gi}}
    resources:
      requests: {{cpu: 100m, memory: 256Mi}}
      limits: {{memory: 512Mi}}
    affinity:
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                app.kubernetes.io/name: rf{i}
                app.kubernetes.io/component: redis
                app.kubernetes.io/part-of: redis-failover
    topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels:
            app.kubernetes.io/name: rf{i}
            app.kubernetes.io/component: redis
            app.kubernetes.io/part-of: redis-failover
"""
for f in range(0, n, per):
    with open(os.path.join(out, "rf-%06d.yaml" % (f // per)), "w") as fh:
        for i in range(f, min(f + per, n)):
            fh.write(TPL.format(i=i, ns=i % 50, port=10000 + i))
