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

interface RequestBody {
  required?: boolean
  content?: Record<string, { schema?: { anyOf?: unknown[] } }>
}

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<string, { responses?: Record<string, { description?: string }>; requestBody?: RequestBody }>
  >
  components?: { schemas?: Record<string, unknown>; [part: string]: unknown }
  [key: string]: unknown
}

// What a 2xx answer means when its schema carries no description of its own.
const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK.',
  '201': 'Created; `Location` holds its URL.',
  '204': 'Done; no content.',
}

const SCHEMA_REF = '#/components/schemas/'

function refsIn(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found)
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF)) {
        found.add(inner.slice(SCHEMA_REF.length))
      } else refsIn(inner, found)
    }
  }
  return found
}

/**
 * fastify-type-provider-zod emits every registered schema twice (`X` for answers, `XInput` for requests),
 * used or not. Clients generate types from this document, so keep only what an operation reaches, and give a
 * request schema its plain name (`CreateArticle`, not `CreateArticleInput`) when no answer uses that name.
 * @fastify/swagger writes "Default Response" for an answer without a description: say what it is instead.
 * It also marks every request body required; a body schema that accepts null (`.nullish()`) may be left out.
 */
/** `anyOf: [X, { type: 'null' }]` as a whole request body: X, and the body may be left out. */
function optionalBody(body: RequestBody | undefined): void {
  const media = Object.values(body?.content ?? {})
  const alternatives = media.map((entry) => entry.schema?.anyOf)
  const isNullable = (anyOf: unknown[] | undefined) =>
    anyOf?.length === 2 && anyOf.some((schema) => (schema as { type?: unknown }).type === 'null')
  if (!body || media.length === 0 || !alternatives.every(isNullable)) return
  body.required = false
  for (const entry of media) {
    entry.schema = entry.schema?.anyOf?.find(
      (schema) => (schema as { type?: unknown }).type !== 'null',
    ) as never
  }
}

function tidyDocument(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description === 'Default Response') {
          response.description = SUCCESS_DESCRIPTIONS[status] ?? 'An answer.'
        }
      }
      optionalBody(operation.requestBody)
    }
  }

  const schemas = document.components?.schemas ?? {}
  const { components, ...outside } = document
  const reached = refsIn({ ...outside, components: { ...components, schemas: {} } }, new Set())
  for (const pending = [...reached]; pending.length > 0; ) {
    for (const name of refsIn(schemas[pending.pop() as string], new Set())) {
      if (!reached.has(name)) {
        reached.add(name)
        pending.push(name)
      }
    }
  }
  const renames = new Map<string, string>()
  for (const name of reached) {
    const plain = name.replace(/Input$/, '')
    if (plain !== name && !reached.has(plain)) renames.set(name, plain)
  }
  const kept = Object.fromEntries(
    [...reached].sort().map((name) => [renames.get(name) ?? name, schemas[name]] as const),
  )
  return JSON.parse(
    JSON.stringify({ ...document, components: { ...components, schemas: kept } }),
    (key, value) => {
      if (key !== '$ref' || typeof value !== 'string' || !value.startsWith(SCHEMA_REF)) return value
      const name = value.slice(SCHEMA_REF.length)
      return SCHEMA_REF + (renames.get(name) ?? name)
    },
  )
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
          { name: 'revisions', description: 'An article’s stored history, and restoring it.' },
          { name: 'previews', description: 'Secret, expiring links to an article as it stands.' },
          { name: 'comments', description: 'Reader comments and their moderation.' },
          { name: 'tokens', description: 'API tokens (admin).' },
          { name: 'redirects', description: 'Old WordPress addresses of imported articles.' },
          { name: 'webhooks', description: 'Signed HTTP notifications of changes (admin).' },
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
      transformObject: (document) => {
        const generated = jsonSchemaTransformObject(document)
        return tidyDocument(generated as unknown as OpenApiDocument) as unknown as typeof generated
      },
    })

    // DOCS_ENABLED=false: no Swagger UI and no served document (/docs, /docs/json are 404s); app.swagger() stays.
    if (!app.config.DOCS_ENABLED) return
    await app.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: false },
    })
  },
  { name: 'swagger', dependencies: ['services'] },
)
