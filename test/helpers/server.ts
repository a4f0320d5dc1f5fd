/**
 * The real server as `npm start` runs it (migrations, sample content, bootstrap), on a temporary SQLite file
 * unless DATABASE_URL says otherwise, listening on 127.0.0.1 on a free port: for the frontend example and the
 * browser test, which need real HTTP.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { bootstrap } from '../../src/bootstrap.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/open.js'
import { createLogger } from '../../src/logger.js'
import { createServices, type Services } from '../../src/services.js'

export interface RunningServer {
  baseUrl: string
  adminToken: string
  close(): Promise<void>
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const folder = mkdtempSync(join(tmpdir(), 'sahifa-server-'))
  const adminToken = `admin-${randomBytes(16).toString('hex')}`
  const config = loadConfig({
    DATABASE_URL: join(folder, 'sahifa.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    SEED_SAMPLE: 'true',
    ...env,
  })
  const logger = createLogger(config)
  const database = await openDatabase(config.DATABASE_URL)
  let services: Services | undefined
  try {
    services = await createServices({ database, config, logger })
    await bootstrap(database, services, config, logger, () => {})
    const app = await buildApp({ config, services, logger })
    await app.listen({ host: config.HOST, port: config.PORT })
    const { port } = app.server.address() as AddressInfo
    const running = services
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      adminToken,
      async close() {
        await app.close()
        await running.close()
        await database.close()
        rmSync(folder, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await services?.close()
    await database.close()
    rmSync(folder, { recursive: true, force: true })
    throw error
  }
}
