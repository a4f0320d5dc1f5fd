/**
 * The client IP behind trusted proxies (TRUST_PROXY): Fastify walks X-Forwarded-For from the right and stops at the
 * first hop no trusted proxy vouches for. A hop that is not an IP address (a client wrote it, a proxy passed it on)
 * ends the chain here: the header is cut before it, so request.ip is the last trusted hop, and every address the
 * app counts or stores is a real one.
 */
import { isIP } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export default fp(
  async function clientIpPlugin(app: FastifyInstance) {
    if (app.config.TRUST_PROXY === false) return
    app.addHook('onRequest', async (request) => {
      if (request.headers['x-forwarded-for'] === undefined) return
      // [socket, nearest hop, …, the client as the trusted proxies report it]
      const chain = request.ips ?? []
      if (isIP(chain.at(-1) ?? '') !== 0) return
      const trusted = chain.slice(1, -1).reverse()
      if (trusted.length === 0) delete request.raw.headers['x-forwarded-for']
      else request.raw.headers['x-forwarded-for'] = trusted.join(', ')
    })
  },
  { name: 'client-ip', dependencies: ['services'] },
)
