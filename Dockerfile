# Minimal image of the service (docs/deploying.md). Not built by the test suite: the machines
# this project is developed on have no container engine, so this file is checked by reading only.

# Build: the whole toolchain (TypeScript, Vite for the admin console), then `npm run build`.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Run: production dependencies and the build output only, as the image's unprivileged `node` user.
FROM node:20-slim
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# Liveness of the process (node:20-slim has no curl); load balancers should use /readyz instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 is fine here: the service handles SIGTERM itself (graceful shutdown, SHUTDOWN_GRACE_MS).
CMD ["node", "dist/src/main.js"]
