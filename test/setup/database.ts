/** Once per `npm run test:pg`: a migrated template database for the test files to clone; dropped at the end. */
// The workers are forked after this runs, so they inherit the run's name (test/helpers/engine.ts).
process.env.SAHIFA_TEST_RUN ??= String(process.pid)

import pg from 'pg'
import { openPg } from '../../src/db/pg/database.js'
import {
  adminQuery,
  PG_PREFIX,
  PG_TEMPLATE,
  pgUrl,
  runPrefix,
  TEST_DATABASE_URL,
  TEST_ENGINE,
} from '../helpers/engine.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** This run's databases, and those of earlier runs that were cut short (their process is gone). */
async function dropTestDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'`,
  )
  await client.end()
  const mine = runPrefix(process.env.SAHIFA_TEST_RUN as string)
  const stale = rows
    .map((row) => row.datname)
    .filter((name) => name.startsWith(mine) || !alive(Number(name.slice(PG_PREFIX.length).split('_')[0])))
  await adminQuery(...stale.map((name) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
}

export async function setup(): Promise<void> {
  if (TEST_ENGINE !== 'pg') return
  await dropTestDatabases()
  await adminQuery(`CREATE DATABASE ${PG_TEMPLATE}`)
  const template = openPg(pgUrl(PG_TEMPLATE), { max: 2 })
  await template.migrate()
  await template.close()
}

export async function teardown(): Promise<void> {
  if (TEST_ENGINE === 'pg') await dropTestDatabases()
}
