# syntax=docker/dockerfile:1
# Custos service image. Production configuration comes from the environment (see README, "Running in production"):
# DATABASE_URL, RPC_URL, CHAIN_ID, GATEKEEPER_ADDRESS, REVOCATION_REGISTRY_ADDRESS, OPERATOR_PRIVATE_KEY, SIGNER, ...

# Build: dependencies (native pkcs11js included), Prisma client, contracts (forge + pinned solc), TypeScript.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime: compiled service, contract artifacts, migrations and default policies; no compilers, no source.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/out ./out
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/src/screening/policies.default.json ./src/screening/policies.default.json
COPY --from=build /app/scripts/custos.js ./scripts/custos.js
COPY --from=build /app/web ./web
COPY --from=build /app/zk ./zk
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/main.js"]
