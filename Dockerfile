# Opal's container image (README "Container image"). Two stages: `build` compiles the native
# modules (better-sqlite3) with the toolchain and builds dist/opal.mjs; the runtime stage is the
# slim Node 20 image with the production dependencies and the bundle, run as the non-root `node`.
# scripts/image-steps.mjs runs these same RUN, COPY and CMD lines in a clean directory where no
# container runtime is available (its `# image-steps:` comments tell it how).
#
# Configuration (docs/configuration.md): every OPAL_* variable works; the image sets
#   OPAL_DATA_DIR=/data (the volume: SQLite database and blobs of the embedded mode),
#   OPAL_HOST=0.0.0.0, OPAL_PORT=8080 (account origin), OPAL_FDS_PORT=8081 (FDS origin).
# Set OPAL_PUBLIC_URL / OPAL_FDS_PUBLIC_URL to the addresses clients use; for scale-out set
# OPAL_DATABASE_URL, OPAL_REDIS_URL, OPAL_BLOB_URL and OPAL_SERVER_SECRET (compose.yaml).
# OPAL_LOG_FORMAT=json|pretty (default: pretty on a terminal, `docker run -t`; JSON otherwise).

FROM node:20-bookworm AS build
# image-steps: toolchain python3 make g++
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /opal
# image-steps: nodedir (node-gyp uses the installed Node headers instead of downloading them)
ENV npm_config_nodedir=/usr/local
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production OPAL_DATA_DIR=/data OPAL_HOST=0.0.0.0 OPAL_PORT=8080 OPAL_FDS_PORT=8081
# glibc's allocator: at most two arenas, and a fixed 32 KiB mmap threshold and 128 KiB trim
# threshold instead of glibc's dynamic ones. Idle RSS 103 -> 89-91 MiB, peaks
# under the FDS and profile loads 9-18 MiB lower, rates unchanged (docs/configuration.md,
# "Memory allocator (glibc)"). Elsewhere Opal makes the same settings itself as it starts, through
# the native module `npm ci` builds (bin/malloc-tuning.js); here the variables make them from the
# process's first allocation, so the runtime stage does not copy build/.
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768 MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /opal
COPY --from=build /opal/package.json /opal/package-lock.json ./
COPY --from=build /opal/node_modules ./node_modules
COPY --from=build /opal/bin ./bin
COPY --from=build /opal/dist ./dist
COPY --from=build /opal/scripts/healthcheck.mjs ./scripts/healthcheck.mjs
# image-steps: data-dir
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME /data
USER node
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["node", "bin/opal.js", "serve"]
