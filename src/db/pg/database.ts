/**
 * PostgreSQL through a node-postgres pool. Transactions are READ COMMITTED on a pooled connection; the rules that
 * read, check and write lock what they read (FOR UPDATE, or an advisory lock on a key).
 */
import { fileURLToPath } from 'node:url'
import { type Placeholder, type SQL, sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import pg from 'pg'
import {
  type Database,
  driverCode,
  type Executor,
  jsonPairs,
  type QueryBuilder,
  type Statement,
  type StatementParams,
  type Tables,
} from '../database.js'
import * as schema from './schema.js'

export const pgMigrationsFolder = fileURLToPath(new URL('../../../migrations/pg', import.meta.url))

// Any fixed number: the key of the advisory lock the nodes take in turn to migrate.
const MIGRATION_LOCK_KEY = 7_221_604

export interface PgDatabase extends Database {
  readonly engine: 'pg'
  readonly pool: pg.Pool
}

export interface PgOptions {
  /** Connections per node. */
  max?: number
}

type PgQb = NodePgDatabase<typeof schema>

/** One key for pg_advisory_xact_lock: a 64-bit hash of the text, computed by PostgreSQL. */
function lockSql(key: string): SQL {
  return sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`
}

type Prepared = { execute(params?: StatementParams): Promise<unknown[]> }

const prepare = (qb: PgQb, statement: Statement<unknown>) =>
  (statement.build(qb as unknown as QueryBuilder) as unknown as { prepare(name: string): Prepared }).prepare(
    statement.name,
  )

/**
 * `prepared` finds a statement's prepared form: on the pool, built once and kept (node-postgres prepares it on each
 * connection the first time that connection runs it); in a transaction, built for that transaction's connection.
 */
function executor(qb: PgQb, prepared: (statement: Statement<unknown>) => Prepared): Executor {
  const self: Executor = {
    qb: qb as unknown as QueryBuilder,
    // Drizzle's pg queries are thenables: awaiting one runs it on the pool, or on the transaction it came from.
    all: async (query) => (await (query as unknown as PromiseLike<never[]>)) as never,
    get: async (query) => ((await (query as unknown as PromiseLike<unknown[]>)) as never[])[0],
    run: async (query) => void (await (query as unknown as PromiseLike<unknown>)),
    many: async <T>(statement: Statement<T>, params?: StatementParams) =>
      (await prepared(statement).execute(params)) as T[],
    one: async <T>(statement: Statement<T>, params?: StatementParams) =>
      (await prepared(statement).execute(params))[0] as T | undefined,
    rows: async <T>(query: SQL) => (await qb.execute(query)).rows as T[],
    forUpdate: (query) => (query as unknown as { for(strength: 'update'): unknown }).for('update') as never,
    forUpdateSkipLocked: (query) =>
      (query as unknown as { for(strength: 'update', config: { skipLocked: boolean }): unknown }).for(
        'update',
        {
          skipLocked: true,
        },
      ) as never,
    lock: async (key) => void (await qb.execute(lockSql(key))),
    transaction: (fn) => qb.transaction((tx) => fn(transactionExecutor(tx as unknown as PgQb))),
  }
  return self
}

function transactionExecutor(tx: PgQb): Executor {
  const inside = executor(tx, (statement) => prepare(tx, statement))
  // A transaction inside one joins it, as on SQLite.
  return { ...inside, transaction: (fn) => fn(inside) }
}

export function openPg(url: string, options: PgOptions = {}): PgDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Times leave the database in UTC, so they read back as the same ISO strings SQLite stores.
    options: '-c TimeZone=UTC',
  })
  // An idle client losing its server must not crash the process; the next query reports the outage.
  pool.on('error', () => {})
  const qb = drizzle({ client: pool, schema })
  const preparedStatements = new Map<Statement<unknown>, Prepared>()
  const root = executor(qb, (statement) => {
    let found = preparedStatements.get(statement)
    if (!found) {
      found = prepare(qb, statement)
      preparedStatements.set(statement, found)
    }
    return found
  })
  return {
    ...root,
    transaction: (fn) => qb.transaction((tx) => fn(transactionExecutor(tx as unknown as PgQb))),
    engine: 'pg',
    pool,
    tables: schema as unknown as Tables,
    asc: (column) => sql`${column} ASC NULLS FIRST`,
    desc: (column) => sql`${column} DESC NULLS LAST`,
    // JSON's [1,2] read as PostgreSQL's array literal {1,2}.
    inIds: (column: SQLiteColumn, ids: number[] | Placeholder) =>
      sql`${column} = ANY(translate(${Array.isArray(ids) ? JSON.stringify(ids) : ids}, '[]', '{}')::int[])`,
    // json, which node-postgres parses; json_agg gives NULL for no row.
    jsonArray: <T>(fields: Record<string, SQLiteColumn | SQL>, from: SQL, orderBy: SQL) =>
      sql<
        T[]
      >`(SELECT coalesce(json_agg(json_build_object(${jsonPairs(fields)}) ORDER BY ${orderBy}), '[]'::json)
        ${from})`,
    isUniqueViolation: (error) => driverCode(error) === '23505',
    async migrate() {
      // A session-level lock on one connection while the migrator works on the pool: nodes migrate in turn,
      // and the later ones find nothing left to do.
      const client = await pool.connect()
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
        await migrate(qb, { migrationsFolder: pgMigrationsFolder })
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
        client.release()
      }
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    async close() {
      // Idempotent: the app's onClose and a test that took the database away may both close it.
      if (!pool.ending) await pool.end()
    },
  }
}
