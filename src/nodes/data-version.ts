/**
 * The data version: a number that every published change raises. A cached answer or count carries the version it
 * was read at and is good while the version stands. The writer raises it before answering, so no node serves an
 * answer older than a write whose writer already got its 2xx.
 * - PostgreSQL: a row of its own that every node could read, and leases that spare a node the read (pgDataVersion).
 * - SQLite: this connection's own count of changes plus PRAGMA data_version, which moves when another process (an
 *   import beside the server) commits; both are in memory, so a check reads nothing from the database file.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import type { Database } from '../db/database.js'
import type { PgDatabase } from '../db/pg/database.js'
import type { SqliteDatabase } from '../db/sqlite/database.js'
import type { ChangeSignal } from './change-signal.js'

export interface DataVersion {
  read(): Promise<number>
  /** Resolves once every node would read the new number (see pgDataVersion). */
  raise(): Promise<void>
  /** Gives up the lease (PostgreSQL): reads go to the row from then on. */
  close(): Promise<void>
}

// Per connection, so that every set of services over one SQLite database sees the others' changes.
const sqliteChanges = new WeakMap<SqliteDatabase, { n: number }>()

function sqliteDataVersion(database: SqliteDatabase): DataVersion {
  let changes = sqliteChanges.get(database)
  if (!changes) {
    changes = { n: 0 }
    sqliteChanges.set(database, changes)
  }
  const own = changes
  const others = database.sqlite.prepare('PRAGMA data_version').pluck()
  return {
    read: () => database.read(() => own.n + (others.get() as number)),
    raise: async () => {
      own.n++
    },
    close: async () => {},
  }
}

/**
 * Reads that start after their caller asked, shared: a caller that comes while a read is under way waits for the
 * next one, which starts when that read ends and serves everyone who came meanwhile. Each caller still sees the
 * version as it stood after it asked (so after any write answered before), for one query per batch of callers.
 */
function batched(read: () => Promise<number>): () => Promise<number> {
  let running: Promise<number> | null = null
  let queued: Promise<number> | null = null
  const start = () => {
    const started = read().finally(() => {
      if (running === started) running = null
    })
    running = started
    return started
  }
  return () => {
    if (!running) return start()
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null
        return start()
      })
    return queued
  }
}

const CHANNEL = 'sahifa_version'
const READ = { name: 'data_version_read', text: 'SELECT n FROM data_version WHERE id = 1' }
// One statement: the notice goes out when the raise commits, carrying the number it made.
const RAISE = `WITH raised AS (
  INSERT INTO data_version (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = data_version.n + 1 RETURNING n
) SELECT n, pg_notify('${CHANNEL}', n::text) FROM raised`
const RENEW = `INSERT INTO data_version_nodes (id, lease_until, seen)
  VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond', $3)
  ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until, seen = greatest(data_version_nodes.seen, excluded.seen)`
const ACK = 'UPDATE data_version_nodes SET seen = greatest(seen, $2) WHERE id = $1'
// This node is left out: it took in its own raise before asking.
const UNSEEN = `SELECT count(*)::int AS nodes FROM data_version_nodes
  WHERE lease_until > clock_timestamp() AND seen < $1 AND id <> $2`
// A node that stopped without saying so is forgotten an hour after its lease ran out; until then it costs nothing.
const FORGET = `DELETE FROM data_version_nodes WHERE lease_until < clock_timestamp() - interval '1 hour'`
/**
 * The share of its lease a node trusts its own copy for. The database starts the lease after the node sent the
 * renewal, so the node's deadline comes first in real time; the rest covers clocks that run at slightly
 * different rates, or the database's clock stepping forward by up to a fifth of the lease.
 */
const TRUST = 0.8
const numberOf = ({ rows }: pg.QueryResult<{ n: string }>) => Number(rows[0]?.n ?? 0)
// The first look is at once: a node alone has nobody to wait for.
const WAIT_STEPS_MS = [0, 1, 2, 4, 8, 16, 32, 50]

export interface PgVersionOptions {
  /** How long a renewed lease lasts on the database's clock; renewed every fifth of it. */
  leaseMs?: number
  /** Told when a writer stopped waiting for a node that renews its lease but never takes the version in. */
  onStuck?: (version: number) => void
}

/**
 * PostgreSQL: one row every node could read for each check, but a node that holds a lease reads none. It LISTENs
 * for each raise and records in data_version_nodes what it has taken in; a writer raises, then waits until every
 * node holding a lease has seen the new number or its lease has run out, and only then answers. So a node within
 * its lease knows every version whose writer has answered, from memory; one without a lease (lost connection,
 * not yet migrated, just started) reads the row, in shared batches.
 */
async function pgDataVersion(
  { pool }: PgDatabase,
  { leaseMs = 5000, onStuck }: PgVersionOptions,
): Promise<DataVersion> {
  const { Client } = (await import('pg')).default
  const id = randomUUID()
  let known = 0
  // Both clocks: the monotonic one ignores a jump of the wall clock, the wall clock counts a suspended machine.
  let trustedUntil = 0
  let trustedUntilWall = 0
  const trusted = () => performance.now() < trustedUntil && Date.now() < trustedUntilWall
  let acked = 0
  let acking = false
  let client: pg.Client | null = null
  let closed = false
  // Versions only grow: a number heard late never takes the copy back.
  const learn = (n: number) => {
    if (n > known) known = n
    return n
  }
  const readRow = batched(async () => learn(numberOf(await pool.query<{ n: string }>(READ))))

  function lose(lost: pg.Client) {
    if (client !== lost) return
    client = null
    trustedUntil = 0
    lost.end().catch(() => {})
  }

  // Acknowledgements go out one at a time, each carrying the newest number taken in by then.
  async function acknowledge() {
    if (acking) return
    acking = true
    try {
      while (client && known > acked) {
        const n = known
        await client.query(ACK, [id, n])
        acked = Math.max(acked, n)
      }
    } catch {
      // The renewal carries it, or the lease runs out.
    } finally {
      acking = false
    }
  }

  /**
   * Renew, then read: the read starts after the renewal committed, so a writer that raised before it either saw
   * this lease (and waits for the notice) or raised before the read began (and the read returns its number).
   */
  async function renew(on: pg.Client) {
    const sent = performance.now()
    const sentWall = Date.now()
    await on.query(RENEW, [id, leaseMs, known])
    learn(numberOf(await on.query<{ n: string }>(READ)))
    if (client !== on) return
    trustedUntil = sent + leaseMs * TRUST
    trustedUntilWall = sentWall + leaseMs * TRUST
    void acknowledge()
  }

  async function connect() {
    const fresh = new Client({ ...pool.options, application_name: 'sahifa-data-version' })
    fresh.on('error', () => lose(fresh))
    fresh.on('end', () => lose(fresh))
    fresh.on('notification', (message) => {
      if (message.channel !== CHANNEL || client !== fresh) return
      learn(Number(message.payload))
      void acknowledge()
    })
    try {
      await fresh.connect()
      // Listening first: every raise after this is heard, every one before is in the renewal's read.
      await fresh.query(`LISTEN ${CHANNEL}`)
    } catch (error) {
      await fresh.end().catch(() => {})
      throw error
    }
    if (closed) return void (await fresh.end().catch(() => {}))
    client = fresh
    await renew(fresh)
    await fresh.query(FORGET)
  }

  let renewing = false
  async function tick() {
    if (closed || renewing) return
    renewing = true
    try {
      if (client) await renew(client)
      else await connect()
    } catch {
      // Not yet migrated, or the database is away: the lease runs out and reads go to the row meanwhile.
      trustedUntil = 0
    } finally {
      renewing = false
    }
  }
  await tick()
  const timer = setInterval(tick, leaseMs / 5)
  timer.unref()

  async function waitForNodes(version: number) {
    const deadline = performance.now() + 3 * leaseMs
    for (let step = 0; ; step++) {
      const pause = WAIT_STEPS_MS[Math.min(step, WAIT_STEPS_MS.length - 1)] ?? 50
      if (pause > 0) await sleep(pause)
      const { rows } = await pool.query<{ nodes: number }>(UNSEEN, [version, id])
      if ((rows[0]?.nodes ?? 0) === 0) return
      // Only a node that keeps renewing yet cannot read the version stays here this long.
      if (performance.now() > deadline) return onStuck?.(version)
    }
  }

  return {
    read: () => (trusted() ? Promise.resolve(known) : readRow()),
    async raise() {
      await waitForNodes(learn(numberOf(await pool.query<{ n: string }>(RAISE))))
    },
    async close() {
      closed = true
      clearInterval(timer)
      trustedUntil = 0
      const last = client
      client = null
      await last?.end().catch(() => {})
      // Through the pool, so a node that lost its connection still gives its lease up.
      await pool.query('DELETE FROM data_version_nodes WHERE id = $1', [id]).catch(() => {})
    },
  }
}

export async function createDataVersion(
  database: Database,
  options: PgVersionOptions = {},
): Promise<DataVersion> {
  return database.engine === 'pg'
    ? pgDataVersion(database as PgDatabase, options)
    : sqliteDataVersion(database as SqliteDatabase)
}

/** The signal with the version raised first: whoever hears of a change finds the new number already there. */
export function raisingVersion(signal: ChangeSignal, version: DataVersion): ChangeSignal {
  return {
    ...signal,
    async publish(change) {
      await version.raise()
      await signal.publish(change)
    },
  }
}
