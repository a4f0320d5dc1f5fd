/** migrations/ must be exactly what drizzle-kit generates from src/db/schema.ts, and must build a working database. */
import { execFileSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'

// drizzle-kit wants an --out path relative to the working directory.
const scratch = `.tmp-migrations-${process.pid}`

describe('migrations', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('agree with src/db/schema.ts: generating from the schema adds nothing', () => {
    cpSync('migrations', scratch, { recursive: true })
    const before = readdirSync(scratch).sort()
    const output = execFileSync(
      'npx',
      [
        'drizzle-kit',
        'generate',
        '--dialect',
        'sqlite',
        '--schema',
        './src/db/schema.ts',
        '--out',
        `./${scratch}`,
      ],
      { encoding: 'utf8' },
    )
    expect(readdirSync(scratch).sort()).toEqual(before)
    expect(output).toContain('No schema changes')
  })

  it('build every table, and applying them twice is harmless', () => {
    const { db, sqlite } = openDatabase(':memory:')
    runMigrations(db)
    runMigrations(db)
    const tables = sqlite
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .pluck()
      .all()
    expect(tables).toEqual(
      expect.arrayContaining(['article_tags', 'articles', 'comments', 'related_links', 'tags', 'tokens']),
    )
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    sqlite.close()
  })
})
