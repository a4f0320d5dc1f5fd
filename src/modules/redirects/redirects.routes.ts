/** /v1/redirects: the live article an old WordPress address names. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { OPTIONAL_TOKEN, problems } from '../../lib/openapi.js'
import { RedirectQuerySchema, RedirectSchema } from './redirects.schemas.js'

const redirectRoutes: FastifyPluginAsyncZod = async (app) => {
  const { redirects } = app.services

  /** GET /v1/redirects?from=… */
  app.get(
    '/redirects',
    {
      schema: {
        tags: ['redirects'],
        operationId: 'resolveRedirect',
        summary: 'Find the article an old WordPress address names',
        description:
          'For a frontend that answers its old WordPress URLs with a 301: the permalink a post had when it was ' +
          'exported (`/2017/11/01/<slug>/`), `/?p=123`, `/archives/123`, its `guid`, or an address with one of its ' +
          'old slugs (`_wp_old_slug`), whole or as a path, percent-encoded or not. Also an address whose last ' +
          'segment is an article’s current slug. Live articles only, for everyone; 404 otherwise.',
        security: OPTIONAL_TOKEN,
        querystring: RedirectQuerySchema,
        response: { 200: RedirectSchema, ...problems(400, 404) },
      },
    },
    async (request) => redirects.resolve(request.query.from),
  )
}

export default redirectRoutes
