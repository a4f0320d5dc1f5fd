/** The OpenAPI document as committed in openapi/openapi.json: built from a throwaway app, keys sorted. */
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openDatabase } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { createLogger } from './logger.js'

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    )
  }
  return value
}

/** The document as text, exactly as the committed file holds it. */
export async function renderOpenApiDocument(): Promise<string> {
  const config = loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' })
  const { db, sqlite } = openDatabase(config.DATABASE_URL)
  runMigrations(db)
  const app = await buildApp({ config, db, logger: createLogger(config) })
  try {
    await app.ready()
    return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`
  } finally {
    await app.close()
    sqlite.close()
  }
}
