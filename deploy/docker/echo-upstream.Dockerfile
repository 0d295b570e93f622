# syntax=docker/dockerfile:1
# The echo upstream (mock downstream with fault injection), from its TypeScript sources on
# Node 24. Build from the repository root:
#
#   docker build -f deploy/docker/echo-upstream.Dockerfile -t lookout/echo-upstream:0.1.0 .

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
    sh deploy/docker/assemble-package.sh @lookout/echo-upstream /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-files /out ./
USER 1000:1000
EXPOSE 9000
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "echo-upstream/src/main.ts"]
CMD ["--host", "0.0.0.0", "--port", "9000"]
