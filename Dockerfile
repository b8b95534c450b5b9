# syntax=docker/dockerfile:1
# The driftguard controller image. Node 24 runs the TypeScript sources directly (type stripping), so there
# is no build step: the image holds the sources and the production dependencies.
#
# The Node runtime comes from the base image. The `node` npm package that pins Node 24 for development is a
# devDependency and is not installed here, so the base image must provide Node 24 or later.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked. No production dependency needs its install script
# (protobufjs's only prints a version warning), so none is run.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
# The controller needs only node: drop npm, npx and corepack, and with them their dependencies' CVEs.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin/ ./bin/
COPY src/ ./src/
COPY crds/ ./crds/
# The files stay owned by root and read-only to the process; the Deployment also mounts the root
# filesystem read-only. 65532 is the conventional "nonroot" UID; numeric so runAsNonRoot can verify it.
USER 65532:65532
# /healthz, /readyz and /metrics
EXPOSE 8081
ENTRYPOINT ["node", "bin/driftguard.js"]
CMD ["run"]
