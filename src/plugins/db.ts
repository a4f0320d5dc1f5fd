/** Hands the database and the configuration to every plugin and route. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { Db } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    config: Config
  }
}

export default fp(
  async function dbPlugin(app: FastifyInstance, options: { db: Db; config: Config }) {
    app.decorate('db', options.db)
    app.decorate('config', options.config)
  },
  { name: 'db' },
)
