# syntax=docker/dockerfile:1
# `setup-elk` (deploy/elk/src): installs the index templates and imports the Kibana saved
# objects; the one-shot jobs of deploy/elk/docker-compose.yml and the chart's setup hook.
# Build from the repository root:
#
#   docker build -f deploy/docker/setup-elk.Dockerfile -t lookout/setup-elk:0.1.0 .

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
# The setup imports the telemetry contract by relative path: assemble telemetry, add the setup.
RUN --mount=type=cache,id=lookout-pnpm-store,target=/root/.local/share/pnpm/store \
    sh deploy/docker/assemble-package.sh @lookout/telemetry /out \
 && mkdir -p /out/deploy/elk \
 && cp -a deploy/elk/src /out/deploy/elk/src \
 && find /out/deploy/elk/src -name '*.test.ts' -type f -delete

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-files /out ./
USER 1000:1000
ENTRYPOINT ["node", "deploy/elk/src/main.ts"]
CMD ["all"]
