# Cockpit api + console. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t cockpit-api .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY docker docker
COPY nx.json tsconfig.base.json tsconfig.browser.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p api console --output-style=static \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/cockpit \
    CONSOLE_DIR=/app/apps/console/dist
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/libs libs
COPY --from=build /src/apps/api/package.json apps/api/package.json
COPY --from=build /src/apps/api/dist apps/api/dist
COPY --from=build /src/apps/console/dist apps/console/dist
RUN mkdir -p /var/lib/cockpit && chown node:node /var/lib/cockpit
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=4s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/api/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/api/dist/main.js"]
