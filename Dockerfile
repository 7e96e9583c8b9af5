# banto: a multi-stage build to a small, non-root, distroless image.
#   docker build -t banto .
#   docker run --rm -p 3000:3000 -e SLACK_BOT_TOKEN=… -v $PWD/config.toml:/etc/banto/config.toml banto
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked --bin banto 2>/dev/null || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin banto \
    && install -D -m 0755 target/release/banto /out/banto

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/banto /usr/local/bin/banto
COPY --chown=nonroot:nonroot playbooks /usr/share/banto/playbooks
COPY --chown=nonroot:nonroot examples/kubernetes/base/config.toml /etc/banto/config.toml
USER nonroot:nonroot
EXPOSE 3000
ENV BANTO_CONFIG=/etc/banto/config.toml
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["/usr/local/bin/banto", "health"]
ENTRYPOINT ["/usr/local/bin/banto"]
CMD ["serve"]
