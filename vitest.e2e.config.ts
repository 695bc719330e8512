import { defineConfig } from 'vitest/config';
import { HeavyFirstSequencer } from './__tests__/support/sequencer.ts';

// End-to-end tests share one Docker engine. One file at a time by default; .ci/test runs the files that only build, push
// and pull under names of their own on two workers (`--fileParallelism --maxWorkers=2`), then the engine-settings files
// alone, with the no-engine files beside those.
export default defineConfig({
  test: {
    include: ['__tests__/e2e/**/*.test.ts'],
    fileParallelism: false,
    // the longest files first, so that the two workers of .ci/test end together (__tests__/support/sequencer.ts)
    sequence: { sequencer: HeavyFirstSequencer },
    testTimeout: 10 * 60 * 1000,
    // a hook that makes several action runs, on an engine shared with another worker
    hookTimeout: 10 * 60 * 1000,
    tags: [
      {
        // a file-level `// @module-tag no-engine`: .ci/test runs these files beside the others (`--tags-filter=no-engine`).
        // Such a file starts no action run either: a hostile build tested without isolation writes to every
        // GITHUB_OUTPUT it finds on the machine.
        name: 'no-engine',
        description: 'Uses registries, skopeo, imagetools or the cache service, no engine state (no build, push, pull, daemon.json or certs.d) and no action run',
      },
      {
        // a file-level `// @module-tag engine-settings`, with the reason on that line: .ci/test runs these files one at a
        // time after the others (`--tags-filter=engine-settings`), and the others without them (`!engine-settings`)
        name: 'engine-settings',
        description:
          'Changes or reads as a whole what every run on the machine shares: daemon.json and reloads of dockerd, certs.d, the build cache (docker builder prune), images others use, docker contexts and the buildx builders, the GITHUB_OUTPUT of other runs',
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
