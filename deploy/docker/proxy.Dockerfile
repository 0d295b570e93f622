# syntax=docker/dockerfile:1
# The proxy: the esbuild bundle (proxy/build.ts) on Node 24, with the measured runtime flags of
# proxy/node-runtime.json. Build from the repository root:
#
#   docker build -f deploy/docker/proxy.Dockerfile -t lookout/proxy:0.1.0 .
#
# Runs as uid 1000 (the image's `node` user) and writes nothing outside the mounted volumes,
# so a read-only root file system works; telemetry spool and embedded files belong on a
# volume (the Helm chart mounts /var/lib/lookout).

ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS workspace
ARG PNPM_VERSION=10.34.8
ENV CI=true
RUN npm install --global "pnpm@${PNPM_VERSION}" && npm cache clean --force
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=lookout-pnpm-store,target=/root/.local/share/pnpm/store pnpm fetch
COPY . .

FROM workspace AS build
RUN --mount=type=cache,id=lookout-pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --offline --frozen-lockfile --filter "@lookout/proxy..." \
 && node proxy/build.ts

FROM workspace AS production-files
RUN --mount=type=cache,id=lookout-pnpm-store,target=/root/.local/share/pnpm/store \
    sh deploy/docker/assemble-package.sh @lookout/proxy /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=production-files /out/node_modules ./node_modules
COPY --from=production-files /out/proxy/package.json ./proxy/package.json
COPY --from=production-files /out/proxy/node_modules ./proxy/node_modules
COPY --from=build /src/proxy/dist ./proxy/dist
COPY --from=build /src/proxy/node-runtime.json ./proxy/node-runtime.json
RUN mkdir -p /var/lib/lookout /etc/lookout && chown 1000:1000 /var/lib/lookout
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--max-semi-space-size=2", "--max-old-space-size=64", "proxy/dist/main.js"]
CMD ["--config", "/etc/lookout/proxy.yaml"]
