/**
 * The data version (nodes/data-version.ts): raised by every published change. A node reads it from memory (SQLite;
 * PostgreSQL within its lease, test/nodes/data-version.test.ts); without a lease on PostgreSQL, readers that come
 * together share one query without ever seeing a version older than when they asked.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { createDataVersion, type DataVersion } from '../../src/nodes/data-version.js'
import { migratedDatabase, TEST_ENGINE } from '../helpers/engine.js'
import { versionRowReads } from '../helpers/queries.js'

let database: Database
let version: DataVersion
beforeEach(async () => {
  database = await migratedDatabase()
  version = await createDataVersion(database)
})
afterEach(async () => {
  await version.close()
  await database.close()
})

it('moves with every raise', async () => {
  const before = await version.read()
  await version.raise()
  await version.raise()
  expect(await version.read()).toBe(before + 2)
})

it('never answers a reader with a version older than when it asked, even while a read is under way', async () => {
  const start = await version.read()
  const first = version.read()
  await version.raise()
  // Asked after the raise, while the first read may still be running: it must see the raise.
  const second = version.read()
  expect(await second).toBe(start + 1)
  expect(await first).toBeGreaterThanOrEqual(start)
})

it('reads from memory: SQLite always, PostgreSQL while the node holds its lease', async () => {
  const reads = versionRowReads(database)
  const answers = await Promise.all(Array.from({ length: 20 }, () => version.read()))
  expect(new Set(answers).size).toBe(1)
  expect(reads()).toBe(0)
})

it('without a lease (closed here), readers that come together share one query per batch on PostgreSQL', async () => {
  await version.close()
  const before = await version.read()
  const reads = versionRowReads(database)
  const answers = await Promise.all(Array.from({ length: 20 }, () => version.read()))
  expect(answers).toEqual(Array(20).fill(before))
  expect(reads()).toBe(TEST_ENGINE === 'pg' ? 2 : 0)
  // The raise still reaches the row, and the next read sees it.
  await version.raise()
  expect(await version.read()).toBe(before + 1)
})
