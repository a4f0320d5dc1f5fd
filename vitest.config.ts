import { defineConfig } from 'vitest/config'

// The default `forks` pool is kept on purpose: better-sqlite3 is a native addon and worker threads can crash it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    testTimeout: 20_000,
    // Every answer a test receives is checked against the OpenAPI document (test/helpers/contract.ts).
    setupFiles: ['test/setup/contract.ts'],
    globalSetup: ['test/setup/global.ts'],
  },
})
