/** /v1/articles: list, read, create, patch and delete articles. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { UnauthorizedError } from '../../lib/errors.js'
import { locationOf, OPTIONAL_TOKEN, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { setPaginationHeaders } from '../../lib/pagination.js'
import { IdOrSlugParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import { assertIfMatch } from '../../plugins/caching.js'
import {
  ArticlePageSchema,
  ArticleSchema,
  CreateArticleBodySchema,
  ListArticlesQuerySchema,
  UpdateArticleBodySchema,
} from './articles.schemas.js'

const articleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { articles } = app.services
  const editor = app.requireRole('editor')

  /** GET /v1/articles */
  app.get(
    '/articles',
    {
      schema: {
        tags: ['articles'],
        operationId: 'listArticles',
        summary: 'List articles',
        description:
          'Published articles whose time has come, newest first. With a token, `status` also lists scheduled ' +
          'articles, drafts or all. Page with `page`/`perPage`, or follow `meta.nextCursor` with `cursor`. ' +
          '`q` searches titles, excerpts and bodies, Arabic-normalized and stemmed, every word required, ' +
          'best match first (title above excerpt above body) unless `sort` is given.',
        security: OPTIONAL_TOKEN,
        querystring: ListArticlesQuerySchema,
        response: { 200: ArticlePageSchema, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      const { query } = request
      if (query.status !== undefined && query.status !== 'published' && !request.principal) {
        throw new UnauthorizedError('Listing by status needs a token.')
      }
      const page = await articles.list(query)
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** GET /v1/articles/:idOrSlug */
  app.get(
    '/articles/:idOrSlug',
    {
      schema: {
        tags: ['articles'],
        operationId: 'getArticle',
        summary: 'Get one article by id or slug',
        description:
          'The full form, with `body` and its sanitized `html`. Arabic slugs work decoded or percent-encoded. ' +
          'Drafts and scheduled articles answer 404 without a token.',
        security: OPTIONAL_TOKEN,
        params: IdOrSlugParamsSchema,
        response: { 200: ArticleSchema, ...problems(400, 404) },
      },
    },
    async (request) => articles.get(request.params.idOrSlug, request.principal !== null),
  )

  /** POST /v1/articles */
  app.post(
    '/articles',
    {
      onRequest: editor,
      schema: {
        tags: ['articles'],
        operationId: 'createArticle',
        summary: 'Create an article',
        description:
          '`title` and `body` are required. The slug is derived from the title (kept in Arabic) unless given; ' +
          '`tags` are names, matched by slug or created. `Location` holds the new URL.',
        security: TOKEN_REQUIRED,
        body: CreateArticleBodySchema,
        response: { 201: ArticleSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const article = await articles.create(request.body, { actor: request.principal?.name ?? null })
      reply.code(201).header('location', locationOf('articles', article.id))
      return article
    },
  )

  /** PATCH /v1/articles/:idOrSlug */
  app.patch(
    '/articles/:idOrSlug',
    {
      onRequest: editor,
      schema: {
        tags: ['articles'],
        operationId: 'updateArticle',
        summary: 'Change an article',
        description:
          'Changes the fields given; `tags` replaces the set. Send the ETag of your copy in `If-Match` so that ' +
          'a change made by someone else since answers 412 instead of being overwritten.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        body: UpdateArticleBodySchema,
        response: { 200: ArticleSchema, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request) =>
      articles.update(
        request.params.idOrSlug,
        request.body,
        (current) => assertIfMatch(request, ArticleSchema, current),
        { actor: request.principal?.name ?? null },
      ),
  )

  /** DELETE /v1/articles/:idOrSlug */
  app.delete(
    '/articles/:idOrSlug',
    {
      onRequest: editor,
      schema: {
        tags: ['articles'],
        operationId: 'deleteArticle',
        summary: 'Delete an article with its comments, tag links and related links',
        description: 'Removes the article, its comments, its tag links and every related link from or to it.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        response: { 204: NoContentSchema, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await articles.remove(request.params.idOrSlug)
      return reply.code(204).send()
    },
  )
}

export default articleRoutes
