/** Comments: the public list and post under an article, and /v1/comments for moderators. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { locationOf, OPTIONAL_TOKEN, problems, TOKEN_REQUIRED } from '../../lib/openapi.js'
import { PageQuerySchema, setPaginationHeaders } from '../../lib/pagination.js'
import { problemResponse } from '../../lib/problem.js'
import { IdOrSlugParamsSchema, IdParamsSchema, NoContentSchema } from '../../lib/schemas.js'
import { assertIfMatch } from '../../plugins/caching.js'
import {
  COMMENT_REQUEST_MAX_BYTES,
  CommentPageSchema,
  CreateCommentBodySchema,
  ListCommentsQuerySchema,
  ModeratedCommentPageSchema,
  ModeratedCommentSchema,
  SubmittedCommentSchema,
  UpdateCommentBodySchema,
} from './comments.schemas.js'

const commentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { comments } = app.services
  const editor = app.requireRole('editor')

  /** GET /v1/articles/:idOrSlug/comments */
  app.get(
    '/articles/:idOrSlug/comments',
    {
      schema: {
        tags: ['comments'],
        operationId: 'listArticleComments',
        summary: 'List the approved comments of an article',
        description:
          'Approved comments of an article the caller can see, oldest first, flat: each names its `parentId`, ' +
          'so threads can be rebuilt on the page.',
        security: OPTIONAL_TOKEN,
        params: IdOrSlugParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: CommentPageSchema, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const page = await comments.listForArticle(
        request.params.idOrSlug,
        request.principal !== null,
        request.query,
      )
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** POST /v1/articles/:idOrSlug/comments */
  app.post(
    '/articles/:idOrSlug/comments',
    {
      config: { rateLimit: { max: app.config.RATE_LIMIT_COMMENTS_PER_MINUTE, timeWindow: '1 minute' } },
      // A valid comment is a few KiB; the anonymous route does not take the megabyte an article may need.
      bodyLimit: Math.min(COMMENT_REQUEST_MAX_BYTES, app.config.BODY_LIMIT_BYTES),
      schema: {
        tags: ['comments'],
        operationId: 'createComment',
        summary: 'Post a comment (no token needed)',
        description:
          'Files a comment for moderation (`pending`), or approves it at once when the server runs with ' +
          '`COMMENTS_AUTO_APPROVE`. The e-mail address is stored and never returned, to anyone. Leave `honeypot` ' +
          'empty. The same address posting the same text to the same article again from the same client IP is a 409 ' +
          '(from another IP it is answered as a new comment and filed as spam); posting more than ' +
          '`RATE_LIMIT_COMMENTS_PER_MINUTE` comments a minute from one IP is a 429 with `Retry-After`. Names and ' +
          'bodies with control characters, bidirectional overrides, lone surrogates or nothing visible are a 400, ' +
          'as is an `authorUrl` with a user name or password.',
        security: OPTIONAL_TOKEN,
        params: IdOrSlugParamsSchema,
        body: CreateCommentBodySchema,
        response: {
          201: SubmittedCommentSchema,
          ...problems(400, 404, 409, 429),
          403: problemResponse('Comments are closed on this article.'),
          413: problemResponse('The body is larger than 64 KiB (or BODY_LIMIT_BYTES, when that is smaller).'),
        },
      },
    },
    async (request, reply) => {
      const comment = await comments.create(request.params.idOrSlug, request.body, {
        privileged: request.principal !== null,
        clientIp: request.ip,
      })
      reply.code(201).header('location', locationOf('comments', comment.id))
      return comment
    },
  )

  /** GET /v1/comments */
  app.get(
    '/comments',
    {
      onRequest: editor,
      schema: {
        tags: ['comments'],
        operationId: 'listComments',
        summary: 'The moderation queue',
        description: 'Comments of every article, newest first; filter with `status` and `articleId`.',
        security: TOKEN_REQUIRED,
        querystring: ListCommentsQuerySchema,
        response: { 200: ModeratedCommentPageSchema, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = await comments.list(request.query)
      setPaginationHeaders(request, reply, page.meta)
      return page
    },
  )

  /** GET /v1/comments/:id */
  app.get(
    '/comments/:id',
    {
      onRequest: editor,
      schema: {
        tags: ['comments'],
        operationId: 'getComment',
        summary: 'Get one comment, whatever its status',
        description:
          'For moderators: any status, with `status` and `updatedAt`; never the e-mail address or IP.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 200: ModeratedCommentSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => comments.get(request.params.id),
  )

  /** PATCH /v1/comments/:id */
  app.patch(
    '/comments/:id',
    {
      onRequest: editor,
      bodyLimit: Math.min(COMMENT_REQUEST_MAX_BYTES, app.config.BODY_LIMIT_BYTES),
      schema: {
        tags: ['comments'],
        operationId: 'updateComment',
        summary: 'Moderate a comment: approve it, mark it as spam, trash it, or edit its text',
        description:
          'Send the ETag of your copy in `If-Match` so that a change made by another moderator since answers ' +
          '412 instead of being overwritten.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        body: UpdateCommentBodySchema,
        response: {
          200: ModeratedCommentSchema,
          ...problems(400, 401, 403, 404, 412),
          413: problemResponse('The body is larger than 64 KiB (or BODY_LIMIT_BYTES, when that is smaller).'),
        },
      },
    },
    async (request) =>
      comments.update(request.params.id, request.body, (current) =>
        assertIfMatch(request, ModeratedCommentSchema, current),
      ),
  )

  /** DELETE /v1/comments/:id */
  app.delete(
    '/comments/:id',
    {
      onRequest: editor,
      schema: {
        tags: ['comments'],
        operationId: 'deleteComment',
        summary: 'Delete a comment; its replies move up to its parent',
        description: 'The comment is removed for good; its replies stay and now answer its parent.',
        security: TOKEN_REQUIRED,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await comments.remove(request.params.id)
      return reply.code(204).send()
    },
  )
}

export default commentRoutes
