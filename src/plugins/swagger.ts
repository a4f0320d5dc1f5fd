/**
 * The OpenAPI document, built from the same zod schemas that validate and serialize, and Swagger UI at /docs.
 * @see https://github.com/fastify/fastify-swagger
 * @see https://github.com/turkerdev/fastify-type-provider-zod#how-to-use-together-with-fastifyswagger
 */

import { readFileSync } from 'node:fs'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

// src/plugins and dist/plugins sit at the same depth below package.json.
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Sahifa API',
          version: packageJson.version,
          description:
            'Sahifa (صحيفة) is a headless CMS for news sites, Arabic first. Reads of published content need ' +
            'no token; writes need `Authorization: Bearer <token>`. Errors are RFC 9457 problem+json.',
          license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: [
          { name: 'articles', description: 'News articles, addressed by id or (Arabic) slug.' },
          { name: 'tags', description: 'Tags that group articles.' },
          { name: 'related', description: 'Ordered editorial links between articles.' },
          { name: 'comments', description: 'Reader comments and their moderation.' },
          { name: 'tokens', description: 'API tokens (admin).' },
          { name: 'operations', description: 'Health.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'A token from `POST /v1/tokens`, or the ADMIN_TOKEN of the server.',
            },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    })

    await app.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: false },
    })
  },
  { name: 'swagger' },
)
