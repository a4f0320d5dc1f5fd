/**
 * The data version's leases on PostgreSQL (nodes/data-version.ts): a node within its lease answers from memory,
 * and a writer answers only once every node holding a lease has taken its raise in or lost the lease. Two nodes
 * here are two DataVersions over two pools on one database, with a one-second lease. Part of `npm run test:pg`.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { openPg, type PgDatabase } from '../../src/db/pg/database.js'
import { createDataVersion, type DataVersion } from '../../src/nodes/data-version.js'
import { migratedDatabase, rawQuery, urlOf } from '../helpers/engine.js'
import { versionRowReads } from '../helpers/queries.js'

const LEASE_MS = 1000

let databaseA: Database
let databaseB: PgDatabase
let a: DataVersion
let b: DataVersion
const stuck: number[] = []

beforeEach(async () => {
  databaseA = await migratedDatabase()
  if (databaseA.engine !== 'pg') throw new Error('the lease test runs on PostgreSQL (npm run test:pg)')
  databaseB = openPg(urlOf(databaseA), { max: 4 })
  a = await createDataVersion(databaseA, { leaseMs: LEASE_MS })
  b = await createDataVersion(databaseB, { leaseMs: LEASE_MS, onStuck: (n) => stuck.push(n) })
  stuck.length = 0
})

afterEach(async () => {
  await a.close()
  await b.close()
  await databaseB.close()
  await databaseA.close()
})

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

it('a raise on one node is known to the other as soon as the writer may answer, with no read of the row', async () => {
  const reads = versionRowReads(databaseA)
  const before = await a.read()
  const waited = await timed(async () => {
    for (let i = 1; i <= 10; i++) {
      await b.raise()
      expect(await a.read()).toBe(before + i)
    }
  })
  expect(reads()).toBe(0)
  // A hears each raise at once: waiting for its next renewal instead would take a fifth of the lease per raise.
  expect(waited).toBeLessThan(LEASE_MS)
  const [row] = await rawQuery<{ nodes: number }>(
    databaseA,
    'SELECT count(*) AS nodes FROM data_version_nodes',
  )
  expect(row?.nodes).toBe(2)
})

it('a writer waits for a node that holds a lease and has not seen the raise, until that lease runs out', async () => {
  // A node that stopped answering: its lease still runs for 600 ms, and it never takes anything in.
  await rawQuery(
    databaseA,
    "INSERT INTO data_version_nodes (id, lease_until, seen) VALUES ('silent', clock_timestamp() + interval '600 milliseconds', 0)",
  )
  const waited = await timed(() => b.raise())
  expect(waited).toBeGreaterThanOrEqual(450)
  expect(waited).toBeLessThan(LEASE_MS * 3)
  expect(stuck).toEqual([])
  // Its lease is over: the next raise waits for nobody.
  expect(await timed(() => b.raise())).toBeLessThan(300)
  await rawQuery(databaseA, "DELETE FROM data_version_nodes WHERE id = 'silent'")
})

it('a node whose connection is cut misses no raise, and connects again to read from memory', async () => {
  const reads = versionRowReads(databaseA)
  const before = await a.read()
  // Both nodes lose their listening connection; B's raise still reaches A, by the notice or by the row.
  await rawQuery(
    databaseA,
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sahifa-data-version' AND datname = current_database()",
  )
  await b.raise()
  expect(await a.read()).toBe(before + 1)
  // Within a fifth of the lease the node is back: a lease, and reads from memory.
  await expect
    .poll(
      async () => {
        const was = reads()
        await a.read()
        return reads() - was
      },
      { timeout: LEASE_MS * 3, interval: 50 },
    )
    .toBe(0)
  const [row] = await rawQuery<{ live: number }>(
    databaseA,
    'SELECT count(*) AS live FROM data_version_nodes WHERE lease_until > clock_timestamp()',
  )
  expect(row?.live).toBe(2)
  await b.raise()
  const was = reads()
  expect(await a.read()).toBe(before + 2)
  expect(reads()).toBe(was)
})

it('a node whose machine was suspended (its wall clock moved on, its monotonic clock did not) reads the row', async () => {
  const reads = versionRowReads(databaseA)
  await a.read()
  expect(reads()).toBe(0)
  const now = Date.now()
  const clock = vi.spyOn(Date, 'now').mockReturnValue(now + LEASE_MS)
  try {
    await a.read()
    expect(reads()).toBe(1)
  } finally {
    clock.mockRestore()
  }
})

it('a writer stops waiting, and says so, for a node that keeps its lease but never takes the raise in', async () => {
  // Renewed by hand past every deadline the writer could have: a node that renews yet cannot read.
  await rawQuery(
    databaseA,
    "INSERT INTO data_version_nodes (id, lease_until, seen) VALUES ('stuck', clock_timestamp() + interval '1 hour', 0)",
  )
  const waited = await timed(() => b.raise())
  expect(waited).toBeGreaterThanOrEqual(LEASE_MS * 3)
  expect(stuck).toEqual([await b.read()])
  await rawQuery(databaseA, "DELETE FROM data_version_nodes WHERE id = 'stuck'")
})

it('a node that closes gives its lease up: writers stop waiting for it', async () => {
  await a.close()
  const [row] = await rawQuery<{ nodes: number }>(
    databaseA,
    'SELECT count(*) AS nodes FROM data_version_nodes',
  )
  expect(row?.nodes).toBe(1)
  expect(await timed(() => b.raise())).toBeLessThan(300)
})
