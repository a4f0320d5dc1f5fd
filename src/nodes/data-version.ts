/**
 * The data version: a number that every published change raises. A cached answer or count carries the version it
 * was read at and is good while the version stands. The writer raises it before answering, so no node serves an
 * answer older than a write whose writer already got its 2xx.
 * - PostgreSQL: a row of its own, so every node reads the same number (one primary-key read per check).
 * - SQLite: this connection's own count of changes plus PRAGMA data_version, which moves when another process (an
 *   import beside the server) commits; both are in memory, so a check reads nothing from the database file.
 */
import type { Database } from '../db/database.js'
import type { PgDatabase } from '../db/pg/database.js'
import type { SqliteDatabase } from '../db/sqlite/database.js'
import type { ChangeSignal } from './change-signal.js'

export interface DataVersion {
  read(): Promise<number>
  raise(): Promise<void>
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

function pgDataVersion({ pool }: PgDatabase): DataVersion {
  // Named, so each connection prepares it once.
  const read = { name: 'data_version_read', text: 'SELECT n FROM data_version WHERE id = 1' }
  return {
    read: batched(async () => Number((await pool.query<{ n: string }>(read)).rows[0]?.n ?? 0)),
    raise: async () => {
      await pool.query(
        'INSERT INTO data_version (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = data_version.n + 1',
      )
    },
  }
}

export function createDataVersion(database: Database): DataVersion {
  return database.engine === 'pg'
    ? pgDataVersion(database as PgDatabase)
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
