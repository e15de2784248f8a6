# syntax=docker/dockerfile:1
# tms in a container: the static binary on an empty base (scratch), nothing
# else; fonts, rules and templates are inside the binary.
#
#   docker build -t tms .
#   docker run --rm -v "$PWD:/work" tms check threat-model.yaml
#
# By default the binary is built here from source (Rust on Alpine, where the
# musl target links statically). The release workflow passes
# `--build-arg TMS_FROM=release` to use the binaries it has just built,
# unpacked as release/amd64/tms and release/arm64/tms.
ARG TMS_FROM=source

FROM rust:1.95-alpine AS source
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p tms \
    && install -D -m 755 target/release/tms /out/tms

FROM scratch AS release
ARG TARGETARCH
COPY release/${TARGETARCH}/tms /out/tms

FROM ${TMS_FROM} AS binary

FROM scratch
COPY --from=binary /out/tms /usr/local/bin/tms
# No shell, no users file: run as an unprivileged id by number.
USER 65534:65534
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/tms"]
CMD ["--help"]
