/**
 * The command itself, run as a process against the database of the engine under test: its report on stdout
 * (text or --json), exit codes, --dry-run, bad input, and its progress bar on stderr when that is a terminal.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
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

// Each test starts one to four processes (tsx compiles the command first): slow on a loaded machine.
describe('npm run import:wxr', { timeout: 60_000 }, () => {
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
    expect(stdout).toMatch(/^attachments\s+0\s+0\s+0\s+2\s+0$/m)
    expect(stdout).toMatch(/^other items\s+0\s+0\s+0\s+2\s+0$/m)
    expect(stdout).toContain('  posts: 1 in the trash')
    expect(stdout).toContain('  attachments: 2 not an article (its URL is kept for featured images)')
    expect(stdout).toContain('  other items: 1 post type page')
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

  it('killed in the middle of an export, leaves no half-written post; run again, it finishes the rest', async () => {
    const POSTS = 150
    const items = Array.from({ length: POSTS }, (_, i) => {
      const id = 1000 + i
      const comment = (n: number) =>
        `<wp:comment><wp:comment_id>${id * 10 + n}</wp:comment_id><wp:comment_author>R</wp:comment_author>` +
        `<wp:comment_author_email>r${n}@example.com</wp:comment_author_email><wp:comment_content>Comment ${n}</wp:comment_content>` +
        `<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>${n === 2 ? id * 10 + 1 : 0}</wp:comment_parent>` +
        `<wp:comment_date_gmt>2020-01-02 10:00:00</wp:comment_date_gmt></wp:comment>`
      return (
        `<item><title>Post ${id}</title><link>https://crash.example/?p=${id}</link><guid>https://crash.example/?p=${id}</guid>` +
        `<content:encoded><![CDATA[<p>Body of ${id}.</p>]]></content:encoded><wp:post_id>${id}</wp:post_id>` +
        `<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>post-${id}</wp:post_name>` +
        `<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>` +
        `<category domain="post_tag" nicename="t${i % 7}"><![CDATA[Tag ${i % 7}]]></category>${comment(1)}${comment(2)}</item>`
      )
    })
    const path = file(
      'big.xml',
      `<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/" ` +
        `xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:base_blog_url>https://crash.example</wp:base_blog_url>\n` +
        `${items.join('\n')}\n</channel></rss>\n`,
    )
    // One process (node --import tsx), so SIGKILL stops the importer itself, in the middle of an item's transaction
    // or between two: the test cannot choose, and the outcome must be the same either way.
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, path, '--json'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_, signal) => resolve(signal)),
    )
    const deadline = Date.now() + 60_000
    while ((await t.count('articles')) < 10 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    // Whatever post was in its transaction left nothing: every article has its record, both comments, its old address.
    const articles = await t.count('articles')
    expect(articles).toBeGreaterThanOrEqual(10)
    expect(articles).toBeLessThan(POSTS)
    expect(await t.count('comments')).toBe(2 * articles)
    const records = await t.query<{ n: number }>(
      "select count(*) as n from import_records where kind = 'post'",
    )
    expect(records[0]?.n).toBe(articles)
    const redirects = await t.query<{ n: number }>(
      "select count(*) as n from article_redirects where key like 'p:%'",
    )
    expect(redirects[0]?.n).toBe(articles)

    const { code, stdout, stderr } = await importWxr(path, '--json')
    expect(code, stderr).toBe(0)
    const report = JSON.parse(stdout) as ImportReport
    expect(report.counts.post).toMatchObject({ created: POSTS - articles, unchanged: articles, skipped: 0 })
    expect(report.counts.comment).toMatchObject({ created: 2 * (POSTS - articles), unchanged: 2 * articles })
    expect(await t.count('articles')).toBe(POSTS)
    expect(await t.count('comments')).toBe(2 * POSTS)
    const threaded = await t.query<{ n: number }>(
      'select count(*) as n from comments where parent_id is not null',
    )
    expect(threaded[0]?.n).toBe(POSTS)
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
