/** npm run db:seed: loads the sample content into DATABASE_URL when it has no articles yet. */
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { seedSampleContent } from '../src/db/seed.js'

const config = loadConfig()
const { db, sqlite } = openDatabase(config.DATABASE_URL)
runMigrations(db)
const result = seedSampleContent(db)
sqlite.close()
console.log(
  result.seeded
    ? `Seeded ${result.articles} articles and ${result.tags} tags into ${config.DATABASE_URL}`
    : `${config.DATABASE_URL} has articles already; nothing seeded`,
)
