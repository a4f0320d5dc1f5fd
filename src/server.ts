/** Entry point: configuration, database, services, start-up chores, then listen; drains and closes on SIGTERM/SIGINT. */
import './v8-flags.js'
import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { bootstrap } from './bootstrap.js'
import { ConfigError, loadConfig } from './config.js'
import { openConfiguredDatabase } from './db/open.js'
import { createLogger } from './logger.js'
import { createServices } from './services.js'

function readConfig() {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
}

const config = readConfig()
const logger = createLogger(config)
const database = await openConfiguredDatabase(config)
const services = await createServices({ database, config, logger })
await bootstrap(database, services, config, logger)

const app = await buildApp({ config, services, logger })
app.addHook('onClose', async () => {
  await services.close()
  await database.close()
})

// Past this, a close that has not finished is cut short (exit 1): the drain, then requests still arriving.
const closeDeadline = config.DRAIN_DELAY_MS + config.REQUEST_TIMEOUT_MS + 10_000

// The drain: /health answers 503 "draining" while everything is still served, so the load balancer stops sending;
// then the server stops accepting, the requests in flight finish (app.close waits for them), the database closes,
// and the process exits 0. A second signal forces the exit.
closeWithGrace({ delay: closeDeadline, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err: { name: err.name } }, 'closing after an uncaught error')
  else {
    logger.info({ signal, drainDelayMs: config.DRAIN_DELAY_MS }, 'draining')
    app.drain.start()
    await sleep(config.DRAIN_DELAY_MS)
    logger.info('closing')
  }
  await app.close()
})

await app.listen({ host: config.HOST, port: config.PORT })
// After listening: deliveries and scheduled articles that came due while the server was down go out now.
services.webhookWorker.start()
