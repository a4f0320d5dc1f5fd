/** npm run db:migrate: applies the migrations in migrations/ to DATABASE_URL. */
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'

const config = loadConfig()
const { db, sqlite } = openDatabase(config.DATABASE_URL)
runMigrations(db)
sqlite.close()
console.log(`Migrated ${config.DATABASE_URL}`)
