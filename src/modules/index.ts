/** The table of contents of the API: every module under /v1. */
import type { FastifyPluginAsync } from 'fastify'
import articleRoutes from './articles/articles.routes.js'
import commentRoutes from './comments/comments.routes.js'
import previewRoutes from './previews/previews.routes.js'
import redirectRoutes from './redirects/redirects.routes.js'
import relatedRoutes from './related/related.routes.js'
import revisionRoutes from './revisions/revisions.routes.js'
import tagRoutes from './tags/tags.routes.js'
import tokenRoutes from './tokens/tokens.routes.js'
import webhookRoutes from './webhooks/webhooks.routes.js'

const v1: FastifyPluginAsync = async (app) => {
  await app.register(articleRoutes)
  await app.register(relatedRoutes)
  await app.register(revisionRoutes)
  await app.register(previewRoutes)
  await app.register(commentRoutes)
  await app.register(tagRoutes)
  await app.register(tokenRoutes)
  await app.register(redirectRoutes)
  await app.register(webhookRoutes)
}

export default v1
