/** DATABASE_URL names the engine: postgres:// or postgresql:// is PostgreSQL, anything else a SQLite file. */
import type { Config } from '../config.js'
import type { Database } from './database.js'
import { openPg } from './pg/database.js'
import { openSqlite, type SqliteOptions } from './sqlite/database.js'

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

/** The options reach the engine they are for (DB_SYNCHRONOUS is SQLite's). */
export function openDatabase(url: string, options: SqliteOptions = {}): Database {
  return isPostgresUrl(url) ? openPg(url) : openSqlite(url, options)
}

/** The database the configuration names, opened with the configuration's options. */
export function openConfiguredDatabase(config: Pick<Config, 'DATABASE_URL' | 'DB_SYNCHRONOUS'>): Database {
  return openDatabase(config.DATABASE_URL, { synchronous: config.DB_SYNCHRONOUS })
}
