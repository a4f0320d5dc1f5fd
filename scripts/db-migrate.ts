/** npm run db:migrate: applies the migrations of DATABASE_URL's engine (migrations/sqlite or migrations/pg). */
import { loadConfig } from '../src/config.js'
import { openConfiguredDatabase } from '../src/db/open.js'

const config = loadConfig()
const database = await openConfiguredDatabase(config)
await database.migrate()
await database.close()
console.log(`Migrated the ${database.engine} database`)
