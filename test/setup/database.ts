/** Once per `npm run test:pg`: a migrated template database for the test files to clone; dropped at the end. */

import pg from 'pg'
import { openPg } from '../../src/db/pg/database.js'
import {
  adminQuery,
  PG_PREFIX,
  PG_TEMPLATE,
  pgUrl,
  TEST_DATABASE_URL,
  TEST_ENGINE,
} from '../helpers/engine.js'

async function dropTestDatabases(): Promise<void> {
  // Leftovers of an earlier run that was cut short go too.
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'`,
  )
  await client.end()
  await adminQuery(...rows.map((row) => `DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`))
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
