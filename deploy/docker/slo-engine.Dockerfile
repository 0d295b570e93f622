# syntax=docker/dockerfile:1
# The slo-engine: runs from its TypeScript sources on Node 24 (type stripping, no build step),
# with its workspace dependencies in workspace layout. Build from the repository root:
#
#   docker build -f deploy/docker/slo-engine.Dockerfile -t lookout/slo-engine:0.1.0 .
#
# Runs as uid 1000 (the image's `node` user); state lives in Elasticsearch (or on a volume
# at /var/lib/lookout for the sqlite store), so a read-only root file system works.

ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS workspace
ARG PNPM_VERSION=10.34.8
ENV CI=true
RUN npm install --global "pnpm@${PNPM_VERSION}" && npm cache clean --force
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=lookout-pnpm-store,target=/root/.local/share/pnpm/store pnpm fetch --prod
COPY . .

FROM workspace AS production-files
RUN --mount=type=cache,id=lookout-pnpm-store,target=/root/.local/share/pnpm/store \
    sh deploy/docker/assemble-package.sh @lookout/slo-engine /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-files /out ./
RUN mkdir -p /var/lib/lookout /etc/lookout && chown 1000:1000 /var/lib/lookout
USER 1000:1000
EXPOSE 8090
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "slo-engine/src/main.ts"]
CMD ["--config", "/etc/lookout/slo-engine.yaml"]
