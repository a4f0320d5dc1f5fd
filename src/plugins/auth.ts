/**
 * Bearer tokens: any request with an Authorization header must carry a valid token; routes ask for a role. A client
 * IP that sent RATE_LIMIT_BAD_TOKENS_PER_MINUTE invalid tokens gets 429 for every token it sends until its minute is
 * over (a right guess included, so the limit is not an oracle); its counters sit in the rate-limit store every node
 * shares (nodes/rate-limit-store.ts).
 */
import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../lib/errors.js'
import { problemResponse } from '../lib/problem.js'
import type { Principal, Role } from '../modules/tokens/tokens.service.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the bearer token belongs to; null for anonymous requests. */
    principal: Principal | null
  }
  interface FastifyInstance {
    /** An onRequest hook that answers 401 without a token and 403 for a role below `role`. */
    requireRole(role: Role): onRequestHookHandler
  }
}

const ROLE_RANK: Record<Role, number> = { editor: 1, admin: 2 }
const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i

export default fp(
  async function authPlugin(app: FastifyInstance) {
    const { tokens } = app.services
    app.decorateRequest('principal', null)

    const badTokens = app.createRateLimit({
      max: app.config.RATE_LIMIT_BAD_TOKENS_PER_MINUTE,
      timeWindow: 60_000,
      // A prefix of its own keeps these counters apart from the comment limit's; IPv6 counts per /64, as there.
      keyGenerator: (request) => `bad-token:${normalizeIP(request.ip)}`,
    })

    function tooMany(reply: FastifyReply, ttlSeconds: number): TooManyRequestsError {
      const seconds = Math.max(1, ttlSeconds)
      reply.header('retry-after', String(seconds))
      return new TooManyRequestsError(
        `Too many invalid tokens from this address; try again in ${seconds} seconds.`,
      )
    }

    // Logged without the header, the token or the address: the request id ties it to the access log.
    function logFailure(request: FastifyRequest, reason: string): void {
      request.log.warn({ reason, route: request.routeOptions.url ?? null }, 'authentication failed')
    }

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization
      if (header === undefined) return
      const held = await badTokens(request, { increment: false })
      if (!held.isAllowed && held.remaining === 0) {
        logFailure(request, 'too many invalid tokens')
        throw tooMany(reply, held.ttlInSeconds)
      }
      const secret = BEARER.exec(header)?.[1]
      const principal = secret ? await tokens.verify(secret) : null
      if (principal) {
        request.principal = principal
        return
      }
      const counted = await badTokens(request)
      logFailure(request, secret ? 'unknown or revoked token' : 'malformed Authorization header')
      // Concurrent guesses all read the counter before any was counted: past the limit, they are 429s too.
      if (!counted.isAllowed && counted.isExceeded) throw tooMany(reply, counted.ttlInSeconds)
      throw new UnauthorizedError(
        secret
          ? 'The token is not valid or has been revoked.'
          : 'The Authorization header must read "Bearer <token>".',
      )
    })

    // Any route can meet an invalid token, so any route can answer 429; the OpenAPI document says so.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as
        | { response?: Record<string | number, unknown>; hide?: boolean }
        | undefined
      if (!schema?.response || schema.hide) return
      schema.response[429] ??= problemResponse(
        'Too many requests (or invalid tokens) from this client address; see Retry-After.',
      )
    })

    app.decorate('requireRole', (role: Role): onRequestHookHandler => {
      return async (request) => {
        if (!request.principal) throw new UnauthorizedError()
        if (ROLE_RANK[request.principal.role] < ROLE_RANK[role]) {
          throw new ForbiddenError(`This needs a token with the ${role} role.`)
        }
      }
    })
  },
  { name: 'auth', dependencies: ['services', 'rate-limit'] },
)
