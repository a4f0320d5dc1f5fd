/**
 * The drain on SIGTERM, with a real server process: /health answers 503 "draining" for DRAIN_DELAY_MS while every
 * other request is still served; then the server stops accepting, finishes every request in flight on its open
 * keep-alive connections (each answer complete, with Connection: close), closes the idle ones cleanly and exits 0.
 * No accepted connection is reset.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/open.js'
import { ADMIN_TOKEN } from '../helpers/app.js'
import { rawQuery } from '../helpers/engine.js'
import {
  killAll,
  openConnection,
  parseAnswer,
  type RawConnection,
  sleep,
  spawnServer,
} from '../helpers/process.js'

afterEach(killAll)

const IN_FLIGHT = 40
const IDLE = 10

function request(port: number, method: string, path: string, body?: string, headers = ''): string {
  const length =
    body === undefined
      ? ''
      : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n${headers}${length}\r\n`
}

/** A connection that has had one whole answer, so the server has surely accepted it and keeps it alive. */
async function keptAlive(port: number): Promise<RawConnection> {
  const connection = await openConnection(port)
  connection.socket.write(request(port, 'GET', '/health'))
  await connection.waitFor(/\{"status":"ok"\}/)
  const first = parseAnswer(connection.received())
  expect(first.status).toBe(200)
  expect(first.headers.connection).toBe('keep-alive')
  return connection
}

/** The answers after the first on this connection. */
function laterAnswers(connection: RawConnection) {
  const text = connection.received()
  const rest = text.slice(text.indexOf('{"status":"ok"}') + '{"status":"ok"}'.length)
  return rest === '' ? [] : [parseAnswer(rest)]
}

async function storedTags(databaseUrl: string): Promise<number> {
  const database = await openDatabase(databaseUrl)
  try {
    return (await rawQuery<{ n: number }>(database, 'select count(*) as n from tags'))[0]?.n ?? -1
  } finally {
    await database.close()
  }
}

describe('SIGTERM', () => {
  it(`finishes ${IN_FLIGHT} requests in flight on keep-alive connections, closes ${IDLE} idle ones cleanly, exits 0`, async () => {
    const server = await spawnServer({ ADMIN_TOKEN, DRAIN_DELAY_MS: '0' })
    const busy = await Promise.all(Array.from({ length: IN_FLIGHT }, () => keptAlive(server.port)))
    const idle = await Promise.all(Array.from({ length: IDLE }, () => keptAlive(server.port)))

    // Every busy connection starts a write and sends half its body: in flight when the signal comes.
    const bodies = busy.map((_, i) => JSON.stringify({ name: `وسم ${i}`, description: 'ن'.repeat(200) }))
    busy.forEach((connection, i) => {
      const body = bodies[i] as string
      connection.socket.write(
        request(server.port, 'POST', '/v1/tags', body, `Authorization: Bearer ${ADMIN_TOKEN}\r\n`) +
          body.slice(0, body.length / 2),
      )
    })
    await sleep(300)
    server.child.kill('SIGTERM')
    await sleep(500)
    busy.forEach((connection, i) => {
      const body = bodies[i] as string
      connection.socket.write(body.slice(body.length / 2))
    })

    expect(await server.exited(20_000)).toEqual({ code: 0, signal: null })
    const endings = await Promise.all([...busy, ...idle].map((connection) => connection.ended))
    expect(endings.every((ending) => ending === 'end')).toBe(true)
    for (const connection of busy) {
      const [answer] = laterAnswers(connection)
      expect(answer?.status).toBe(201)
      expect(answer?.headers.connection).toBe('close')
      expect(JSON.parse(answer?.body ?? '')).toMatchObject({ id: expect.any(Number) })
    }
    for (const connection of idle) expect(laterAnswers(connection)).toEqual([])
    expect(await storedTags(server.databaseUrl)).toBe(IN_FLIGHT)
    expect(server.stdout()).toMatch(/"msg":"draining"/)
  }, 60_000)

  it('answers /health 503 "draining" for DRAIN_DELAY_MS while serving everything else, then exits 0', async () => {
    const server = await spawnServer({ ADMIN_TOKEN, DRAIN_DELAY_MS: '1500' })
    const url = `http://127.0.0.1:${server.port}`
    expect((await fetch(`${url}/health`)).status).toBe(200)
    const signalled = Date.now()
    server.child.kill('SIGTERM')
    await sleep(200)

    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(503)
    expect(health.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await health.json()).toEqual({ status: 'draining' })
    expect(health.headers.get('connection')).toBe('close')
    const list = await fetch(`${url}/v1/articles`)
    expect(list.status).toBe(200)
    expect(list.headers.get('connection')).toBe('close')
    const write = await fetch(`${url}/v1/tags`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'أثناء التصريف' }),
    })
    expect(write.status).toBe(201)

    expect(await server.exited(20_000)).toEqual({ code: 0, signal: null })
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(1500)
    // Then it accepts nothing more.
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  }, 60_000)
})
