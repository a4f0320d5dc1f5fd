/** Entry point: configuration, database, services, start-up chores, then listen; closes gracefully on SIGTERM/SIGINT. */
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { bootstrap } from './bootstrap.js'
import { ConfigError, loadConfig } from './config.js'
import { openDatabase } from './db/open.js'
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
const database = openDatabase(config.DATABASE_URL)
const services = await createServices({ database, config, logger })
await bootstrap(database, services, config, logger)

const app = await buildApp({ config, services, logger })
app.addHook('onClose', async () => {
  await services.close()
  await database.close()
})

// In-flight requests finish (app.close waits for them), then the database closes; a second signal forces exit.
closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err: { name: err.name } }, 'closing after an uncaught error')
  else logger.info({ signal }, 'shutting down')
  await app.close()
})

await app.listen({ host: config.HOST, port: config.PORT })
