/** /v1/articles/:idOrSlug/related: read the related list, replace it, append to it, remove one link. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { OPTIONAL_TOKEN, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { IdOrSlugParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import {
  AddRelatedBodySchema,
  RelatedLinkParamsSchema,
  RelatedListSchema,
  RelatedQuerySchema,
  ReplaceRelatedBodySchema,
} from './related.schemas.js'

const relatedRoutes: FastifyPluginAsyncZod = async (app) => {
  const { related } = app.services
  const editor = app.requireRole('editor')

  /** GET /v1/articles/:idOrSlug/related */
  app.get(
    '/articles/:idOrSlug/related',
    {
      schema: {
        tags: ['related'],
        operationId: 'listRelatedArticles',
        summary: 'List the related articles of an article',
        description:
          'The manual links first, in their order, then (with `fill=tags`) the live published articles sharing ' +
          'the most tags with this one, newest first among equals, up to `limit`. The public sees only live ' +
          'linked articles; a token also shows drafts and scheduled ones, with their `status`.',
        security: OPTIONAL_TOKEN,
        params: IdOrSlugParamsSchema,
        querystring: RelatedQuerySchema,
        response: { 200: RelatedListSchema, ...problems(400, 404) },
      },
    },
    async (request) => related.list(request.params.idOrSlug, request.query, request.principal !== null),
  )

  /** PUT /v1/articles/:idOrSlug/related */
  app.put(
    '/articles/:idOrSlug/related',
    {
      onRequest: editor,
      schema: {
        tags: ['related'],
        operationId: 'replaceRelatedArticles',
        summary: 'Replace the ordered list of related articles',
        description:
          'Answers every link in its new order, drafts included, without fill. A self link, a repeated id or an ' +
          'unknown id is a 400 whose `errors` name each one by its index (`articleIds.2`); nothing changes then.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        body: ReplaceRelatedBodySchema,
        response: { 200: RelatedListSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => related.replace(request.params.idOrSlug, request.body.articleIds),
  )

  /** POST /v1/articles/:idOrSlug/related */
  app.post(
    '/articles/:idOrSlug/related',
    {
      onRequest: editor,
      schema: {
        tags: ['related'],
        operationId: 'addRelatedArticle',
        summary: 'Append one related article',
        description:
          'Answers every link in order, drafts included, without fill; `Location` is the list. A self link or ' +
          'an unknown id is a 400; a link that exists already, or a list holding 20 links, a 409.',
        security: TOKEN_REQUIRED,
        params: IdOrSlugParamsSchema,
        body: AddRelatedBodySchema,
        response: { 201: RelatedListSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { articleId, list } = await related.append(request.params.idOrSlug, request.body.articleId)
      reply.code(201).header('location', `/v1/articles/${articleId}/related`)
      return list
    },
  )

  /** DELETE /v1/articles/:idOrSlug/related/:relatedId */
  app.delete(
    '/articles/:idOrSlug/related/:relatedId',
    {
      onRequest: editor,
      schema: {
        tags: ['related'],
        operationId: 'removeRelatedArticle',
        summary: 'Remove one related article',
        description: 'The links after it move up one place. 404 when the article or the link does not exist.',
        security: TOKEN_REQUIRED,
        params: RelatedLinkParamsSchema,
        response: { 204: NoContentSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await related.remove(request.params.idOrSlug, request.params.relatedId)
      return reply.code(204).send()
    },
  )
}

export default relatedRoutes
