/**
 * Preview links: made, listed and revoked under /v1/articles/:idOrSlug/preview with a token; read at
 * /v1/preview/:previewToken by anyone holding the secret (a headless frontend's preview page, the desk's phones).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { OPTIONAL_TOKEN, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { setPaginationHeaders } from '../../lib/pagination.js'
import { IdOrSlugParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import { ArticleSchema } from '../articles/articles.schemas.js'
import {
  CreatedPreviewSchema,
  CreatePreviewBodySchema,
  ListPreviewsQuerySchema,
  PreviewPageSchema,
  PreviewParamsSchema,
  PreviewSchema,
  PreviewTokenParamsSchema,
} from './previews.schemas.js'

const previewRoutes: FastifyPluginAsyncZod = async (app) => {
  const { previews } = app.services
  const editor = app.requireRole('editor')

  /** POST /v1/articles/:idOrSlug/preview */
  app.post(
    '/articles/:idOrSlug/preview',
    {
      onRequest: editor,
      schema: {
        tags: ['previews'],
        operationId: 'createPreview',
        summary: 'Make a preview link for an article',
        description:
          'A secret link that shows the article as it stands at each read (draft or scheduled included) to ' +
          'anyone holding it, until it expires (`expiresInSeconds`, 10 s to 30 days, default 24 h) or is ' +
          'revoked. The secret is in this answer only. `Location` is the link’s record, without the secret.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        body: CreatePreviewBodySchema.nullish(),
        response: { 201: CreatedPreviewSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const preview = await previews.create(
        request.params.idOrSlug,
        request.body ?? {},
        request.principal?.name ?? null,
      )
      reply.code(201).header('location', `/v1/articles/${preview.articleId}/preview/${preview.id}`)
      return preview
    },
  )

  /** GET /v1/articles/:idOrSlug/preview */
  app.get(
    '/articles/:idOrSlug/preview',
    {
      onRequest: editor,
      schema: {
        tags: ['previews'],
        operationId: 'listPreviews',
        summary: 'List the live preview links of an article',
        description: 'Links that have not expired nor been revoked, newest first, without their secrets.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        querystring: ListPreviewsQuerySchema,
        response: { 200: PreviewPageSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const page = await previews.list(request.params.idOrSlug, request.query)
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** GET /v1/articles/:idOrSlug/preview/:id */
  app.get(
    '/articles/:idOrSlug/preview/:id',
    {
      onRequest: editor,
      schema: {
        tags: ['previews'],
        operationId: 'getPreview',
        summary: 'Get one live preview link, without its secret',
        description: 'Where `Location` points after a link is made. An expired or revoked link is a 404.',
        security: TOKEN_REQUIRED,
        params: PreviewParamsSchema,
        response: { 200: PreviewSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => previews.get(request.params.idOrSlug, request.params.id),
  )

  /** DELETE /v1/articles/:idOrSlug/preview/:id */
  app.delete(
    '/articles/:idOrSlug/preview/:id',
    {
      onRequest: editor,
      schema: {
        tags: ['previews'],
        operationId: 'revokePreview',
        summary: 'Revoke a preview link at once',
        description: 'The next read of its secret answers 404. An expired link is gone already (404).',
        security: TOKEN_REQUIRED,
        params: PreviewParamsSchema,
        response: { 204: NoContentSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await previews.remove(request.params.idOrSlug, request.params.id)
      return reply.code(204).send()
    },
  )

  /** GET /v1/preview/:previewToken */
  app.get(
    '/preview/:previewToken',
    {
      schema: {
        tags: ['previews'],
        operationId: 'readPreview',
        summary: 'Read an article through a preview link',
        description:
          'No bearer token: the secret is the permission. The article as it now stands, in full form, as ' +
          '`GET /v1/articles/{idOrSlug}` answers it. Never cached (`private, no-store`) nor indexed ' +
          '(`X-Robots-Tag: noindex`). An unknown, expired or revoked secret is the same 404, which says ' +
          'nothing about the article.',
        security: OPTIONAL_TOKEN,
        params: PreviewTokenParamsSchema,
        response: { 200: ArticleSchema, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      // Set before the read, so that the 404 of a dead link is not indexed either (errors are always no-store).
      reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex')
      return previews.read(request.params.previewToken)
    },
  )
}

export default previewRoutes
