/** /v1/articles/:idOrSlug/revisions: an article's history, one revision, and restoring one. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { setPaginationHeaders } from '../../lib/pagination.js'
import { IdOrSlugParamsSchema } from '../../lib/schemas.js'
import { assertIfMatch } from '../../plugins/caching.js'
import { ArticleSchema } from '../articles/articles.schemas.js'
import {
  ListRevisionsQuerySchema,
  RevisionPageSchema,
  RevisionParamsSchema,
  RevisionSchema,
} from './revisions.schemas.js'

const revisionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { revisions } = app.services
  app.addHook('onRequest', app.requireRole('editor'))

  /** GET /v1/articles/:idOrSlug/revisions */
  app.get(
    '/articles/:idOrSlug/revisions',
    {
      schema: {
        tags: ['revisions'],
        operationId: 'listRevisions',
        summary: 'List the revisions of an article, newest first',
        description:
          'One revision per create, and per `PATCH` or restore that changed the title, body, excerpt, slug, ' +
          'tags, cover image, author or status; at most `REVISIONS_KEEP` per article (the oldest are pruned). ' +
          'Each names the token that made it. The state itself is in `GET …/revisions/{n}`.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        querystring: ListRevisionsQuerySchema,
        response: { 200: RevisionPageSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const page = await revisions.list(request.params.idOrSlug, request.query)
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** GET /v1/articles/:idOrSlug/revisions/:n */
  app.get(
    '/articles/:idOrSlug/revisions/:n',
    {
      schema: {
        tags: ['revisions'],
        operationId: 'getRevision',
        summary: 'Get one revision with the full state it stored',
        description:
          'The editable state of the article as revision `n` left it: title, slug, excerpt (null when derived), ' +
          'body, bodyFormat, author, coverImageUrl, status, publishedAt, commentsEnabled and tag names.',
        security: TOKEN_REQUIRED,
        params: RevisionParamsSchema,
        response: { 200: RevisionSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => revisions.get(request.params.idOrSlug, request.params.n),
  )

  /** POST /v1/articles/:idOrSlug/revisions/:n/restore */
  app.post(
    '/articles/:idOrSlug/revisions/:n/restore',
    {
      schema: {
        tags: ['revisions'],
        operationId: 'restoreRevision',
        summary: 'Restore an article to one of its revisions',
        description:
          'Applies the state of revision `n` as a `PATCH` of every field would: a slug taken by another ' +
          'article since is a 409 and nothing changes; tags are matched by slug, or made again. The result is ' +
          'stored as a new revision. Send the ETag of your copy of the article in `If-Match` so that a change ' +
          'made by someone else since answers 412.',
        security: TOKEN_REQUIRED,
        params: RevisionParamsSchema,
        response: { 200: ArticleSchema, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request) =>
      revisions.restore(request.params.idOrSlug, request.params.n, {
        actor: request.principal?.name ?? null,
        assertCurrent: (current) => assertIfMatch(request, ArticleSchema, current),
      }),
  )
}

export default revisionRoutes
