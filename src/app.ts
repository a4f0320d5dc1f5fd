/** buildApp({ config, services }): the whole API as a Fastify instance. It never listens, migrates or seeds. */
import { randomUUID } from 'node:crypto'
import fastifyCors from '@fastify/cors'
import Fastify, { type FastifyInstance } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { timeoutOptions } from './http-options.js'
import { routeSerializer } from './lib/serialize.js'
import { createLogger } from './logger.js'
import healthRoutes from './modules/health/health.routes.js'
import v1 from './modules/index.js'
import authPlugin from './plugins/auth.js'
import cachingPlugin from './plugins/caching.js'
import clientIpPlugin from './plugins/client-ip.js'
import drainPlugin from './plugins/drain.js'
import errorsPlugin, { sendFrameworkProblem } from './plugins/errors.js'
import fairTurnsPlugin from './plugins/fair-turns.js'
import noNulPlugin from './plugins/no-nul.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import readCachePlugin from './plugins/read-cache.js'
import securityHeadersPlugin, { BASE_SECURITY_HEADERS } from './plugins/security-headers.js'
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
    trustProxy: config.TRUST_PROXY === false ? false : [...config.TRUST_PROXY],
    ...timeoutOptions(config),
    // Once closing, a request on a connection already accepted is still answered (drain.ts closes the connection).
    return503OnClosing: false,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // The router's own errors skip every hook, the security headers' too.
    frameworkErrors: (error, request, reply) => {
      reply.headers(BASE_SECURITY_HEADERS)
      sendFrameworkProblem(error, request, reply)
    },
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  // Response schemas compiled to fast-json-stringify: still only the fields they list leave (lib/serialize.ts).
  app.setSerializerCompiler(({ schema }) => routeSerializer(schema))
  // Fastify parses text/plain by default; the contract accepts JSON only, so any other body is a 415.
  app.removeContentTypeParser('text/plain')

  // First: its onRequest hook decides when a request's work may start (plugins/fair-turns.ts).
  await app.register(fairTurnsPlugin)
  await app.register(servicesPlugin, { services, config })
  await app.register(drainPlugin)
  // Before any hook that can answer early (auth's 401) or reads request.ip (the rate limits).
  await app.register(clientIpPlugin)
  await app.register(securityHeadersPlugin)
  await app.register(errorsPlugin)
  await app.register(noNulPlugin)
  // @see https://github.com/fastify/fastify-cors#options
  await app.register(fastifyCors, {
    origin: config.CORS_ORIGINS === '*' ? '*' : [...config.CORS_ORIGINS],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: ['X-Total-Count', 'Link', 'ETag', 'Location', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  })
  // The rate-limit store first: auth counts invalid tokens in it.
  await app.register(rateLimitPlugin)
  await app.register(authPlugin)
  await app.register(cachingPlugin)
  // After caching: its onSend has set the ETag (or made a 304) before this one stores the answer.
  await app.register(readCachePlugin)
  await app.register(swaggerPlugin)

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(healthRoutes)
  await app.register(v1, { prefix: '/v1' })
  return app
}
