# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
#
# rfguard container image, for builders with a Docker daemon and a registry
# to pull debian:12 from. Without them, scripts/image.sh builds the same
# image with buildah (no daemon, no pull) as an OCI archive; see
# docs/image.md. Both assemble the image's files with the same script
# (scripts/image.sh --rootfs), so the layout is the same: FROM scratch, the
# release binary at /usr/local/bin/rfguard, exactly the shared libraries
# `ldd` names for it, the CA bundle, rfguard-reload with sh, cksum and
# sleep, the policies, user nonroot (65532:65532), the same labels and
# entrypoint. The one difference: the Debian package list of the copied
# files is a label in image.sh's image, and here only the file
# /usr/share/rfguard/debian-packages (a Dockerfile cannot label from the
# build's output).
#
#   docker build \
#     --build-arg RFG_VERSION=$(scripts/version.sh) \
#     --build-arg RFG_GIT_REV=$(scripts/version.sh --revision) \
#     --build-arg RFG_COMMIT=$(scripts/version.sh --commit) \
#     --build-arg RFG_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) \
#     -t ghcr.io/rfguard/rfguard:$(scripts/version.sh) .
#
# .dockerignore keeps .git out of the context, so the revision is passed
# in; RFG_VERSION must match CMakeLists.txt (the build checks).

ARG DEBIAN_BUILD_IMAGE=debian:12

# ---- build ----
FROM ${DEBIAN_BUILD_IMAGE} AS build
ARG RFG_VERSION=
ARG RFG_GIT_REV=unknown
ENV DEBIAN_FRONTEND=noninteractive
COPY scripts/deps.txt /tmp/deps.txt
# The compiler and build tools, plus every *-dev package named in deps.txt
# (one list of dependencies for CI and the image), except the sanitizer
# runtime (libclang-rt-*) and Go (golang-*), which only CI's tests need;
# CI's tools (buildah, valgrind...) are not -dev packages and stay out.
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
    want=$(scripts/version.sh); \
    if [ "${RFG_VERSION}" != "$want" ]; then \
        echo "pass --build-arg RFG_VERSION=$want (scripts/version.sh), not '${RFG_VERSION}'" >&2; \
        exit 1; \
    fi; \
    cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release \
          -DRFG_GIT_REV="${RFG_GIT_REV}"; \
    cmake --build /build -j"$(nproc)" --target rfguard; \
    scripts/image.sh --rootfs /rootfs --binary /build/rfguard

# ---- runtime ----
FROM scratch
ARG RFG_VERSION=
ARG RFG_COMMIT=unknown
ARG RFG_CREATED=unknown
ARG RFG_SOURCE=https://github.com/rfguard/rfguard
COPY --from=build /rootfs/ /

LABEL org.opencontainers.image.title="rfguard" \
      org.opencontainers.image.description="Admission webhook and linter for RedisFailover (databases.spotahome.com/v1)" \
      org.opencontainers.image.version="${RFG_VERSION}" \
      org.opencontainers.image.revision="${RFG_COMMIT}" \
      org.opencontainers.image.created="${RFG_CREATED}" \
      org.opencontainers.image.source="${RFG_SOURCE}" \
      org.opencontainers.image.documentation="${RFG_SOURCE}/blob/main/docs/image.md" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH=/usr/local/bin:/usr/bin
USER 65532:65532
WORKDIR /
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/rfguard"]
CMD ["--help"]
