/** /v1/tags: list, read, create, patch and delete tags. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { locationOf, OPTIONAL_TOKEN, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { setPaginationHeaders } from '../../lib/pagination.js'
import { IdOrSlugParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import { assertIfMatch } from '../../plugins/caching.js'
import {
  CreateTagBodySchema,
  ListTagsQuerySchema,
  TagPageSchema,
  TagSchema,
  UpdateTagBodySchema,
} from './tags.schemas.js'

const tagRoutes: FastifyPluginAsyncZod = async (app) => {
  const { tags } = app.services
  const editor = app.requireRole('editor')

  /** GET /v1/tags */
  app.get(
    '/tags',
    {
      schema: {
        tags: ['tags'],
        operationId: 'listTags',
        summary: 'List tags',
        description:
          'By name, or by `-articleCount`; `q` keeps the names with a word starting with each word given ' +
          '(Arabic-normalized). The articles of a tag: `GET /v1/articles?tag={slug}`. Without a token, a tag ' +
          'that only drafts or scheduled articles carry is left out until one of them goes live, unless it was ' +
          'created with `POST /v1/tags`.',
        security: OPTIONAL_TOKEN,
        querystring: ListTagsQuerySchema,
        response: { 200: TagPageSchema, ...problems(400) },
      },
    },
    async (request, reply) => {
      const page = await tags.list(request.query, request.principal !== null)
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** GET /v1/tags/:idOrSlug */
  app.get(
    '/tags/:idOrSlug',
    {
      schema: {
        tags: ['tags'],
        operationId: 'getTag',
        summary: 'Get one tag by id or slug',
        description:
          '`articleCount` counts the published articles the public can see. Without a token, a tag that only ' +
          'drafts or scheduled articles carry (and that was not created with `POST /v1/tags`) is a 404.',
        security: OPTIONAL_TOKEN,
        params: IdOrSlugParamsSchema,
        response: { 200: TagSchema, ...problems(400, 404) },
      },
    },
    async (request) => tags.get(request.params.idOrSlug, request.principal !== null),
  )

  /** POST /v1/tags */
  app.post(
    '/tags',
    {
      onRequest: editor,
      schema: {
        tags: ['tags'],
        operationId: 'createTag',
        summary: 'Create a tag',
        description: '`name` is required; the slug is derived from it (kept in Arabic) unless given.',
        security: TOKEN_REQUIRED,
        body: CreateTagBodySchema,
        response: { 201: TagSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const tag = await tags.create(request.body)
      reply.code(201).header('location', locationOf('tags', tag.id))
      return tag
    },
  )

  /** PATCH /v1/tags/:idOrSlug */
  app.patch(
    '/tags/:idOrSlug',
    {
      onRequest: editor,
      schema: {
        tags: ['tags'],
        operationId: 'updateTag',
        summary: 'Change a tag',
        description:
          'The slug stays when the name changes, unless a new slug is given. Send the ETag of your copy in ' +
          '`If-Match` so that a change made by someone else since answers 412 instead of being overwritten.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        body: UpdateTagBodySchema,
        response: { 200: TagSchema, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request) =>
      tags.update(request.params.idOrSlug, request.body, (current) =>
        assertIfMatch(request, TagSchema, current),
      ),
  )

  /** DELETE /v1/tags/:idOrSlug */
  app.delete(
    '/tags/:idOrSlug',
    {
      onRequest: editor,
      schema: {
        tags: ['tags'],
        operationId: 'deleteTag',
        summary: 'Delete a tag and detach it from its articles',
        description: 'The articles stay; they lose this tag.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        response: { 204: NoContentSchema, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await tags.remove(request.params.idOrSlug)
      return reply.code(204).send()
    },
  )
}

export default tagRoutes
