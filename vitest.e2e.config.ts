import { defineConfig } from 'vitest/config';

// End-to-end tests share one Docker engine and its settings: run them one file at a time (the no-engine files beside them).
export default defineConfig({
  test: {
    include: ['__tests__/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 10 * 60 * 1000,
    hookTimeout: 5 * 60 * 1000,
    tags: [
      {
        // a file-level `// @module-tag no-engine`: .ci/test runs these files beside the others (`--tags-filter=no-engine`).
        // Such a file starts no action run either: a hostile build tested without isolation writes to every
        // GITHUB_OUTPUT it finds on the machine.
        name: 'no-engine',
        description: 'Uses registries, skopeo, imagetools or the cache service, no engine state (no build, push, pull, daemon.json or certs.d) and no action run',
      },
      {
        // .ci/test runs these once more on a classic-store dockerd (`--tags-filter=image-store`); list them with
        // `vitest list --config vitest.e2e.config.ts --tags-filter=image-store`
        name: 'image-store',
        description: "What the action does differs with the engine's image store (containerd or classic): image IDs, docker save/load/push, the layer-cache export",
      },
    ],
  },
});
