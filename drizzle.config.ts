import { defineConfig } from 'drizzle-kit'

// SQLite, the embedded default. PostgreSQL has its own schema and folder: drizzle.pg.config.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/sqlite/schema.ts',
  out: './migrations/sqlite',
})
