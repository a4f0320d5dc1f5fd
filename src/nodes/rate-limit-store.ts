/**
 * Where @fastify/rate-limit keeps its counters: Redis when REDIS_URL is set (the plugin's own store), a
 * PostgreSQL table when the nodes share only the database, process memory for a single SQLite process.
 * @see https://github.com/fastify/fastify-rate-limit#custom-store
 */
import { createHash } from 'node:crypto'
import type { RateLimitPluginOptions } from '@fastify/rate-limit'
import type { Redis } from 'ioredis'
import type pg from 'pg'

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void

// Keys are client addresses: the table keeps a hash of them, never the address.
const keyHash = (key: string) => createHash('sha256').update(key).digest('base64url')

// Upsert: a counter whose window has passed starts again at 1.
const INCREMENT = `INSERT INTO rate_limits (key, hits, reset_at)
  VALUES ($1, 1, now() + $2 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
    reset_at = CASE WHEN rate_limits.reset_at <= now() THEN excluded.reset_at ELSE rate_limits.reset_at END
  RETURNING hits, greatest(0, ceil(extract(epoch FROM reset_at - now()) * 1000))::int AS ttl`

const READ = `SELECT hits, greatest(0, ceil(extract(epoch FROM reset_at - now()) * 1000))::int AS ttl
  FROM rate_limits WHERE key = $1 AND reset_at > now()`

// Now and then, expired counters are swept so the table stays small.
const SWEEP_EVERY = 200

function pgStore(pool: pg.Pool, namespace: string) {
  let calls = 0
  return class PgRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      calls += 1
      if (calls % SWEEP_EVERY === 0)
        pool.query('DELETE FROM rate_limits WHERE reset_at < now()').catch(() => {})
      pool
        .query<{ hits: number; ttl: number }>(INCREMENT, [keyHash(namespace + key), timeWindow])
        .then(({ rows: [row] }) => callback(null, { current: row?.hits ?? 1, ttl: row?.ttl ?? timeWindow }))
        .catch((error: Error) => callback(error))
    }

    read(key: string, callback: IncrCallback): void {
      pool
        .query<{ hits: number; ttl: number }>(READ, [keyHash(namespace + key)])
        .then(({ rows: [row] }) => callback(null, { current: row?.hits ?? 0, ttl: row?.ttl ?? 0 }))
        .catch((error: Error) => callback(error))
    }

    child(options: { routeInfo?: { url?: string; method?: string } }) {
      const route = options.routeInfo ? `${options.routeInfo.method}:${options.routeInfo.url}:` : ''
      return new (pgStore(pool, namespace + route))()
    }
  }
}

/** The plugin options that choose the store; the plugin's default (memory) when there is nothing to share. */
export function rateLimitStoreOptions(shared: {
  redis?: Redis
  pool?: pg.Pool
}): Partial<RateLimitPluginOptions> {
  if (shared.redis) return { redis: shared.redis, nameSpace: 'sahifa-rate-limit:' }
  if (shared.pool)
    return { store: pgStore(shared.pool, 'sahifa:') as unknown as RateLimitPluginOptions['store'] }
  return {}
}
