/** The OpenAPI document as committed in openapi/openapi.json: built from a throwaway app, keys sorted. */
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openSqlite } from './db/sqlite/database.js'
import { createLogger } from './logger.js'
import { createServices } from './services.js'

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
  const database = openSqlite(config.DATABASE_URL)
  const logger = createLogger(config)
  const services = await createServices({ database, config, logger })
  const app = await buildApp({ config, services, logger })
  try {
    await app.ready()
    return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`
  } finally {
    await app.close()
    await services.close()
    await database.close()
  }
}
