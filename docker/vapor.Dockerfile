# Vapor host agent. Build from the repository root:
#   docker build -f docker/vapor.Dockerfile -t cockpit-vapor .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY docker docker
COPY nx.json tsconfig.base.json tsconfig.browser.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
RUN npx nx run vapor:build --output-style=static \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    VAPOR_HOST=0.0.0.0 \
    VAPOR_PORT=9443 \
    VAPOR_DATA_DIR=/var/lib/vapor
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/libs libs
COPY --from=build /src/apps/vapor/package.json apps/vapor/package.json
COPY --from=build /src/apps/vapor/dist apps/vapor/dist
RUN mkdir -p /var/lib/vapor && chown node:node /var/lib/vapor
USER node
EXPOSE 9443
# One simulated host; the real drivers (qemu, libvirt) arrive in a later release.
CMD ["node", "apps/vapor/dist/main.js", "serve"]
