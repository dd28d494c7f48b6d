# syntax=docker/dockerfile:1
# The mls image: serves the model repository mounted (read-only) at /mnt/models.
#   docker build -t mls:0.1.0 .
#   docker run --rm -p 8080:8080 -p 8081:8081 -p 8082:8082 -v "$PWD/examples/multi-model:/mnt/models:ro" mls:0.1.0
# One bare model file instead of a repository (as KServe mounts it):
#   docker run --rm -p 8080:8080 -e MLS_MODEL_NAME=digits -e MLS_MODEL_IMPLEMENTATION=sklearn \
#     -v "$PWD/model.onnx:/mnt/models/model.onnx:ro" mls:0.1.0

# Node 22 LTS, pinned to the exact release .ci/run tests the suite on (it reads the version from this line).
# --- build: compile TypeScript to dist/ and write the oclif manifest ---
FROM node:22.23.5-bookworm-slim AS build
WORKDIR /app
# .npmrc skips the dependencies' install scripts, onnxruntime-node's CUDA download among them (ignore-scripts=true).
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled server only ---
FROM node:22.23.5-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node ships its native library for every platform (about 250 MB): keep linux/<this arch> alone, the one
# it loads here. In the same RUN as the install, or the deleted files would stay in the image's lower layer.
RUN npm ci --omit=dev && npm cache clean --force \
    && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -path "*/linux/$(node -p process.arch)" -exec rm -rf {} + \
    && find node_modules/onnxruntime-node/bin -mindepth 1 -type d -empty -delete
COPY bin ./bin
COPY proto ./proto
COPY templates ./templates
COPY --from=build /app/dist ./dist
COPY --from=build /app/oclif.manifest.json ./
RUN mkdir -p /mnt/models
# The node image's "node" user, numeric so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
ENV NODE_ENV=production \
    MLS_MODEL_REPOSITORY_ROOT=/mnt/models \
    MLS_HOST=0.0.0.0 \
    MLS_HTTP_PORT=8080 \
    MLS_GRPC_PORT=8081 \
    MLS_METRICS_PORT=8082
# REST, gRPC, metrics
EXPOSE 8080 8081 8082
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node","/app/bin/healthcheck.js"]
ENTRYPOINT ["node","/app/bin/run.js"]
CMD ["start","/mnt/models"]
