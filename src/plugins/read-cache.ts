/**
 * The read cache: public GET answers (their bytes and the headers that belong to them) kept in memory, keyed by the
 * request URL and bounded by READ_CACHE_MB. Never an answer to a request with a token, never one that is not
 * `public`. An entry serves while its stamp holds (nodes/freshness.ts): no change on any node and no scheduled
 * go-live since it was read. A hit skips validation, the handler and serialization; caching.ts then answers 304
 * to a matching If-None-Match from the stored ETag.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import type { Stamp } from '../nodes/freshness.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on a cache miss that may be stored: the stamp taken before anything was read for the answer. */
    readStamp: Stamp | null
  }
}

// The headers that belong to the answer; the rest (CORS, security, request id, Vary) are set for every request.
const ANSWER_HEADERS = ['content-type', 'etag', 'cache-control', 'x-total-count', 'link'] as const

interface Entry {
  stamp: Stamp
  body: Buffer
  headers: Record<string, string>
}

function answerHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name of ANSWER_HEADERS) {
    const value = reply.getHeader(name)
    if (value !== undefined) headers[name] = String(value)
  }
  return headers
}

export default fp(
  async function readCachePlugin(app: FastifyInstance) {
    const maxSize = Math.floor(app.config.READ_CACHE_MB * 1024 * 1024)
    app.decorateRequest('readStamp', null)
    if (maxSize === 0) return
    const { freshness } = app.services
    const entries = new LRUCache<string, Entry>({
      maxSize,
      sizeCalculation: (entry, key) => entry.body.length + key.length * 2 + 200,
    })

    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' || request.headers.authorization !== undefined) return
      try {
        const entry = entries.get(request.url)
        if (entry && (await freshness.holds(entry.stamp))) {
          reply.headers(entry.headers)
          reply.send(entry.body)
          return reply
        }
        request.readStamp = await freshness.stamp()
      } catch {
        // Freshness that cannot be checked (the database is away) serves nothing from here and stores nothing;
        // the route answers as it would without a cache (/health with its 503).
      }
    })

    // After caching.ts's onSend (registered before): the ETag and Cache-Control are set, a 304 is already a 304.
    app.addHook('onSend', async (request, reply, payload) => {
      const stamp = request.readStamp
      if (stamp === null || reply.statusCode !== 200 || request.principal) return payload
      if (!String(reply.getHeader('cache-control') ?? '').startsWith('public')) return payload
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload
      entries.set(request.url, { stamp, body, headers: answerHeaders(reply) })
      return body
    })
  },
  { name: 'read-cache', dependencies: ['services', 'caching'] },
)
