/**
 * The engine the suite runs on: SQLite in memory (`npm test`), or PostgreSQL (`npm run test:pg`, TEST_ENGINE=pg)
 * at TEST_DATABASE_URL, where each test file gets a database of its own, cloned from a migrated template.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Database } from '../../src/db/database.js'
import { openPg, type PgDatabase } from '../../src/db/pg/database.js'
import { openSqlite, type SqliteDatabase } from '../../src/db/sqlite/database.js'

export const TEST_ENGINE: 'sqlite' | 'pg' = process.env.TEST_ENGINE === 'pg' ? 'pg' : 'sqlite'
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
/**
 * Every database of one run is named after it (the pid of the vitest process, handed to the workers through the
 * environment by test/setup/database.ts), so runs side by side on one server leave each other alone.
 */
export const PG_PREFIX = 'sahifa_test_'
const RUN = process.env.SAHIFA_TEST_RUN ?? String(process.pid)
export const runPrefix = (run: string) => `${PG_PREFIX}${run}_`
export const PG_TEMPLATE = `${runPrefix(RUN)}template`

/** The URL of another database on the same server. */
export function pgUrl(database: string): string {
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${database}`
  return url.toString()
}

/** Runs statements on the server's maintenance database (CREATE / DROP DATABASE cannot run in a pool). */
export async function adminQuery(...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  try {
    await client.connect()
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${TEST_DATABASE_URL}: start it (see README, Development)`,
      {
        cause: error,
      },
    )
  }
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

async function createPgDatabase(template?: string): Promise<string> {
  const name = `${runPrefix(RUN)}${process.pid}_${randomBytes(4).toString('hex')}`
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`)
      return name
    } catch (error) {
      // Two files cloning the template at the same instant: PostgreSQL refuses the second; it tries again.
      const busy = /being accessed by other users/.test(String((error as Error).message))
      if (!busy || attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}

/** A database URL for a test that migrates it itself (bootstrap, migrations): empty, never used before. */
export async function emptyDatabaseUrl(): Promise<string> {
  if (TEST_ENGINE === 'sqlite') return ':memory:'
  return pgUrl(await createPgDatabase())
}

let fileDatabase: string | undefined

// Every table the app writes, emptied between the tests of a file (ids start again at 1).
const TABLES = [
  'articles',
  'tags',
  'article_tags',
  'related_links',
  'comments',
  'tokens',
  'article_search',
  'rate_limits',
  'article_revisions',
  'article_previews',
  'import_records',
  'article_redirects',
  'webhooks',
  'webhook_events',
  'webhook_deliveries',
]

/** A migrated database with no rows: `:memory:` on SQLite; on PostgreSQL this file's database, emptied. */
export async function migratedDatabase(): Promise<Database> {
  if (TEST_ENGINE === 'sqlite') {
    const database = openSqlite(':memory:')
    await database.migrate()
    return database
  }
  fileDatabase ??= await createPgDatabase(PG_TEMPLATE)
  const database = openPg(pgUrl(fileDatabase), { max: 4 })
  await database.pool.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`)
  return database
}

/**
 * A migrated database with no rows that no other test shares, for a test that breaks it for good (drops a
 * table, adds an index): `:memory:` on SQLite; on PostgreSQL a new clone of the template.
 */
export async function isolatedDatabase(): Promise<Database> {
  if (TEST_ENGINE === 'sqlite') return migratedDatabase()
  return openPg(pgUrl(await createPgDatabase(PG_TEMPLATE)), { max: 4 })
}

/** Its DATABASE_URL, for tests that start a server process of their own on the same data. */
export function urlOf(database: Database): string {
  if (database.engine === 'sqlite') return ':memory:'
  return (database as PgDatabase).pool.options.connectionString ?? pgUrl(fileDatabase as string)
}

type Row = Record<string, unknown>

/**
 * A raw statement, `?` placeholders, on either engine: what tests use to look at stored rows or to break things
 * on purpose. PostgreSQL's bigint counts come back as numbers, as SQLite's do.
 */
export async function rawQuery<T = Row>(
  database: Database,
  text: string,
  ...params: unknown[]
): Promise<T[]> {
  if (database.engine === 'sqlite') {
    const statement = (database as SqliteDatabase).sqlite.prepare(text)
    if (!statement.reader) {
      statement.run(...params)
      return []
    }
    return statement.all(...params) as T[]
  }
  let n = 0
  const result = await (database as PgDatabase).pool.query({
    text: text.replace(/\?/g, () => `$${++n}`),
    values: params,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
    },
  })
  return result.rows as T[]
}
