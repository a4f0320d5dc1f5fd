/**
 * @fastify/rate-limit, for the routes that ask for it (posting a comment): off by default, keyed by request.ip
 * (which honours TRUST_PROXY), counters where every node sees them (nodes/rate-limit-store.ts). The plugin sets
 * Retry-After before throwing; the error handler turns the throw into problem+json.
 * @see https://github.com/fastify/fastify-rate-limit#options
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { TooManyRequestsError } from '../lib/errors.js'

export default fp(
  async function rateLimitPlugin(app: FastifyInstance) {
    await app.register(rateLimit, {
      global: false,
      ...app.services.rateLimitStore,
      // A store that does not answer (Redis or PostgreSQL away) must not take commenting down with it.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new TooManyRequestsError(
          `Too many requests from this address; try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
        ),
    })
  },
  { name: 'rate-limit', dependencies: ['services'] },
)
