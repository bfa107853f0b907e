FROM scratch
COPY runtime-config.json plugin.wasm ./
