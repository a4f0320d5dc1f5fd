/** DB_SYNCHRONOUS reaches SQLite's PRAGMA synchronous: `normal` by default (1), `full` when asked (2). */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { openConfiguredDatabase } from '../../src/db/open.js'
import type { SqliteDatabase } from '../../src/db/sqlite/database.js'

const folder = mkdtempSync(join(tmpdir(), 'sahifa-synchronous-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

async function synchronousOf(env: Record<string, string>): Promise<unknown> {
  const database = await openConfiguredDatabase(
    loadConfig({ DATABASE_URL: join(folder, 'sahifa.db'), ...env }),
  )
  try {
    return (database as SqliteDatabase).sqlite.pragma('synchronous', { simple: true })
  } finally {
    await database.close()
  }
}

describe('DB_SYNCHRONOUS', () => {
  it('is normal by default, with WAL', async () => {
    expect(await synchronousOf({})).toBe(1)
    const database = await openConfiguredDatabase(loadConfig({ DATABASE_URL: join(folder, 'sahifa.db') }))
    expect((database as SqliteDatabase).sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    await database.close()
  })

  it('is full when asked', async () => {
    expect(await synchronousOf({ DB_SYNCHRONOUS: 'full' })).toBe(2)
    expect(await synchronousOf({ DB_SYNCHRONOUS: 'normal' })).toBe(1)
  })

  it('is left to PostgreSQL’s own settings there', async () => {
    const database = await openConfiguredDatabase(
      loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DB_SYNCHRONOUS: 'full' }),
    )
    expect(database.engine).toBe('pg')
    await database.close()
  })
})
