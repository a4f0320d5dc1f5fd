/**
 * The two Drizzle schemas describe the same tables: the repositories build their queries once, against the
 * SQLite tables' types (src/db/database.ts, Tables), and run them on the PostgreSQL tables of the same names. Per
 * table: the same column names, NOT NULL flags, primary keys and unique columns, under the same export names.
 * PostgreSQL alone has article_search, search_index_state, rate_limits, data_version and data_version_nodes: SQLite keeps its search index in an
 * FTS5 virtual table (and search_index_state beside it) made by migrations/sqlite/0001_search.sql, outside the
 * schema, keeps rate-limit counters in memory and reads its data version from PRAGMA data_version.
 */
import { is } from 'drizzle-orm'
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as getSqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { describe, expect, it } from 'vitest'
import * as pgSchema from '../../src/db/pg/schema.js'
import * as sqliteSchema from '../../src/db/sqlite/schema.js'

const PG_ONLY = ['article_search', 'search_index_state', 'rate_limits', 'data_version', 'data_version_nodes']

interface ColumnShape {
  notNull: boolean
  unique: boolean
}

interface TableShape {
  /** The name the schema module exports it under, which repositories use (database.tables.articleTags). */
  exportName: string
  columns: Record<string, ColumnShape>
  primaryKey: string[]
}

interface ConfigLike {
  name: string
  columns: { name: string; notNull: boolean; primary: boolean; isUnique: boolean }[]
  primaryKeys: { columns: { name: string }[] }[]
  uniqueConstraints: { columns: { name: string }[] }[]
}

function shapeOf(exportName: string, config: ConfigLike): TableShape {
  const columns: Record<string, ColumnShape> = {}
  for (const column of config.columns)
    columns[column.name] = { notNull: column.notNull, unique: column.isUnique }
  for (const constraint of config.uniqueConstraints) {
    const [only] = constraint.columns
    if (constraint.columns.length === 1 && only) (columns[only.name] as ColumnShape).unique = true
  }
  const primaryKey = [
    ...config.columns.filter((column) => column.primary).map((column) => column.name),
    ...config.primaryKeys.flatMap((key) => key.columns.map((column) => column.name)),
  ].sort()
  return { exportName, columns, primaryKey }
}

function sqliteTables(): Map<string, TableShape> {
  const tables = new Map<string, TableShape>()
  for (const [exportName, value] of Object.entries(sqliteSchema)) {
    if (!is(value, SQLiteTable)) continue
    const config = getSqliteTableConfig(value)
    tables.set(config.name, shapeOf(exportName, config as unknown as ConfigLike))
  }
  return tables
}

function pgTables(): Map<string, TableShape> {
  const tables = new Map<string, TableShape>()
  for (const [exportName, value] of Object.entries(pgSchema)) {
    if (!is(value, PgTable)) continue
    const config = getPgTableConfig(value)
    tables.set(config.name, shapeOf(exportName, config as unknown as ConfigLike))
  }
  return tables
}

describe('the SQLite and PostgreSQL schemas', () => {
  const sqlite = sqliteTables()
  const pg = pgTables()

  it('have the same tables, but for the PostgreSQL-only ones', () => {
    expect(sqlite.size).toBeGreaterThanOrEqual(6)
    expect([...sqlite.keys()].sort()).toEqual([...pg.keys()].filter((name) => !PG_ONLY.includes(name)).sort())
    for (const name of PG_ONLY) expect(pg.has(name), name).toBe(true)
  })

  for (const [name, shape] of sqliteTables()) {
    it(`agree on ${name}: export name, columns, NOT NULL flags, primary key, unique columns`, () => {
      const other = pg.get(name)
      expect(other, `${name} is missing from src/db/pg/schema.ts`).toBeDefined()
      expect(other?.exportName).toBe(shape.exportName)
      expect(Object.keys(other?.columns ?? {}).sort()).toEqual(Object.keys(shape.columns).sort())
      expect(other?.columns).toEqual(shape.columns)
      expect(shape.primaryKey.length).toBeGreaterThan(0)
      expect(other?.primaryKey).toEqual(shape.primaryKey)
    })
  }
})
