/** buildApp({ config, services }): the whole API as a Fastify instance. It never listens, migrates or seeds. */
import { randomUUID } from 'node:crypto'
import fastifyCors from '@fastify/cors'
import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { createLogger } from './logger.js'
import healthRoutes from './modules/health/health.routes.js'
import v1 from './modules/index.js'
import authPlugin from './plugins/auth.js'
import cachingPlugin from './plugins/caching.js'
import errorsPlugin, { sendFrameworkProblem } from './plugins/errors.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import servicesPlugin from './plugins/services.js'
import swaggerPlugin from './plugins/swagger.js'
import type { Services } from './services.js'

export interface AppDeps {
  config: Config
  services: Services
  /** Defaults to a pino logger at LOG_LEVEL on stdout; tests pass a silent or capturing one. */
  logger?: Logger
}

export type App = FastifyInstance

export async function buildApp({ config, services, logger }: AppDeps) {
  const app = Fastify({
    loggerInstance: logger ?? createLogger(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    frameworkErrors: sendFrameworkProblem,
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Fastify parses text/plain by default; the contract accepts JSON only, so any other body is a 415.
  app.removeContentTypeParser('text/plain')

  await app.register(servicesPlugin, { services, config })
  await app.register(errorsPlugin)
  // @see https://github.com/fastify/fastify-cors#options
  await app.register(fastifyCors, {
    origin: config.CORS_ORIGINS === '*' ? '*' : [...config.CORS_ORIGINS],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: ['X-Total-Count', 'Link', 'ETag', 'Location', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  })
  await app.register(authPlugin)
  await app.register(rateLimitPlugin)
  await app.register(cachingPlugin)
  await app.register(swaggerPlugin)

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(healthRoutes)
  await app.register(v1, { prefix: '/v1' })
  return app
}
