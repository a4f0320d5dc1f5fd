/**
 * GET /health: 200 while the database answers, 503 otherwise, and 503 "draining" from SIGTERM on (plugins/drain.ts).
 * Outside /v1, for load balancers and Docker.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PROBLEM_CONTENT_TYPE, ProblemSchema, problem } from '../../lib/problem.js'
import { sendProblem } from '../../plugins/errors.js'

const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' })
const DrainingSchema = z
  .object({ status: z.literal('draining') })
  .meta({ id: 'HealthDraining', description: 'The node is shutting down: send new requests elsewhere.' })

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getHealth',
        summary: 'Health check',
        description:
          'For load balancers and Docker: 200 while the database (and Redis, when REDIS_URL is set) answers, 503 ' +
          'otherwise. From SIGTERM on, 503 `{"status":"draining"}` while the node still serves every request ' +
          'for DRAIN_DELAY_MS, then closes.',
        security: [],
        response: {
          200: HealthSchema,
          503: {
            description:
              'Draining after SIGTERM (`{"status":"draining"}`), or the database (or Redis) does not answer ' +
              '(problem+json).',
            content: {
              'application/json': { schema: DrainingSchema },
              [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema },
            },
          },
        },
      },
    },
    async (request, reply) => {
      if (app.drain.draining) {
        reply.code(503).type('application/json').header('cache-control', 'no-store')
        return { status: 'draining' as const }
      }
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
