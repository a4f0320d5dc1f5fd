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

/** Every table of the database, the search index's own included, as the migrations made them. */
async function allTables(t: TestApp): Promise<string[]> {
  const rows = await t.query<{ name: string }>(
    t.database.engine === 'sqlite'
      ? "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"
      : "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name",
  )
  return rows.map((row) => row.name)
}

/**
 * Every row of every table in the database (the search index and its internals too), each table's rows in one
 * order: equal snapshots mean nothing was written, not only nothing of what the importer is meant to touch. The
 * one table left out holds the nodes' leases (nodes/data-version.ts).
 */
export async function snapshot(t: TestApp): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {}
  for (const table of await allTables(t)) {
    // The nodes' leases are renewed and acknowledged in the background, whatever else happens.
    if (table === 'data_version_nodes') continue
    const rows = await t.query<Record<string, unknown>>(`select * from "${table}"`)
    tables[table] = rows
      .map((row) => ({ row, key: JSON.stringify(row) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ row }) => row)
  }
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
