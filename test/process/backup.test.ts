/**
 * npm run db:backup -- <file>: SQLite's online backup, consistent while the server runs and writes (the copy holds
 * exactly the writes committed before one instant, WAL content included, in one self-contained file); PostgreSQL is
 * pointed to pg_dump with a non-zero exit. SQLite by nature, so it runs on a SQLite file whatever TEST_ENGINE says.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqlite } from '../../src/db/sqlite/database.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

const ROOT = new URL('../..', import.meta.url).pathname
const folders: string[] = []
const apps: TestApp[] = []

afterEach(async () => {
  for (const t of apps.splice(0)) {
    await t.app.close()
    await t.database.close()
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sahifa-backup-'))
  folders.push(folder)
  return folder
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `npm run db:backup -- <args>` as a process, as an operator runs it (bounded: killed after 30 s). */
function runBackup(databaseUrl: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/db-backup.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** An app on a SQLite file, as the server runs it (WAL). */
async function appOnFile(path: string): Promise<TestApp> {
  const database = openSqlite(path)
  await database.migrate()
  const t = await buildTestApp({ database })
  apps.push(t)
  return t
}

describe('npm run db:backup on SQLite', () => {
  it('takes a consistent copy while the app keeps writing: integrity ok, a prefix of the commits, one file', async () => {
    const folder = tempFolder()
    const source = join(folder, 'sahifa.db')
    const target = join(folder, 'backup.db')
    const t = await appOnFile(source)
    const createTag = async (i: number) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name: `وسم ${i}`, description: 'د'.repeat(500) },
      })
      expect(res.statusCode, res.body).toBe(201)
    }
    for (let i = 0; i < 200; i++) await createTag(i)

    // Writes go on, one committed tag after another, for as long as the backup runs (bounded in count and time).
    const backup = runBackup(source, target)
    let done = false
    void backup.then(() => {
      done = true
    })
    const started = Date.now()
    let written = 200
    while (!done && written < 5000 && Date.now() - started < 30_000) await createTag(written++)
    const run = await backup
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Backed up the SQLite database to ${target}`)
    expect(written).toBeGreaterThan(200)

    const copy = new BetterSqlite3(target, { readonly: true })
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete')
      const ids = copy.prepare('select id from tags order by id').pluck().all() as number[]
      // Everything committed before the backup began, and the copy as of one instant: ids 1..n, no gap.
      expect(ids.length).toBeGreaterThanOrEqual(200)
      expect(ids.length).toBeLessThanOrEqual(written)
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1))
    } finally {
      copy.close()
    }
    expect(existsSync(`${target}-wal`)).toBe(false)

    // The copy serves as a database.
    const restored = await appOnFile(target)
    const list = await restored.app.inject({ url: '/v1/tags', headers: restored.editorAuth })
    expect(list.json().meta.total).toBeGreaterThanOrEqual(200)
  }, 60_000)

  it('replaces an existing backup file', async () => {
    const folder = tempFolder()
    const source = join(folder, 'sahifa.db')
    await appOnFile(source)
    const target = join(folder, 'backup.db')
    writeFileSync(target, 'not a database')
    expect((await runBackup(source, target)).code).toBe(0)
    const copy = new BetterSqlite3(target, { readonly: true })
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
    copy.close()
  }, 30_000)

  it.each([
    ['no target', (source: string) => [source], 'Usage: npm run db:backup', 2],
    ['the database itself', (source: string) => [source, source], 'would overwrite the database', 1],
    ['its -wal file', (source: string) => [source, `${source}-wal`], 'would overwrite the database', 1],
    [
      'a database that does not exist',
      (source: string) => [`${source}.missing`, `${source}.copy`],
      'does not exist',
      1,
    ],
    ['an in-memory database', (source: string) => [':memory:', `${source}.copy`], 'in-memory', 1],
  ])(
    'refuses %s, saying why, with a non-zero exit',
    async (_what, argsOf, message, code) => {
      const folder = tempFolder()
      const source = join(folder, 'sahifa.db')
      await appOnFile(source)
      const [databaseUrl, ...args] = argsOf(source) as [string, ...string[]]
      const run = await runBackup(databaseUrl, ...args)
      expect(run.code).toBe(code)
      expect(run.stderr).toContain(message)
    },
    30_000,
  )
})

describe('npm run db:backup on PostgreSQL', () => {
  it('says to use pg_dump and exits non-zero, never printing the URL', async () => {
    const run = await runBackup('postgres://sahifa:s3cret-password@db.example:5432/sahifa', 'backup.db')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('pg_dump')
    expect(run.stderr + run.stdout).not.toContain('s3cret-password')
    expect(existsSync(join(ROOT, 'backup.db'))).toBe(false)
  }, 30_000)
})
