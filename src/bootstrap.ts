/** Start-up chores, as the contract ties them to `npm start`: migrate, seed an empty database, first admin token. */
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { Db } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { seedSampleContent } from './db/seed.js'
import { rebuildSearchIndexIfNeeded } from './modules/search/search.repository.js'
import { createTokenService } from './modules/tokens/tokens.service.js'

export function bootstrap(
  db: Db,
  config: Config,
  log: Logger,
  print: (line: string) => void = console.log,
): void {
  runMigrations(db)
  // Articles that predate the search index (or an older analyzer) are indexed here: the migration cannot run JS.
  const indexed = rebuildSearchIndexIfNeeded(db)
  if (indexed > 0) log.info({ articles: indexed }, 'built the search index')
  if (config.SEED_SAMPLE) {
    const { seeded, ...counts } = seedSampleContent(db)
    if (seeded) log.info(counts, 'loaded the sample content')
  }
  const tokens = createTokenService(db)
  if (!config.ADMIN_TOKEN && tokens.count() === 0) {
    const admin = tokens.create({ name: 'first-admin', role: 'admin' })
    // Printed straight to the terminal, never through the logger: log pipelines keep what they see.
    print(
      `\nCreated the first admin token (shown this once, stored only as a hash):\n\n  ${admin.token}\n\n` +
        'Use it as "Authorization: Bearer <token>" and create editor tokens with POST /v1/tokens.\n',
    )
  }
}
