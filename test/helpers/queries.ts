/**
 * The SQL a database runs while `fn` runs, in transactions too, prepared statements included: for tests that
 * prove a read ran no query, or not a given one. The executors are wrapped for the call and put back after.
 */
import type { Database, Executor, Statement } from '../../src/db/database.js'
import type { PgDatabase } from '../../src/db/pg/database.js'
import type { SqliteDatabase } from '../../src/db/sqlite/database.js'

type Method = 'all' | 'get' | 'run' | 'rows' | 'many' | 'one'

export async function queriesDuring(database: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const target = database as unknown as Record<Method | 'transaction', (...args: never[]) => Promise<unknown>>
  const originals = Object.fromEntries(
    (['all', 'get', 'run', 'rows', 'many', 'one'] as const).map((method) => [method, target[method]]),
  ) as Record<Method, (...args: unknown[]) => Promise<unknown>>
  const seen: string[] = []
  // A builder renders itself; a raw sql`` object is rendered by the engine's dialect.
  const dialect = (database.qb as unknown as { dialect: { sqlToQuery(query: unknown): { sql: string } } })
    .dialect
  const sqlOf = (query: unknown) =>
    (query as { toSQL?: () => { sql: string } }).toSQL?.().sql ??
    ((query as { queryChunks?: unknown }).queryChunks ? dialect.sqlToQuery(query).sql : String(query))
  // Writes `executor`'s methods, each recording its SQL before it runs; a transaction's executor gets the same.
  const record = (
    into: Record<Method | 'transaction', unknown>,
    executor: Record<Method, (...args: unknown[]) => Promise<unknown>> & Pick<Executor, 'transaction'>,
  ) => {
    for (const method of ['all', 'get', 'run', 'rows'] as const) {
      into[method] = (query: unknown) => {
        seen.push(sqlOf(query))
        return executor[method](query)
      }
    }
    for (const method of ['many', 'one'] as const) {
      into[method] = (statement: unknown, params?: unknown) => {
        seen.push(sqlOf((statement as Statement<unknown>).build(database.qb)))
        return executor[method](statement, params)
      }
    }
    into.transaction = (body: (tx: Executor) => Promise<unknown>) =>
      executor.transaction((tx) => {
        const inside = { ...tx } as Record<Method | 'transaction', unknown>
        record(inside, tx as unknown as Parameters<typeof record>[1])
        return body(inside as unknown as Executor)
      })
  }
  const transaction = database.transaction
  record(target, { ...originals, transaction: transaction.bind(database) } as Parameters<typeof record>[1])
  try {
    await fn()
  } finally {
    Object.assign(target, originals, { transaction })
  }
  return seen
}

/**
 * Every statement `fn` makes the engine run, the ones that bypass the port included: SQLite's search index
 * prepares its statements on the driver itself. On PostgreSQL everything goes through the port.
 */
export async function statementsDuring(database: Database, fn: () => Promise<unknown>): Promise<string[]> {
  if (database.engine === 'pg') return queriesDuring(database, fn)
  const { sqlite } = database as SqliteDatabase
  const prepare = sqlite.prepare
  const seen: string[] = []
  sqlite.prepare = ((source: string) => {
    seen.push(source)
    return prepare.call(sqlite, source)
  }) as typeof prepare
  try {
    await fn()
  } finally {
    sqlite.prepare = prepare
  }
  return seen
}

/**
 * Counts the reads of the data version's row that go through a PostgreSQL pool from now on (nodes/data-version.ts
 * names its query); SQLite has no such row and counts none.
 */
export function versionRowReads(database: Database): () => number {
  let reads = 0
  if (database.engine === 'pg') {
    const { pool } = database as PgDatabase
    const query = pool.query.bind(pool)
    pool.query = ((...args: Parameters<typeof pool.query>) => {
      if ((args[0] as { name?: string }).name === 'data_version_read') reads++
      return query(...args)
    }) as typeof pool.query
  }
  return () => reads
}
