/** DATABASE_URL names the engine: postgres:// or postgresql:// is PostgreSQL, anything else a SQLite file. */
import type { Database } from './database.js'
import { openPg } from './pg/database.js'
import { openSqlite } from './sqlite/database.js'

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

export function openDatabase(url: string): Database {
  return isPostgresUrl(url) ? openPg(url) : openSqlite(url)
}
