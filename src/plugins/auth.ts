/** Bearer tokens: any request with an Authorization header must carry a valid token; routes ask for a role. */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { ForbiddenError, UnauthorizedError } from '../lib/errors.js'
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

    app.addHook('onRequest', async (request: FastifyRequest) => {
      const header = request.headers.authorization
      if (header === undefined) return
      const secret = BEARER.exec(header)?.[1]
      if (!secret) throw new UnauthorizedError('The Authorization header must read "Bearer <token>".')
      const principal = await tokens.verify(secret)
      if (!principal) throw new UnauthorizedError('The token is not valid or has been revoked.')
      request.principal = principal
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
  { name: 'auth', dependencies: ['services'] },
)
