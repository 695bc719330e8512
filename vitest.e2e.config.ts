import { defineConfig } from 'vitest/config';

// End-to-end tests share one Docker engine and registry: run them one file at a time.
export default defineConfig({
  test: {
    include: ['__tests__/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 10 * 60 * 1000,
    hookTimeout: 5 * 60 * 1000,
    tags: [
      {
        // .ci/test runs these once more on a classic-store dockerd (`--tags-filter=image-store`); list them with
        // `vitest list --config vitest.e2e.config.ts --tags-filter=image-store`
        name: 'image-store',
        description: "What the action does differs with the engine's image store (containerd or classic): image IDs, docker save/load/push, the layer-cache export",
      },
    ],
  },
});
