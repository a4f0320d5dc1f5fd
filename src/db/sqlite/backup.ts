/**
 * An online backup of a SQLite database (SQLite's backup API through better-sqlite3), consistent while the server
 * runs and writes: every page goes over in one step, under one read transaction, so the copy is the database as it
 * was at one instant, WAL content included. The copy is written beside its target and renamed into place, checked,
 * and turned into one self-contained file (journal_mode DELETE: no -wal to forget).
 * @see https://www.sqlite.org/backup.html
 */
import { renameSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'

export interface BackupResult {
  pages: number
  target: string
}

export class BackupError extends Error {
  override name = 'BackupError'
}

/** `source` as DATABASE_URL names it (a path or `file:…`); `target` a file path, replaced when it exists. */
export async function backupSqlite(source: string, target: string): Promise<BackupResult> {
  const from = resolve(source.replace(/^file:/, ''))
  const to = resolve(target)
  if (source === ':memory:') throw new BackupError('An in-memory database has nothing on disk to back up.')
  if ([from, `${from}-wal`, `${from}-shm`].includes(to)) {
    throw new BackupError('The backup would overwrite the database itself; name another file.')
  }
  let database: BetterSqlite3.Database
  try {
    database = new BetterSqlite3(from, { fileMustExist: true })
  } catch {
    throw new BackupError('The database file does not exist or cannot be opened.')
  }
  const partial = `${to}.partial-${process.pid}`
  try {
    database.pragma('busy_timeout = 5000')
    // After the first step, the rest in one: the copy is then one snapshot, and writers never make it start over.
    const { totalPages } = await database.backup(partial, { progress: ({ totalPages }) => totalPages })
    const copy = new BetterSqlite3(partial)
    try {
      const check = copy.pragma('integrity_check', { simple: true })
      if (check !== 'ok') throw new BackupError('The copy failed its integrity check.')
      copy.pragma('journal_mode = DELETE')
    } finally {
      copy.close()
    }
    renameSync(partial, to)
    return { pages: totalPages, target: to }
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  } finally {
    database.close()
  }
}
