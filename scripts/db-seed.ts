/** npm run db:seed: loads the sample content into DATABASE_URL when it has no articles yet. */
import { loadConfig } from '../src/config.js'
import { openConfiguredDatabase } from '../src/db/open.js'
import { seedSampleContent } from '../src/db/seed.js'
import { createLogger } from '../src/logger.js'
import { createServices } from '../src/services.js'

const config = loadConfig()
const database = await openConfiguredDatabase(config)
await database.migrate()
const services = await createServices({ database, config, logger: createLogger(config) })
await services.search.rebuildIfNeeded()
const result = await seedSampleContent(services)
await services.close()
await database.close()
console.log(
  result.seeded
    ? `Seeded ${result.articles} articles and ${result.tags} tags into the ${database.engine} database`
    : `The ${database.engine} database has articles already; nothing seeded`,
)
