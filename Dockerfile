# Deskbell container image. Build: docker build -t deskbell .   Run: see README.md.
# Every build step is an npm command that `npm test` also exercises (test/container/dockerfile.test.ts).

FROM node:26-bookworm-slim AS build
WORKDIR /app
# No compiler: better-sqlite3 13 ships its SQLite addon prebuilt inside the npm package, and .npmrc
# keeps npm from running its implied node-gyp rebuild (slim images have no Python or make).
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build
RUN npm prune --omit=dev

FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/views ./views
COPY --from=build --chown=root:root /app/public ./public
COPY --from=build --chown=root:root /app/locales ./locales
RUN mkdir -p /data && chown node:node /data && ln -s /app/bin/deskbell.js /usr/local/bin/deskbell
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/server.js"]
