/** Hands the services (built once, in services.ts) and the configuration to every plugin and route. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { Services } from '../services.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
    config: Config
  }
}

export default fp(
  async function servicesPlugin(app: FastifyInstance, options: { services: Services; config: Config }) {
    app.decorate('services', options.services)
    app.decorate('config', options.config)
  },
  { name: 'services' },
)
