/** Opens the SQLite database with the pragmas Sahifa relies on, wrapped in Drizzle. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema>

export interface DatabaseHandle {
  db: Db
  sqlite: Database.Database
}

/** `url` is a file path or `:memory:`; the file's folder is created when missing. */
export function openDatabase(url: string): DatabaseHandle {
  const path = url.startsWith('file:') ? url.slice('file:'.length) : url
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  // Gathers planner statistics where they are missing or stale; cheap, and what SQLite advises for long-lived
  // connections (https://sqlite.org/pragma.html#pragma_optimize).
  sqlite.pragma('optimize = 0x10002')
  return { db: drizzle({ client: sqlite, schema }), sqlite }
}

/** Closes the database after a last `PRAGMA optimize`, as SQLite advises before closing a connection. */
export function closeDatabase(sqlite: Database.Database): void {
  if (!sqlite.open) return
  sqlite.pragma('optimize')
  sqlite.close()
}
