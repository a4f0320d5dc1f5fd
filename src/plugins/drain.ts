/**
 * The drain after SIGTERM (server.ts): `app.drain.start()` turns /health to 503 "draining" so load balancers stop
 * sending, while every request is still served; each answer then closes its connection, so that keep-alive clients
 * reconnect elsewhere instead of sending into a connection this node is about to close.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface Drain {
  readonly draining: boolean
  start(): void
}

declare module 'fastify' {
  interface FastifyInstance {
    drain: Drain
  }
}

export default fp(
  async function drainPlugin(app: FastifyInstance) {
    let draining = false
    app.decorate('drain', {
      get draining() {
        return draining
      },
      start() {
        draining = true
      },
    })
    app.addHook('onSend', async (_request, reply) => {
      if (draining) reply.header('connection', 'close')
    })
  },
  { name: 'drain' },
)
