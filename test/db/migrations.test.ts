/**
 * migrations/sqlite and migrations/pg must be exactly what drizzle-kit generates from src/db/sqlite/schema.ts and
 * src/db/pg/schema.ts (checked for both engines, whichever the suite runs on), and must build a working
 * database on the engine under test.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/open.js'
import { emptyDatabaseUrl, rawQuery, TEST_ENGINE } from '../helpers/engine.js'

// drizzle-kit wants an --out path relative to the working directory.
const scratch = `.tmp-migrations-${process.pid}`

const dialects = [
  { engine: 'sqlite', dialect: 'sqlite', schema: './src/db/sqlite/schema.ts', folder: 'migrations/sqlite' },
  { engine: 'pg', dialect: 'postgresql', schema: './src/db/pg/schema.ts', folder: 'migrations/pg' },
] as const

/** Every file under a folder, relative to it, sorted: what a generate that added nothing leaves as it was. */
function filesUnder(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[]).map(String).sort()
}

describe('migrations', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  for (const target of dialects) {
    it(`of ${target.engine} agree with ${target.schema}: generating from the schema adds nothing`, () => {
      const out = `${scratch}/${target.engine}`
      cpSync(target.folder, out, { recursive: true })
      const before = filesUnder(out)
      const output = execFileSync(
        'npx',
        [
          'drizzle-kit',
          'generate',
          '--dialect',
          target.dialect,
          '--schema',
          target.schema,
          '--out',
          `./${out}`,
        ],
        { encoding: 'utf8' },
      )
      expect(filesUnder(out)).toEqual(before)
      expect(output).toContain('No schema changes')
    })
  }

  it(`build every table on ${TEST_ENGINE}, and applying them twice is harmless`, async () => {
    const database = await openDatabase(await emptyDatabaseUrl())
    try {
      await database.migrate()
      await database.migrate()
      const tables = (
        database.engine === 'sqlite'
          ? await rawQuery<{ name: string }>(
              database,
              "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
            )
          : await rawQuery<{ name: string }>(
              database,
              "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
            )
      ).map((row) => row.name)
      expect(tables).toEqual(
        expect.arrayContaining(['article_tags', 'articles', 'comments', 'related_links', 'tags', 'tokens']),
      )
      if (database.engine === 'sqlite') {
        // SQLite enforces foreign keys only when the connection asks it to.
        const [row] = await rawQuery<{ foreign_keys: number }>(database, 'pragma foreign_keys')
        expect(row?.foreign_keys).toBe(1)
      } else {
        // PostgreSQL always enforces them: the constraints must be there.
        const [row] = await rawQuery<{ n: number }>(
          database,
          "select count(*) as n from information_schema.table_constraints where constraint_type = 'FOREIGN KEY' and table_name = ?",
          'comments',
        )
        expect(row?.n).toBeGreaterThan(0)
      }
    } finally {
      await database.close()
    }
  })
})
