/** Start-up chores, as `npm start` promises them: migrate, index, seed an empty database, first admin token. */
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import { isPostgresUrl } from './db/open.js'
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
  // Not fatal (the API serves without it), but every delivery would fail unsigned: said once, loudly.
  if (!config.SECRET_KEY && (await services.webhooks.list()).length > 0)
    log.warn('SECRET_KEY is not set: webhook secrets cannot be read, so every delivery fails until it is')
  if (config.SEED_SAMPLE) {
    const { seeded, ...counts } = await seedSampleContent(services)
    if (seeded) log.info(counts, 'loaded the sample content')
  }
  const { tokens } = services
  if (!config.ADMIN_TOKEN && (await tokens.count()) === 0) {
    const file = adminTokenFile(config)
    await writeOwnerOnly(
      file,
      async () => (await tokens.create({ name: 'first-admin', role: 'admin' })).token,
    )
    // Only the path: the terminal and the log pipelines behind it keep what they see.
    print(
      `\nCreated the first admin token, stored here as a hash; the secret is in ${file} (readable by this user ` +
        'only). Use it as "Authorization: Bearer <token>", create editor tokens with POST /v1/tokens, keep it ' +
        'somewhere safe and delete the file.\n',
    )
  }
}

/** ADMIN_TOKEN_OUTPUT, else admin-token.txt beside the SQLite file, else (PostgreSQL, :memory:) in ./data. */
export function adminTokenFile(config: Pick<Config, 'ADMIN_TOKEN_OUTPUT' | 'DATABASE_URL'>): string {
  if (config.ADMIN_TOKEN_OUTPUT) return resolve(config.ADMIN_TOKEN_OUTPUT)
  const path = config.DATABASE_URL.replace(/^file:/, '')
  const folder = isPostgresUrl(path) || path === ':memory:' ? './data' : dirname(path)
  return resolve(join(folder, 'admin-token.txt'))
}

/**
 * Creates `file` readable and writable by its owner only, then writes what `secret()` makes into it. The file is
 * made first, so a folder that cannot take it stops the start before any token exists; if making the secret
 * fails, the file goes.
 */
async function writeOwnerOnly(file: string, secret: () => Promise<string>): Promise<void> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  // A file left by an earlier database is replaced, never reused with whatever mode it has.
  rmSync(file, { force: true })
  const fd = openSync(file, 'wx', 0o600)
  try {
    // The umask may take bits away from 0600, never add them; this makes it exactly 0600.
    chmodSync(file, 0o600)
    writeSync(fd, `${await secret()}\n`)
  } catch (error) {
    closeSync(fd)
    rmSync(file, { force: true })
    throw error
  }
  closeSync(fd)
}
