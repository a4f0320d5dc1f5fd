/**
 * The command itself, run as a process against the database of the engine under test: its report on stdout
 * (text or --json), exit codes, --dry-run, bad input, and its progress bar on stderr when that is a terminal.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { openSqlite } from '../../src/db/sqlite/database.js'
import type { ImportReport } from '../../src/modules/imports/imports.report.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { TEST_ENGINE, urlOf } from '../helpers/engine.js'
import { ARABIC_WXR, arabicText, counts, outcomes } from '../helpers/wxr.js'

const run = promisify(execFile)
const TSX = join(process.cwd(), 'node_modules/.bin/tsx')
const CLI = join(process.cwd(), 'src/cli/import-wxr.ts')

let t: TestApp
let dir: string
let databaseUrl: string
let fileDatabase: Database | undefined

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sahifa-import-'))
  if (TEST_ENGINE === 'sqlite') {
    // The command is another process: on SQLite it needs a file, which the test app serves too.
    databaseUrl = join(dir, 'sahifa.db')
    fileDatabase = openSqlite(databaseUrl)
    await fileDatabase.migrate()
    t = await buildTestApp({ database: fileDatabase })
  } else {
    t = await buildTestApp()
    databaseUrl = urlOf(t.database)
  }
})
afterEach(async () => {
  await t.app.close()
  await fileDatabase?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

async function importWxr(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(TSX, [CLI, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('npm run import:wxr', () => {
  it('--json prints the report for scripts and exits 0; the API then serves what it imported', async () => {
    const { code, stdout, stderr } = await importWxr(ARABIC_WXR, '--json')
    expect(code, stderr).toBe(0)
    // Not a terminal: no progress bar.
    expect(stderr).toBe('')
    const report = JSON.parse(stdout) as ImportReport
    expect(outcomes(report).post).toEqual([8, 0, 0, 2])
    expect(report.dryRun).toBe(false)
    const res = await t.app.inject({ method: 'GET', url: '/v1/articles?perPage=100' })
    expect(res.json().meta.total).toBe(3)
    const again = JSON.parse((await importWxr(ARABIC_WXR, '--json')).stdout) as ImportReport
    expect(outcomes(again).post).toEqual([0, 0, 8, 2])
  })

  it('prints a report a person reads: counts per kind, the reasons for skipping, the warnings', async () => {
    const { code, stdout } = await importWxr(ARABIC_WXR)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Imported: https:\/\/akhbar\.example \(WXR 1\.2\), 14 items in [\d.]+ s$/m)
    expect(stdout).toContain('3 characters that XML forbids were dropped')
    expect(stdout).toMatch(/^\s+created\s+updated\s+unchanged\s+skipped\s+warned$/m)
    expect(stdout).toMatch(/^posts\s+8\s+0\s+0\s+2\s+2$/m)
    expect(stdout).toMatch(/^comments\s+8\s+0\s+0\s+4\s+0$/m)
    expect(stdout).toContain('  posts: 1 in the trash')
    expect(stdout).toContain('  comments: 1 pingback')
    expect(stdout).toContain('  post 105: password-protected: imported as a draft')
    expect(stdout).not.toMatch(/@example\.com|192\.0\.2\./)
  })

  it('--dry-run writes nothing', async () => {
    const { code, stdout } = await importWxr(ARABIC_WXR, '--dry-run')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Dry run \(nothing written\): /)
    expect(stdout).toMatch(/^posts\s+8\s+0\s+0\s+2/m)
    expect(Object.values(await counts(t)).every((n) => n === 0)).toBe(true)
  })

  it('refuses a file that is not WXR: exit 1, the line named, nothing written', async () => {
    const { code, stdout, stderr } = await importWxr(
      file('feed.xml', '<?xml version="1.0"?>\n<html/>'),
      '--json',
    )
    expect(code).toBe(1)
    expect(stderr).toBe('Stopped: line 2: not a WordPress export: the root element is <html>, not <rss>\n')
    expect((JSON.parse(stdout) as ImportReport).error).toMatchObject({ line: 2 })
    expect(Object.values(await counts(t)).every((n) => n === 0)).toBe(true)
  })

  it('stops at broken XML with exit 1 and the line, keeping the items before it', async () => {
    const text = arabicText()
    const cut = text.slice(0, text.indexOf('<![CDATA[مقال محمي بكلمة مرور]]>'))
    const { code, stdout } = await importWxr(file('cut.xml', cut))
    expect(code).toBe(1)
    expect(stdout).toMatch(new RegExp(`^Stopped: line ${cut.split('\n').length}: the XML is broken: `, 'm'))
    expect(await t.count('articles')).toBe(4)
  })

  it('exits 2 with the usage for no file, two files, a missing file or an unknown option', async () => {
    const cases = [[], [ARABIC_WXR, ARABIC_WXR], [join(dir, 'missing.xml')], [ARABIC_WXR, '--fast']]
    const results = await Promise.all(cases.map((args) => importWxr(...args)))
    for (const [index, { code, stderr }] of results.entries()) {
      expect(code, cases[index]?.join(' ')).toBe(2)
      expect(stderr).toContain('Usage: sahifa-import-wxr <export.xml> [--dry-run] [--json]')
    }
    expect(await t.count('articles')).toBe(0)
  })

  it('draws a progress bar on stderr when it is a terminal', async () => {
    // script(1) gives the command a terminal and copies what it writes there.
    const command = [TSX, CLI, ARABIC_WXR, '--json'].map((arg) => `'${arg}'`).join(' ')
    const output = execFileSync('script', ['-qec', `${command} >/dev/null`, '/dev/null'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    })
    expect(output).toMatch(/100% \| 14\/14 items \| \d+ items\/s \| \d+s/)
    expect(await t.count('articles')).toBe(8)
  })

  it('is the sahifa-import-wxr bin once built (dist/cli/import-wxr.js, with its shebang)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
    expect(pkg.bin).toEqual({ 'sahifa-import-wxr': 'dist/cli/import-wxr.js' })
    expect(pkg.scripts['import:wxr']).toBe('tsx src/cli/import-wxr.ts')
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })
})
