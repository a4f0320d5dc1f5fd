/** HTTP caching: a strong ETag on every GET with 304 on If-None-Match, and Cache-Control public vs private. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { z } from 'zod'
import { PreconditionFailedError } from '../lib/errors.js'
import { ifMatch, noneMatch, strongEtag } from '../lib/etag.js'
import { serializerFor } from '../lib/serialize.js'

const NotModifiedSchema = z.undefined().meta({
  description: 'Not modified: the `If-None-Match` ETag is still current. No body.',
})

export default fp(
  async function cachingPlugin(app: FastifyInstance) {
    const publicCacheControl = `public, max-age=${app.config.CACHE_MAX_AGE_SECONDS}`

    // Every documented GET can answer 304 (below); clients generated from the document must expect it.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as
        | { response?: Record<string | number, unknown>; hide?: boolean }
        | undefined
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      if (!schema?.response || schema.hide || !methods.includes('GET')) return
      schema.response[304] ??= NotModifiedSchema
    })

    app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const isRead = request.method === 'GET' || request.method === 'HEAD'
      if (!isRead) {
        reply.header('cache-control', 'no-store')
        return payload
      }
      // Answers differ with and without a token, so shared caches must key on it; CORS's Vary: Origin stays.
      const vary = reply.getHeader('vary')
      reply.header('vary', vary ? `${String(vary)}, Authorization` : 'Authorization')
      if (reply.statusCode !== 200) {
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
        return payload
      }
      // A route that chose its own policy (/health must never be served from a cache) keeps it.
      if (!reply.hasHeader('cache-control')) {
        reply.header('cache-control', request.principal ? 'private, no-store' : publicCacheControl)
      }
      // Streams (Swagger UI's static files) carry their own validators.
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
      // A cached answer (read-cache.ts) comes with the ETag it was served with. Otherwise the text is encoded
      // once, here: the hash, Content-Length and the socket then all take these bytes (Arabic text costs
      // about as much to encode as to serialize).
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload
      const etag = (reply.getHeader('etag') as string | undefined) ?? strongEtag(body)
      reply.header('etag', etag)
      if (noneMatch(request.headers['if-none-match'], etag)) {
        reply.code(304)
        reply.removeHeader('content-type')
        reply.removeHeader('content-length')
        return ''
      }
      return body
    })
  },
  { name: 'caching', dependencies: ['services', 'auth'] },
)

/**
 * Throws 412 when the request's If-Match does not name the current representation. The ETag is computed
 * exactly as a GET would serve it: the same schema encoding, the same JSON text.
 */
export function assertIfMatch<S extends z.ZodType>(
  request: FastifyRequest,
  schema: S,
  current: z.output<S>,
): void {
  const header = request.headers['if-match']
  if (header === undefined) return
  const served = serializerFor(schema)(current)
  if (!ifMatch(header, strongEtag(served))) throw new PreconditionFailedError()
}
