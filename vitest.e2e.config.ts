import { defineConfig } from 'vitest/config';

// End-to-end tests share one Docker engine and registry: run them one file at a time.
export default defineConfig({
  test: {
    include: ['__tests__/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 10 * 60 * 1000,
    hookTimeout: 5 * 60 * 1000,
  },
});
