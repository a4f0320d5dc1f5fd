import { defineConfig } from 'vitest/config'

// The default `forks` pool is kept on purpose: better-sqlite3 is a native addon and worker threads can crash it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    testTimeout: 20_000,
  },
})
