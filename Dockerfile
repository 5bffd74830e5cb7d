# syntax=docker/dockerfile:1
# Custos service image. Production configuration comes from the environment (see docs/how-to/production-deployment.md):
# DATABASE_URL, RPC_URL, CHAIN_ID, GATEKEEPER_ADDRESS, REVOCATION_REGISTRY_ADDRESS, OPERATOR_KMS_KEY_ID, SIGNER, ...
# test/service/container.test.ts lints this file and runs its runtime stage's command, user and environment.

# Build: dependencies (native pkcs11js included), Prisma client, TypeScript (the service and the workspace packages).
# No Solidity compiler: the contracts deploy from the artifacts committed in packages/contracts.
FROM node:20.20.2-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime: compiled service, contract artifacts, migrations and default policies; no compilers, no source, no anvil
# (the embedded development chain is not in the image: it needs RPC_URL).
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 WORKERS=auto CUSTOS_DATA_DIR=/var/lib/custos
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/sdk/package.json ./packages/sdk/package.json
COPY --from=build /app/packages/sdk/dist ./packages/sdk/dist
COPY --from=build /app/packages/contracts/package.json ./packages/contracts/package.json
COPY --from=build /app/packages/contracts/dist ./packages/contracts/dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/src/screening/policies.default.json ./src/screening/policies.default.json
COPY --from=build /app/scripts/custos.js ./scripts/custos.js
COPY --from=build /app/web ./web
COPY --from=build /app/zk ./zk
# /app stays root's: the service cannot change its own code. The data directory is the only place it may write, and
# stays empty with DATABASE_URL and a KMS or HSM signer (with ALLOW_LOCAL_SIGNER, mount a volume there for the
# keystore and rotated keys).
RUN mkdir -p /var/lib/custos && chown 1000:1000 /var/lib/custos
# The base image's `node` user, by number so that runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
# /readyz checks the database, the chain and the signer; the signer's answer is trusted for
# READYZ_SIGNER_CACHE_SECONDS (60 s), so probes cost at most one KMS DescribeKey a minute per worker.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains (SHUTDOWN_DELAY_SECONDS, then up to SHUTDOWN_TIMEOUT_SECONDS): give `docker stop` more than that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/main.js"]
