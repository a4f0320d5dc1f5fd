/**
 * SQLite's planner statistics are gathered whole: PRAGMA optimize's default, limited ANALYZE sampled a few hundred
 * rows and wrote estimates ("1,001 published articles in 20,000") on which SQLite read every published article to
 * find the few hidden ones. Always a SQLite file, whichever engine the suite runs on: the rule is SQLite's own.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { openConfiguredDatabase } from '../../src/db/open.js'
import type { SqliteDatabase } from '../../src/db/sqlite/database.js'

const folder = mkdtempSync(join(tmpdir(), 'sahifa-statistics-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const ARTICLES = 20_000

it('are exact after a connection that filled the articles table closes', async () => {
  const path = join(folder, 'sahifa.db')
  const database = (await openConfiguredDatabase(loadConfig({ DATABASE_URL: path }))) as SqliteDatabase
  await database.migrate()
  // Every 50th a draft, as in a newsroom's archive: two statuses, 10,000 articles each on average.
  database.sqlite
    .prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
      INSERT INTO articles (slug, title, excerpt, body, html, status, published_at, created_at, updated_at)
      SELECT 'a-' || i, 't', 'e', 'b', '<p>b</p>', CASE WHEN i % 50 = 0 THEN 'draft' ELSE 'published' END,
        strftime('%Y-%m-%dT%H:%M:%fZ', 1600000000 + i * 60, 'unixepoch'), '2020-01-01T00:00:00.000Z',
        '2020-01-01T00:00:00.000Z' FROM n`)
    .run(ARTICLES)
  database.sqlite.prepare(`SELECT count(*) FROM articles WHERE status = 'published'`).get()
  await database.close()

  const file = new BetterSqlite3(path, { readonly: true })
  try {
    const row = file
      .prepare(`SELECT stat FROM sqlite_stat1 WHERE idx = 'articles_status_published_at_idx'`)
      .get() as { stat: string } | undefined
    expect(row?.stat.split(' ').slice(0, 2)).toEqual([String(ARTICLES), String(ARTICLES / 2)])
  } finally {
    file.close()
  }
})
