/** Start-up chores, as `npm start` promises them: migrate, index, seed an empty database, first admin token. */
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import { seedSampleContent } from './db/seed.js'
import type { Services } from './services.js'

export async function bootstrap(
  database: Database,
  services: Services,
  config: Config,
  log: Logger,
  print: (line: string) => void = console.log,
): Promise<void> {
  // Under a lock on PostgreSQL, so nodes starting together migrate in turn.
  await database.migrate()
  // Articles that predate the search index (or an older analyzer) are indexed here: SQL cannot run the analyzer.
  const indexed = await services.search.rebuildIfNeeded()
  if (indexed > 0) log.info({ articles: indexed }, 'built the search index')
  if (config.SEED_SAMPLE) {
    const { seeded, ...counts } = await seedSampleContent(services)
    if (seeded) log.info(counts, 'loaded the sample content')
  }
  const { tokens } = services
  if (!config.ADMIN_TOKEN && (await tokens.count()) === 0) {
    const admin = await tokens.create({ name: 'first-admin', role: 'admin' })
    // Printed straight to the terminal, never through the logger: log pipelines keep what they see.
    print(
      `\nCreated the first admin token (shown this once, stored only as a hash):\n\n  ${admin.token}\n\n` +
        'Use it as "Authorization: Bearer <token>" and create editor tokens with POST /v1/tokens.\n',
    )
  }
}
