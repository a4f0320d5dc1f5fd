/**
 * The composition root: every repository and service is built here, once, from the database, the configuration,
 * a clock and a logger. The app decorates the result as `app.services`; bootstrap and the seeder use it too.
 */
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import type { PgDatabase } from './db/pg/database.js'
import type { SqliteDatabase } from './db/sqlite/database.js'
import { type Clock, systemClock } from './lib/clock.js'
import { createSecretBox } from './lib/secret-box.js'
import { createArticleRepository } from './modules/articles/articles.repository.js'
import { createArticleService } from './modules/articles/articles.service.js'
import { createCommentRepository } from './modules/comments/comments.repository.js'
import { createCommentService } from './modules/comments/comments.service.js'
import { createImportRepository } from './modules/imports/imports.repository.js'
import { createImportService } from './modules/imports/imports.service.js'
import { createPreviewRepository } from './modules/previews/previews.repository.js'
import { createPreviewService } from './modules/previews/previews.service.js'
import { createRedirectRepository } from './modules/redirects/redirects.repository.js'
import { createRedirectService } from './modules/redirects/redirects.service.js'
import { createRelatedRepository } from './modules/related/related.repository.js'
import { createRelatedService } from './modules/related/related.service.js'
import { createRevisionRepository } from './modules/revisions/revisions.repository.js'
import { createRevisionRecorder, createRevisionService } from './modules/revisions/revisions.service.js'
import type { SearchIndex } from './modules/search/search.index.js'
import { createPgSearchIndex } from './modules/search/search.pg.js'
import { createSqliteSearchIndex } from './modules/search/search.sqlite.js'
import { createTagRepository } from './modules/tags/tags.repository.js'
import { createTagService } from './modules/tags/tags.service.js'
import { createTokenRepository } from './modules/tokens/tokens.repository.js'
import { createTokenService } from './modules/tokens/tokens.service.js'
import { createWebhookRepository } from './modules/webhooks/webhooks.repository.js'
import { createWebhookService } from './modules/webhooks/webhooks.service.js'
import { createWebhookWorker } from './modules/webhooks/webhooks.worker.js'
import {
  type ChangeSignal,
  localChangeSignal,
  pgChangeSignal,
  redisChangeSignal,
} from './nodes/change-signal.js'
import { createDataVersion, raisingVersion } from './nodes/data-version.js'
import { createFreshness } from './nodes/freshness.js'
import { rateLimitStoreOptions } from './nodes/rate-limit-store.js'

export interface ServiceDeps {
  database: Database
  config: Config
  logger: Logger
  clock?: Clock
  /** The webhook worker's time limit per attempt; 15 s unless a test needs a short one. */
  webhookTimeoutMs?: number
}

function searchIndexFor(database: Database): SearchIndex {
  return database.engine === 'sqlite'
    ? createSqliteSearchIndex(database as SqliteDatabase)
    : createPgSearchIndex(database as PgDatabase)
}

export async function createServices({
  database,
  config,
  logger,
  clock = systemClock,
  webhookTimeoutMs,
}: ServiceDeps) {
  const pool = database.engine === 'pg' ? (database as PgDatabase).pool : undefined
  // Commands queue while Redis is away (the rate limit then waits), and /health reports the outage. The client
  // is loaded only when REDIS_URL is set.
  const redis = config.REDIS_URL
    ? new (await import('ioredis')).Redis(config.REDIS_URL, { lazyConnect: true })
    : undefined
  redis?.on('error', (error: Error) => logger.warn({ err: { name: error.name } }, 'redis connection failed'))
  if (redis) await redis.connect()
  const transport: ChangeSignal = redis
    ? await redisChangeSignal(redis)
    : pool
      ? await pgChangeSignal(pool)
      : localChangeSignal()
  const version = await createDataVersion(database, {
    onStuck: (n) => logger.warn({ version: n }, 'answered a write before every node had taken it in'),
  })
  const changes = raisingVersion(transport, version)

  const search = searchIndexFor(database)
  // The outbox every writing service records its events in, inside its own transactions.
  const webhooks = createWebhookService({
    database,
    repository: createWebhookRepository(database),
    clock,
    secrets: config.SECRET_KEY ? createSecretBox(config.SECRET_KEY, 'webhook-secrets') : undefined,
    allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE,
  })
  const events = webhooks
  const articleRepository = createArticleRepository(database)
  const freshness = createFreshness({
    version,
    clock,
    nextGoLive: (now) => articleRepository.nextGoLive(now),
  })
  const tags = createTagService({
    database,
    repository: createTagRepository(database),
    clock,
    changes,
    events,
    freshness,
  })
  const revisionRepository = createRevisionRepository(database)
  const articles = createArticleService({
    database,
    repository: articleRepository,
    search,
    tags,
    revisions: createRevisionRecorder({ repository: revisionRepository, clock, keep: config.REVISIONS_KEEP }),
    clock,
    changes,
    freshness,
    events,
  })
  const revisions = createRevisionService({ database, repository: revisionRepository, articles })
  const previews = createPreviewService({
    database,
    repository: createPreviewRepository(database),
    articles,
    clock,
  })
  const comments = createCommentService({
    database,
    repository: createCommentRepository(database),
    articles,
    clock,
    changes,
    events,
    autoApprove: config.COMMENTS_AUTO_APPROVE,
  })
  const related = createRelatedService({
    database,
    repository: createRelatedRepository(database, articleRepository.summaryColumns),
    articles,
    clock,
    changes,
  })
  const redirectRepository = createRedirectRepository(database)
  const redirects = createRedirectService({ repository: redirectRepository, clock })
  const imports = createImportService({
    database,
    repository: createImportRepository(database),
    redirects: redirectRepository,
    articles,
    clock,
    changes,
    events,
  })
  const tokens = createTokenService({
    repository: createTokenRepository(database),
    clock,
    adminToken: config.ADMIN_TOKEN,
  })

  // Started by the server (src/server.ts), never by tests, which drive it with runOnce().
  const webhookWorker = createWebhookWorker({
    webhooks,
    articles,
    logger,
    pollMs: config.WEBHOOKS_POLL_MS,
    send: { allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE, timeoutMs: webhookTimeoutMs },
  })

  return {
    articles,
    tags,
    comments,
    related,
    revisions,
    previews,
    redirects,
    imports,
    tokens,
    webhooks,
    webhookWorker,
    search,
    changes,
    freshness,
    clock,
    /** Whether an error is the engine's unique violation: a race the services' checks lost, answered 409. */
    isUniqueViolation: (error: unknown) => database.isUniqueViolation(error),
    /** The @fastify/rate-limit options that put its counters where every node sees them. */
    rateLimitStore: rateLimitStoreOptions({ redis, pool }),

    /** Throws when something this node depends on does not answer. */
    async check(): Promise<void> {
      await database.ping()
      if (redis && (await redis.ping()) !== 'PONG') throw new Error('redis did not answer')
    },

    /** Closes what the services opened (the database is the caller's). */
    async close(): Promise<void> {
      await webhookWorker.stop()
      await changes.close()
      await version.close()
      redis?.disconnect()
    },
  }
}

export type Services = Awaited<ReturnType<typeof createServices>>
