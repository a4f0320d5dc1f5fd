import { defineConfig } from 'drizzle-kit'

// PostgreSQL: the same tables and columns as src/db/sqlite/schema.ts (test/db/schemas.test.ts checks it).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/schema.ts',
  out: './migrations/pg',
})
