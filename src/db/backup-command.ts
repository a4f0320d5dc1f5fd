/**
 * The backup command: `npm run db:backup -- <file>` from a checkout, `node dist/db/backup-command.js <file>` in the
 * Docker image. A consistent copy of the SQLite database while the server runs (sqlite/backup.ts); PostgreSQL is
 * backed up with its own tool, pg_dump: this says so and exits non-zero.
 */
import { loadConfig } from '../config.js'
import { isPostgresUrl } from './open.js'
import { BackupError, backupSqlite } from './sqlite/backup.js'

const config = loadConfig()
const target = process.argv[2]

if (isPostgresUrl(config.DATABASE_URL)) {
  // The URL is never printed: it may carry a password.
  console.error(
    'DATABASE_URL is a PostgreSQL database: back it up with pg_dump, for example\n' +
      '  pg_dump -Fc "$DATABASE_URL" -f sahifa.dump\n' +
      'and restore it with pg_restore (docs/operations.md, Backups).',
  )
  process.exit(2)
}
if (!target) {
  console.error(
    'Usage: npm run db:backup -- <file>   (a consistent copy of the SQLite database at DATABASE_URL)',
  )
  process.exit(2)
}
try {
  const { pages, target: written } = await backupSqlite(config.DATABASE_URL, target)
  console.log(`Backed up the SQLite database to ${written} (${pages} pages, integrity checked)`)
} catch (error) {
  if (!(error instanceof BackupError)) throw error
  console.error(`Backup failed: ${error.message}`)
  process.exit(1)
}
