/**
 * REQUEST_TIMEOUT_MS and the 10 s headers timeout, against a real listening server and raw sockets: a body or headers
 * dripped a byte at a time get a 408 (problem+json) and a closed connection instead of holding it for ever; a slow
 * request that arrives in time is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN } from '../helpers/app.js'
import {
  killAll,
  openConnection,
  parseAnswer,
  type ServerProcess,
  sleep,
  spawnServer,
} from '../helpers/process.js'

afterAll(killAll)

const TAG_BODY = JSON.stringify({ name: 'بطيء جدا', description: 'x'.repeat(120) })

function postHead(port: number, length: number): string {
  return (
    'POST /v1/tags HTTP/1.1\r\n' +
    `Host: 127.0.0.1:${port}\r\n` +
    `Authorization: Bearer ${ADMIN_TOKEN}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${length}\r\n\r\n`
  )
}

async function tagTotal(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/tags`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  return ((await res.json()) as { meta: { total: number } }).meta.total
}

describe('REQUEST_TIMEOUT_MS', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await spawnServer({ ADMIN_TOKEN, REQUEST_TIMEOUT_MS: '2000' })
  })

  it('cuts a body dripped a byte at a time: 408 problem+json, the connection closed, nothing stored', async () => {
    const connection = await openConnection(server.port)
    const bytes = Buffer.from(TAG_BODY)
    const started = Date.now()
    connection.socket.write(postHead(server.port, bytes.length))
    // Bounded: at most the whole body, a byte every 100 ms, stopping at the answer.
    for (let i = 0; i < bytes.length && connection.received() === '' && Date.now() - started < 8000; i++) {
      connection.socket.write(bytes.subarray(i, i + 1))
      await sleep(100)
    }
    await connection.waitFor(/\r\n\r\n[\s\S]*\}/, 5000)
    const elapsed = Date.now() - started
    const answer = parseAnswer(connection.received())
    expect(answer.status).toBe(408)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    expect(answer.headers['x-content-type-options']).toBe('nosniff')
    expect(answer.headers.connection).toBe('close')
    expect(JSON.parse(answer.body)).toEqual({
      type: 'about:blank',
      title: 'Request Timeout',
      status: 408,
      detail: 'The request took too long to arrive.',
    })
    // The timeout, plus at most Node's check interval (1 s), not before.
    expect(elapsed).toBeGreaterThanOrEqual(1900)
    expect(elapsed).toBeLessThan(4500)
    expect(await connection.ended).toBe('end')
    expect(await tagTotal(server.port)).toBe(0)
  })

  it('serves a slow request that arrives in time', async () => {
    const connection = await openConnection(server.port)
    const bytes = Buffer.from(TAG_BODY)
    connection.socket.write(postHead(server.port, bytes.length))
    // Four pieces over about a second: slow, within 2 s.
    const piece = Math.ceil(bytes.length / 4)
    for (let at = 0; at < bytes.length; at += piece) {
      connection.socket.write(bytes.subarray(at, at + piece))
      await sleep(250)
    }
    await connection.waitFor(/\r\n\r\n[\s\S]*\}/, 5000)
    expect(parseAnswer(connection.received()).status).toBe(201)
    connection.socket.destroy()
    expect(await tagTotal(server.port)).toBe(1)
  })
})

describe('the headers timeout (10 s)', () => {
  let server: ServerProcess
  beforeAll(async () => {
    // The default REQUEST_TIMEOUT_MS (30 s): only the headers' own limit can cut this one in time.
    server = await spawnServer({ ADMIN_TOKEN })
  })

  it('cuts headers that never end: 408 after 10 s, the connection closed, the server still answering', async () => {
    const connection = await openConnection(server.port)
    const started = Date.now()
    connection.socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`)
    // Bounded: a header line every 500 ms for at most 14 s, stopping at the answer.
    for (let i = 0; connection.received() === '' && Date.now() - started < 14_000; i++) {
      connection.socket.write(`X-Slow-${i}: a\r\n`)
      await sleep(500)
    }
    await connection.waitFor(/\r\n\r\n[\s\S]*\}/, 2000)
    const elapsed = Date.now() - started
    expect(parseAnswer(connection.received()).status).toBe(408)
    expect(elapsed).toBeGreaterThanOrEqual(9900)
    expect(elapsed).toBeLessThan(12_500)
    expect(await connection.ended).toBe('end')
    expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBe(200)
  }, 30_000)
})
