/**
 * SQLite through better-sqlite3: synchronous inside, async at the edge. One connection serves everything; a
 * transaction holds it, and every query from outside that transaction waits until it ends, so no request reads
 * another's uncommitted rows or writes into its transaction between two awaits.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { asc, Column, desc, fillPlaceholders, is, type Placeholder, SQL, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import {
  type Database,
  driverCode,
  type Executor,
  jsonPairs,
  type Query,
  type Statement,
  type StatementParams,
} from '../database.js'
import * as schema from './schema.js'

// src/db/sqlite and dist/db/sqlite sit at the same depth, so this resolves to the repo's folder from both.
export const sqliteMigrationsFolder = fileURLToPath(new URL('../../../migrations/sqlite', import.meta.url))

const UNIQUE_VIOLATIONS = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'])

export type SynchronousMode = 'normal' | 'full'

export interface SqliteDatabase extends Database {
  readonly engine: 'sqlite'
  /** The driver itself, for the engine's own chores (backups, pragmas) and tests that look at stored rows. */
  readonly sqlite: BetterSqlite3.Database
  /** Runs synchronous driver work once no transaction is open: nothing else runs on the connection meanwhile. */
  read<T>(fn: () => T): Promise<T>
}

export interface SqliteOptions {
  /** PRAGMA synchronous (DB_SYNCHRONOUS): `normal` survives a crash of the process, `full` also a power loss. */
  synchronous?: SynchronousMode
}

type Prepared = { all(params?: StatementParams): unknown[]; get(params?: StatementParams): unknown }

/** What drizzle-orm 0.45's better-sqlite3 PreparedQuery holds: the driver's statement and the selection. */
interface DrizzlePrepared extends Prepared {
  stmt: BetterSqlite3.Statement
  query: { params: unknown[] }
  fields?: { path: string[]; field: unknown }[]
  customResultMapper?: unknown
}

type Decoder = { mapFromDriverValue(value: unknown): unknown }

/**
 * A hot statement selecting flat columns, its rows mapped by a mapper decided once: Drizzle's own decides per
 * row and field what each field is (4% of a list read). Same decoders, same keys; other selections keep Drizzle's.
 */
function flatRows(query: DrizzlePrepared): Prepared | undefined {
  const { fields, stmt } = query
  if (!fields || query.customResultMapper || fields.some(({ path }) => path.length !== 1)) return undefined
  const decoders: Decoder[] = []
  for (const { field } of fields) {
    if (is(field, Column)) decoders.push(field)
    else if (is(field, SQL)) decoders.push((field as unknown as { decoder: Decoder }).decoder)
    else if (is(field, SQL.Aliased)) decoders.push((field.sql as unknown as { decoder: Decoder }).decoder)
    else return undefined
  }
  const keys = fields.map(({ path }) => path[0] as string)
  const raw = stmt.raw(true)
  const toObject = (row: unknown[]) => {
    const out: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) {
      const value = row[i]
      out[keys[i] as string] = value === null ? null : (decoders[i] as Decoder).mapFromDriverValue(value)
    }
    return out
  }
  const params = (values?: StatementParams) => fillPlaceholders(query.query.params, values ?? {})
  return {
    all: (values) => (raw.all(...params(values)) as unknown[][]).map(toObject),
    get(values) {
      const row = raw.get(...params(values)) as unknown[] | undefined
      return row === undefined ? undefined : toObject(row)
    },
  }
}

/**
 * Gathers planner statistics where they are missing or stale, checking every table, with no analysis limit
 * (https://sqlite.org/pragma.html#pragma_optimize). The default flags' limited ANALYZE samples a few hundred
 * rows and writes estimates such as "1,001 published articles of 100,000", on which SQLite chose plans that
 * read every published article; a full one costs about 0.3 s at 100,000 articles, and only when stale.
 */
const OPTIMIZE = 'optimize = 0x10002'

/** `url` is a file path, `file:…` or `:memory:`; the file's folder is created when missing. */
export function openSqlite(url: string, options: SqliteOptions = {}): SqliteDatabase {
  const path = url.startsWith('file:') ? url.slice('file:'.length) : url
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new BetterSqlite3(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(OPTIMIZE)
  const qb = drizzle({ client: sqlite, schema })

  // The open transaction, if any: what outside queries wait for.
  let active: Promise<void> | null = null
  /**
   * Runs `fn` once no transaction is open. The check and the call happen in one synchronous step, so no
   * transaction can begin in between; with none open, which is nearly always, `fn` runs at once.
   */
  function whenIdle<T>(fn: () => T): Promise<T> {
    if (active) return active.then(() => whenIdle(fn))
    try {
      return Promise.resolve(fn())
    } catch (error) {
      return Promise.reject(error)
    }
  }

  // Each statement is prepared on first use and kept for the life of the connection.
  const preparedStatements = new Map<Statement<unknown>, Prepared>()
  function prepared<T>(statement: Statement<T>): Prepared {
    let found = preparedStatements.get(statement)
    if (!found) {
      const query = (statement.build(qb) as unknown as { prepare(): DrizzlePrepared }).prepare()
      found = flatRows(query) ?? query
      preparedStatements.set(statement, found)
    }
    return found
  }
  const many = <T>(statement: Statement<T>, params?: StatementParams) =>
    prepared(statement).all(params) as T[]
  const one = <T>(statement: Statement<T>, params?: StatementParams) =>
    prepared(statement).get(params) as T | undefined

  // Inside a transaction: straight to the driver.
  const inside: Executor = {
    qb,
    all: async <T>(query: Query<T>) => query.all(),
    get: async <T>(query: Query<T>) => (query as unknown as { get(): T | undefined }).get(),
    run: async (query) => void query.run(),
    many: async (statement, params) => many(statement, params),
    one: async (statement, params) => one(statement, params),
    rows: async <T>(query: SQL) => qb.all<T>(query),
    forUpdate: (query) => query,
    forUpdateSkipLocked: (query) => query,
    lock: async () => {},
    transaction: (fn) => fn(inside),
  }

  // Outside: wait for the open transaction, then run synchronously.
  const outside: Executor = {
    qb,
    all: <T>(query: Query<T>) => whenIdle(() => query.all()),
    get: <T>(query: Query<T>) => whenIdle(() => (query as unknown as { get(): T | undefined }).get()),
    run: (query) => whenIdle(() => void query.run()),
    many: (statement, params) => whenIdle(() => many(statement, params)),
    one: (statement, params) => whenIdle(() => one(statement, params)),
    rows: <T>(query: SQL) => whenIdle(() => qb.all<T>(query)),
    forUpdate: (query) => query,
    forUpdateSkipLocked: (query) => query,
    lock: async () => {},
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      // Checked again after every wake-up: several writers may wait for the same transaction to end.
      while (active) await active
      let release = () => {}
      active = new Promise((resolve) => {
        release = resolve
      })
      try {
        // IMMEDIATE takes the write lock now: another process on the same file waits (busy_timeout), not fails.
        sqlite.exec('BEGIN IMMEDIATE')
        const result = await fn(inside)
        sqlite.exec('COMMIT')
        return result
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        throw error
      } finally {
        active = null
        release()
      }
    },
  }

  return {
    ...outside,
    engine: 'sqlite',
    sqlite,
    tables: schema,
    read: (fn) => whenIdle(fn),
    asc: (column) => asc(column),
    desc: (column) => desc(column),
    inIds: (column: SQLiteColumn, ids: number[] | Placeholder) =>
      sql`${column} IN (SELECT value FROM json_each(${Array.isArray(ids) ? JSON.stringify(ids) : ids}))`,
    // json_group_array gives '[]' for no row; the text is parsed as the row is read.
    jsonArray: <T>(fields: Record<string, SQLiteColumn | SQL>, from: SQL, orderBy: SQL) =>
      sql<
        T[]
      >`(SELECT json_group_array(json_object(${jsonPairs(fields)}) ORDER BY ${orderBy}) ${from})`.mapWith(
        (text: string) => JSON.parse(text) as T[],
      ),
    isUniqueViolation: (error) => UNIQUE_VIOLATIONS.has(driverCode(error) ?? ''),
    migrate: () => whenIdle(() => migrate(qb, { migrationsFolder: sqliteMigrationsFolder })),
    ping: () => whenIdle(() => void sqlite.prepare('select 1').get()),
    close: () =>
      whenIdle(() => {
        if (!sqlite.open) return
        // A last optimize, as SQLite advises before closing a long-lived connection.
        sqlite.pragma(OPTIMIZE)
        sqlite.close()
      }),
  }
}
