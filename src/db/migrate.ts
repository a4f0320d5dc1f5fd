/** The one migration applier: used at start-up, by every test app and by `npm run db:migrate`. */
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { Db } from './client.js'

// src/db and dist/db sit at the same depth, so this resolves to the repo's migrations/ from both.
export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url))

export function runMigrations(db: Db): void {
  migrate(db, { migrationsFolder })
}
