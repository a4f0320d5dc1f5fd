/**
 * DATABASE_URL names the engine: postgres:// or postgresql:// is PostgreSQL, anything else a SQLite file. The
 * PostgreSQL driver is loaded only for PostgreSQL: an embedded SQLite server does not carry it (about 17 MiB).
 */
import type { Config } from '../config.js'
import type { Database } from './database.js'
import { openSqlite, type SqliteOptions } from './sqlite/database.js'

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

/** The options reach the engine they are for (DB_SYNCHRONOUS is SQLite's). */
export async function openDatabase(url: string, options: SqliteOptions = {}): Promise<Database> {
  if (!isPostgresUrl(url)) return openSqlite(url, options)
  const { openPg } = await import('./pg/database.js')
  return openPg(url)
}

/** The database the configuration names, opened with the configuration's options. */
export function openConfiguredDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DB_SYNCHRONOUS'>,
): Promise<Database> {
  return openDatabase(config.DATABASE_URL, { synchronous: config.DB_SYNCHRONOUS })
}
