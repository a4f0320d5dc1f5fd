/** GET /health: 200 while the database answers, 503 otherwise. Outside /v1, for load balancers and Docker. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { problems } from '../../lib/openapi.js'
import { problem } from '../../lib/problem.js'
import { sendProblem } from '../../plugins/errors.js'

const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' })

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getHealth',
        summary: 'Health check',
        description:
          'For load balancers and Docker: 200 while the database (and Redis, when REDIS_URL is set) answers, 503 otherwise.',
        security: [],
        response: { 200: HealthSchema, ...problems(503) },
      },
    },
    async (request, reply) => {
      try {
        await app.services.check()
        // A cached "ok" during an outage would hide it from the load balancer.
        reply.header('cache-control', 'no-store')
        return { status: 'ok' as const }
      } catch (error) {
        request.log.error({ err: { name: (error as Error).name } }, 'health check failed')
        return sendProblem(reply, problem(503, 'A service this node depends on does not answer.'))
      }
    },
  )
}

export default healthRoutes
