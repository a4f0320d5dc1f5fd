/** A fresh app per test: an in-memory SQLite database built by the real migrations, silent logs, every answer checked against the OpenAPI document. */
import type { DestinationStream } from 'pino'
import { buildApp } from '../../src/app.js'
import { type Config, loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { createLogger } from '../../src/logger.js'
import { createTokenService } from '../../src/modules/tokens/tokens.service.js'
import { checkContract } from './contract.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'

export interface TestAppOptions {
  env?: Record<string, string>
  /** Where log lines go; silent when absent. */
  logStream?: DestinationStream
  /** Adds routes or hooks before the app is ready (for tests of the app's own machinery). */
  extend?: (app: Awaited<ReturnType<typeof buildApp>>) => void | Promise<void>
}

export async function buildTestApp(options: TestAppOptions = {}) {
  const config: Config = loadConfig({
    DATABASE_URL: ':memory:',
    ADMIN_TOKEN,
    LOG_LEVEL: options.logStream ? 'info' : 'silent',
    ...options.env,
  })
  const { db, sqlite } = openDatabase(config.DATABASE_URL)
  runMigrations(db)
  const logger = createLogger(config, options.logStream)
  const app = await buildApp({ config, db, logger })
  app.addHook('onClose', async () => sqlite.close())
  await options.extend?.(app)
  checkContract(app)
  await app.ready()
  const editorToken = createTokenService(db).create({ name: 'test-editor', role: 'editor' }).token
  return {
    app,
    db,
    sqlite,
    config,
    adminAuth: { authorization: `Bearer ${ADMIN_TOKEN}` },
    editorAuth: { authorization: `Bearer ${editorToken}` },
  }
}

export type TestApp = Awaited<ReturnType<typeof buildTestApp>>

/** A log destination that keeps every line, for tests that read what the server logged. */
export function captureLog(): { lines: string[]; stream: DestinationStream } {
  const lines: string[] = []
  return {
    lines,
    stream: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) },
  }
}
