/**
 * The event loop keeps turning while requests wait (plugins/fair-turns.ts). Sixteen keep-alive connections send,
 * at once, a request whose work is synchronous CPU, as a SQLite statement is. Without slices, one turn runs all
 * sixteen: no timer fires, and no connection is accepted, until every one has been answered.
 */
import { once } from 'node:events'
import { type AddressInfo, connect, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'

const CONNECTIONS = 16
const WORK_MS = 20

let t: TestApp
let sockets: Socket[] = []
beforeEach(async () => {
  t = await buildTestApp({
    // Every request must reach the route: the read cache would answer the repeats itself.
    env: { READ_CACHE_MB: '0' },
    extend: (typedApp) => {
      const app = typedApp as unknown as FastifyInstance
      // Hidden: not part of the contract, so the contract check leaves its answers alone.
      app.get('/test/work', { schema: { hide: true } }, async () => {
        const end = performance.now() + WORK_MS
        while (performance.now() < end) {}
        return { ok: true }
      })
    },
  })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
})
afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets = []
  await t.app.close()
})

/** Keep-alive connections, each open and answered once: libuv accepts one per turn, so new ones would trickle in. */
async function connections(count: number): Promise<Socket[]> {
  const { port } = t.app.server.address() as AddressInfo
  sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = connect(port, '127.0.0.1')
      await once(socket, 'connect')
      return socket
    }),
  )
  await Promise.all(sockets.map((socket) => send(socket, '/health')))
  return sockets
}

/** Writes one GET and resolves with the status line once the whole answer (a small JSON body) is in. */
function send(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const head = text.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(text)
      if (head < 0 || !length || text.length < head + 4 + Number(length[1])) return
      socket.off('data', onData)
      resolve(text.slice(0, text.indexOf('\r\n')))
    }
    socket.on('data', onData)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
  })
}

/** The longest time between two turns of the loop, told by an immediate that sets itself again each turn. */
function longestTurn(): { stop(): number } {
  let longest = 0
  let last = performance.now()
  let running = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  return {
    stop() {
      running = false
      return longest
    },
  }
}

describe('requests that arrive together', () => {
  it('start a few per turn, so the loop turns between them, and are all answered', async () => {
    const open = await connections(CONNECTIONS)

    const turns = longestTurn()
    const statuses = await Promise.all(open.map((socket) => send(socket, '/test/work')))
    const longest = turns.stop()

    expect(statuses).toEqual(Array(CONNECTIONS).fill('HTTP/1.1 200 OK'))
    // A turn runs at most about two requests (one started in the poll phase, one from the queue); all sixteen in
    // one turn would be CONNECTIONS × WORK_MS = 320 ms.
    expect(longest).toBeLessThan(5 * WORK_MS)
  })
})
