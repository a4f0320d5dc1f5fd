/** /v1/tokens: admins create, list and revoke API tokens. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { locationOf, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { IdParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import { CreatedTokenSchema, CreateTokenBodySchema, TokenListSchema, TokenSchema } from './tokens.schemas.js'

const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const { tokens } = app.services
  app.addHook('onRequest', app.requireRole('admin'))

  /** POST /v1/tokens */
  app.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'createToken',
        summary: 'Create a token (admin)',
        description: 'The answer holds the secret `token`, shown this once.',
        security: TOKEN_REQUIRED,
        body: CreateTokenBodySchema,
        response: { 201: CreatedTokenSchema, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const token = await tokens.create(request.body)
      reply.code(201).header('location', locationOf('tokens', token.id))
      return token
    },
  )

  /** GET /v1/tokens */
  app.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'listTokens',
        summary: 'List tokens, without their secrets (admin)',
        description:
          'Tokens are stored hashed: a lost secret cannot be shown again, only revoked and replaced.',
        security: TOKEN_REQUIRED,
        response: { 200: TokenListSchema, ...problems(401, 403) },
      },
    },
    async () => ({ data: await tokens.list() }),
  )

  /** GET /v1/tokens/:id */
  app.get(
    '/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'getToken',
        summary: 'Get one token, without its secret (admin)',
        description: 'Its name, role and times; never the secret.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 200: TokenSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => tokens.get(request.params.id),
  )

  /** DELETE /v1/tokens/:id */
  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'deleteToken',
        summary: 'Revoke a token at once (admin)',
        description: 'The next request that sends it answers 401.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await tokens.remove(request.params.id)
      return reply.code(204).send()
    },
  )
}

export default tokenRoutes
