import { defineConfig } from 'vitest/config'

// The default `forks` pool is kept on purpose: better-sqlite3 is a native addon and worker threads can crash it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Several nodes need a server engine: test/nodes runs with `npm run test:pg` only, so `npm test` needs none.
    exclude: ['test/e2e/**', ...(process.env.TEST_ENGINE === 'pg' ? [] : ['test/nodes/**'])],
    testTimeout: 20_000,
    // Every answer a test receives is checked against the OpenAPI document (test/helpers/contract.ts).
    setupFiles: ['test/setup/contract.ts'],
    // With TEST_ENGINE=pg (npm run test:pg), test/setup/database.ts makes the template each file clones.
    globalSetup: ['test/setup/global.ts', 'test/setup/database.ts'],
  },
})
