/**
 * A fresh app per test: a database built by the real migrations on the engine under test (helpers/engine.ts),
 * the real composition root, a clock the test can move, silent logs, every answer checked against the OpenAPI
 * document.
 */
import type { DestinationStream } from 'pino'
import { buildApp } from '../../src/app.js'
import { type Config, loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import type { Clock } from '../../src/lib/clock.js'
import { createLogger } from '../../src/logger.js'
import { createServices } from '../../src/services.js'
import { checkContract } from './contract.js'
import { isolatedDatabase, migratedDatabase, rawQuery, urlOf } from './engine.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'

export interface TestAppOptions {
  env?: Record<string, string>
  /** Where log lines go; silent when absent. */
  logStream?: DestinationStream
  /** Adds routes or hooks before the app is ready (for tests of the app's own machinery). */
  extend?: (app: Awaited<ReturnType<typeof buildApp>>) => void | Promise<void>
  /** An existing database to serve (another node's); a fresh one when absent. */
  database?: Database
  /**
   * A database no other test shares (helpers/engine.ts, isolatedDatabase), for a test that breaks it for good:
   * drops a table, adds an index. Closed with the app.
   */
  isolated?: boolean
  /** The webhook worker's time limit per attempt (15 s by default). */
  webhookTimeoutMs?: number
}

/** Real time until a test moves it: `set` stops the clock at a moment, `advance` moves it on. */
export class TestClock implements Clock {
  #offsetMs = 0
  #frozenAt: number | null = null
  now(): Date {
    return new Date(this.#frozenAt ?? Date.now() + this.#offsetMs)
  }
  advance(ms: number): void {
    if (this.#frozenAt === null) this.#offsetMs += ms
    else this.#frozenAt += ms
  }
  set(at: Date | string): void {
    this.#frozenAt = new Date(at).getTime()
  }
}

export async function buildTestApp(options: TestAppOptions = {}) {
  const database =
    options.database ?? (options.isolated ? await isolatedDatabase() : await migratedDatabase())
  const config: Config = loadConfig({
    DATABASE_URL: urlOf(database),
    ADMIN_TOKEN,
    LOG_LEVEL: options.logStream ? 'info' : 'silent',
    ...options.env,
  })
  const logger = createLogger(config, options.logStream)
  const clock = new TestClock()
  const services = await createServices({
    database,
    config,
    logger,
    clock,
    webhookTimeoutMs: options.webhookTimeoutMs,
  })
  const app = await buildApp({ config, services, logger })
  app.addHook('onClose', async () => {
    await services.close()
    if (!options.database) await database.close()
  })
  await options.extend?.(app)
  checkContract(app)
  await app.ready()
  const editorToken = (await services.tokens.create({ name: 'test-editor', role: 'editor' })).token
  return {
    app,
    database,
    services,
    config,
    clock,
    /** A raw statement with `?` placeholders, on the engine under test (helpers/engine.ts). */
    query: <T = Record<string, unknown>>(text: string, ...params: unknown[]) =>
      rawQuery<T>(database, text, ...params),
    /** How many rows a table holds. */
    count: async (table: string): Promise<number> =>
      ((await rawQuery<{ n: number }>(database, `select count(*) as n from ${table}`))[0] as { n: number }).n,
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
