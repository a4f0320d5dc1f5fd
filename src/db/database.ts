/**
 * The Database port: what repositories need of an engine. Queries are written once with Drizzle's query builder
 * and run on either engine; the few things only an engine knows (transactions, row locks, unique-violation
 * codes, NULL ordering, migrations) live behind this interface, in db/sqlite/ and db/pg/.
 */
import { type Placeholder, type SQL, sql } from 'drizzle-orm'
import type { BaseSQLiteDatabase, SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type * as sqliteSchema from './sqlite/schema.js'

export type Engine = 'sqlite' | 'pg'

/**
 * The tables every repository queries. Typed as SQLite's; on PostgreSQL they are the pg-core tables of the same
 * names and columns (test/db/schemas.test.ts), which Drizzle's builder turns into the same queries.
 */
export type Tables = Pick<
  typeof sqliteSchema,
  | 'articles'
  | 'tags'
  | 'articleTags'
  | 'relatedLinks'
  | 'comments'
  | 'tokens'
  | 'articleRevisions'
  | 'articlePreviews'
  | 'importRecords'
  | 'articleRedirects'
  | 'webhooks'
  | 'webhookEvents'
  | 'webhookDeliveries'
>

/** Drizzle's query builder, typed as SQLite's (see Tables). */
export type QueryBuilder = BaseSQLiteDatabase<'sync', unknown, typeof sqliteSchema>

/** A built query: run it with an Executor, never by hand, so that it runs on the engine and transaction meant. */
export interface Query<T> {
  all(): T[]
}

/**
 * A query written once with `sql.placeholder(name)` where its values go, and prepared once per engine: the hot
 * reads skip building SQL on every request. `name` is the statement's name on PostgreSQL, so it must be unique.
 */
export interface Statement<T> {
  readonly name: string
  readonly build: (qb: QueryBuilder) => Query<T>
}

export function statement<T>(name: string, build: (qb: QueryBuilder) => Query<T>): Statement<T> {
  return { name, build }
}

export type StatementParams = Record<string, unknown>

/**
 * Where queries run: the database, or a transaction. Repositories take one explicitly (`tx`), so every
 * statement of a multi-step write runs in the transaction its service opened.
 */
export interface Executor {
  readonly qb: QueryBuilder
  all<T>(query: Query<T>): Promise<T[]>
  /**
   * The first row. Lookups by a unique key need no LIMIT (building one costs more than it saves); give the
   * query a `.limit(1)` where several rows could match.
   */
  get<T>(query: Query<T>): Promise<T | undefined>
  run(query: { run(): unknown }): Promise<void>
  /** Every row of a prepared statement, run with these values for its placeholders. */
  many<T>(statement: Statement<T>, params?: StatementParams): Promise<T[]>
  /** The first row of a prepared statement (give it a LIMIT where several rows could match). */
  one<T>(statement: Statement<T>, params?: StatementParams): Promise<T | undefined>
  /** Rows of a raw statement (engine-specific SQL only: the search indexes). */
  rows<T>(query: SQL): Promise<T[]>
  /** The query with the row locks a read-check-write needs: FOR UPDATE on PostgreSQL; SQLite's writer holds all. */
  forUpdate<Q>(query: Q): Q
  /**
   * The query locking the rows it reads and skipping rows another transaction holds (FOR UPDATE SKIP LOCKED on
   * PostgreSQL), so that several nodes each take different rows of a queue; SQLite's one writer needs nothing.
   */
  forUpdateSkipLocked<Q>(query: Q): Q
  /** Holds other writers of `key` until this transaction ends (an advisory lock; SQLite has one writer anyway). */
  lock(key: string): Promise<void>
  /** Runs `fn` in a transaction that commits when it resolves and rolls back when it throws; nested calls join. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>
}

export interface Database extends Executor {
  readonly engine: Engine
  readonly tables: Tables
  /** Ascending / descending with NULL first ascending and last descending, as SQLite sorts, on both engines. */
  asc(column: SQLiteColumn | SQL): SQL
  desc(column: SQLiteColumn | SQL): SQL
  /**
   * `column IN (ids)`, bound as one parameter however long the list: the ids themselves, or a placeholder whose
   * value is their JSON text (`JSON.stringify(ids)`), for a prepared statement.
   */
  inIds(column: SQLiteColumn, ids: number[] | Placeholder): SQL
  /**
   * A JSON array built in the database: one object of `fields` per row of `from` (a `FROM … WHERE …` fragment,
   * usually correlated with the outer row), in `orderBy` order, `[]` when there is none; read as an array on both
   * engines. It puts a row's small lists in the row's own query rather than in one query more per page.
   */
  jsonArray<T>(fields: Record<string, SQLiteColumn | SQL>, from: SQL, orderBy: SQL): SQL<T[]>
  /** The engine's own unique-violation error (a race the services' checks lost); Drizzle may wrap it as `cause`. */
  isUniqueViolation(error: unknown): boolean
  /** Applies the migrations of this engine; safe when several nodes start together. */
  migrate(): Promise<void>
  /** Throws when the database does not answer. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** `'key', value, …` for json_object / json_build_object; keys are the code's own identifiers. */
export function jsonPairs(fields: Record<string, SQLiteColumn | SQL>): SQL {
  return sql.join(
    Object.entries(fields).flatMap(([key, value]) => {
      if (!/^[A-Za-z]+$/.test(key)) throw new Error(`Not a JSON key of ours: ${key}`)
      return [sql.raw(`'${key}'`), sql`${value}`]
    }),
    sql`, `,
  )
}

/** A driver error, or the one Drizzle wrapped it in (drizzle-orm ≥ 0.44: DrizzleQueryError with `cause`). */
export function driverCode(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } }
  if (typeof code === 'string') return code
  return typeof cause?.code === 'string' ? cause.code : undefined
}
