# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
#
# rfguard container image: build on Debian 12 with the -dev packages from
# scripts/deps.txt, run on debian:12-slim with only the shared libraries the
# binary links, as UID/GID 65532 (non-root; matches deploy/base).
#
#   docker build \
#     --build-arg RFG_GIT_REV=$(git rev-parse --short HEAD) \
#     --build-arg RFG_VERSION=0.1.0 \
#     --build-arg RFG_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) \
#     -t rfguard:dev .
#
# .dockerignore keeps .git out of the context, so the revision must be
# passed as RFG_GIT_REV; `rfguard --version` prints it.

ARG DEBIAN_BUILD_IMAGE=debian:12
ARG DEBIAN_RUNTIME_IMAGE=debian:12-slim

# ---- build ----
FROM ${DEBIAN_BUILD_IMAGE} AS build
ARG RFG_GIT_REV=unknown
ENV DEBIAN_FRONTEND=noninteractive
COPY scripts/deps.txt /tmp/deps.txt
# The compiler and build tools, plus every *-dev package named in deps.txt
# (one list of dependencies for CI and the image), except the sanitizer
# runtime (libclang-rt-*) and Go (golang-*), which only CI's tests need.
RUN set -eux; \
    devpkgs=$(tr -s ' \t' '\n\n' </tmp/deps.txt | grep -e '-dev$' \
              | grep -v -e '^libclang-rt-' -e '^golang-'); \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config ca-certificates $devpkgs; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN set -eux; \
    cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release \
          -DRFG_GIT_REV="${RFG_GIT_REV}"; \
    cmake --build /build -j"$(nproc)" --target rfguard; \
    strip /build/rfguard; \
    /build/rfguard --version

# ---- runtime ----
FROM ${DEBIAN_RUNTIME_IMAGE}
ARG RFG_GIT_REV=unknown
ARG RFG_VERSION=0.1.0
ARG RFG_CREATED=unknown
ARG RFG_SOURCE=https://github.com/rfguard/rfguard
ENV DEBIAN_FRONTEND=noninteractive
# Runtime libraries only: cJSON, libyaml, libre2, libmicrohttpd (+ GnuTLS),
# OpenSSL and libcurl (libstdc++, which libre2 needs, is in the base
# image); ca-certificates for the API client.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        libcjson1 libyaml-0-2 libre2-9 libmicrohttpd12 libgnutls30 libssl3 \
        libcurl4 ca-certificates; \
    rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/*; \
    groupadd --system --gid 65532 rfguard; \
    useradd --system --uid 65532 --gid 65532 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin rfguard
COPY --from=build /build/rfguard /usr/local/bin/rfguard
COPY deploy/image/rfguard-reload /usr/local/bin/rfguard-reload
COPY policies/ /usr/share/rfguard/policies/
# Fail the build if a shared library is missing from this stage.
RUN set -eux; \
    if ldd /usr/local/bin/rfguard | grep 'not found'; then exit 1; fi; \
    /usr/local/bin/rfguard --version

LABEL org.opencontainers.image.title="rfguard" \
      org.opencontainers.image.description="Admission webhook and linter for RedisFailover (databases.spotahome.com/v1)" \
      org.opencontainers.image.version="${RFG_VERSION}" \
      org.opencontainers.image.revision="${RFG_GIT_REV}" \
      org.opencontainers.image.created="${RFG_CREATED}" \
      org.opencontainers.image.source="${RFG_SOURCE}" \
      org.opencontainers.image.documentation="${RFG_SOURCE}/blob/main/docs/install.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/debian:12-slim"

USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/rfguard"]
CMD ["--help"]
