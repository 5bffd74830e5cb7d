# syntax=docker/dockerfile:1
# Build: compile the contracts (forge + the pinned solc via scripts/solc.cjs) and the TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies, compiled output and contract artifacts only; runs as a non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/out ./out
USER node
# Deploys the contracts to RPC_URL with DEPLOYER_PRIVATE_KEY (see README, "Deploying the contracts").
ENTRYPOINT ["node", "dist/scripts/deploy.js"]
