/** WordPress exports for the importer's tests, and ways to run the importer and look at what it left. */
import { createReadStream, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { ImportReport } from '../../src/modules/imports/imports.report.js'
import type { ImportRunOptions } from '../../src/modules/imports/imports.service.js'
import type { TestApp } from './app.js'

/** Written for these tests: a small Arabic news site (see the comment at its top). */
export const ARABIC_WXR = fileURLToPath(new URL('../fixtures/wxr/arabic.xml', import.meta.url))
/** WordPress's own Theme Unit Test export, read from ../shared/wxr (the project commits no copy). */
export const THEME_WXR = fileURLToPath(
  new URL('../../../shared/wxr/themeunittestdata.wordpress.xml', import.meta.url),
)

export const arabicText = () => readFileSync(ARABIC_WXR, 'utf8')

export function importFile(t: TestApp, path: string, options: ImportRunOptions = {}): Promise<ImportReport> {
  return t.services.imports.importWxr(createReadStream(path), options)
}

/** Imports an export given as text, handed to the reader in chunks of `chunkBytes` (all at once by default). */
export function importText(
  t: TestApp,
  text: string,
  options: ImportRunOptions & { chunkBytes?: number } = {},
): Promise<ImportReport> {
  const bytes = Buffer.from(text, 'utf8')
  const size = options.chunkBytes ?? bytes.length
  const chunks: Buffer[] = []
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size))
  return t.services.imports.importWxr(Readable.from(chunks), options)
}

// Every table the app writes (engine.ts truncates the same list), in an order that reads well in a diff.
const TABLES = [
  'articles',
  'tags',
  'article_tags',
  'comments',
  'related_links',
  'article_revisions',
  'import_records',
  'article_redirects',
]

/** Every row of every table the importer can touch, ordered: equal snapshots mean nothing changed. */
export async function snapshot(t: TestApp): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {}
  for (const table of TABLES) tables[table] = await t.query(`select * from ${table} order by 1, 2`)
  return tables
}

/** Row counts of the tables the importer writes. */
export async function counts(t: TestApp): Promise<Record<string, number>> {
  const result: Record<string, number> = {}
  for (const table of TABLES) result[table] = await t.count(table)
  return result
}

/** The counts of a report as `{ kind: [created, updated, unchanged, skipped] }`, to compare at a glance. */
export function outcomes(report: ImportReport): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(report.counts).map(([kind, c]) => [kind, [c.created, c.updated, c.unchanged, c.skipped]]),
  )
}
