import { defineConfig } from 'vitest/config';

// The pipeline in this process (src/run.ts runMain) with a fake builder, an in-memory registry and fake GitHub APIs:
// no engine, no registry process, no build tool. Each file runs in its own process with git alone on PATH, so files
// run in parallel.
export default defineConfig({
  test: {
    include: ['__tests__/inprocess/**/*.test.ts'],
    setupFiles: ['__tests__/inprocess/support/setup.ts'],
    testTimeout: 60 * 1000,
    hookTimeout: 60 * 1000,
  },
});
