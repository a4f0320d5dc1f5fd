/**
 * The outbox survives a crash: a real server process records an event with the write, is killed (SIGKILL) before
 * its worker sends it, and the next process on the same database delivers it at start.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN } from '../helpers/app.js'
import { killAll, sleep, spawnServer } from '../helpers/process.js'
import { type Receiver, startReceiver } from '../helpers/receiver.js'

let receiver: Receiver | undefined
afterEach(async () => {
  await killAll()
  await receiver?.close()
})

const env = {
  ADMIN_TOKEN,
  SECRET_KEY: 'test-secret-key-for-webhooks-0123456789',
  WEBHOOKS_ALLOW_PRIVATE: 'true',
  // The first process must not get to send: its worker waits an hour between ticks.
  WEBHOOKS_POLL_MS: String(3600_000),
}

async function call(port: number, method: string, path: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

describe('a server killed between the write and the delivery', () => {
  it('loses nothing: the next process delivers the event', async () => {
    receiver = await startReceiver()
    const first = await spawnServer(env)
    // Once its first tick is over (nothing to do yet), the first process never ticks again.
    for (let waited = 0; !first.stdout().includes('webhook worker started') && waited < 10_000; waited += 20)
      await sleep(20)
    expect(first.stdout()).toContain('webhook worker started')
    const webhook = await call(first.port, 'POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['tag.created'],
    })
    expect(webhook.status).toBe(201)
    const tag = await call(first.port, 'POST', '/v1/tags', { name: 'نجا' })
    expect(tag.status).toBe(201)
    first.child.kill('SIGKILL')
    expect(await first.exited()).toMatchObject({ signal: 'SIGKILL' })
    expect(receiver.received).toHaveLength(0)

    // Its folder (and, on SQLite, the database file in it) stays until killAll.
    const second = await spawnServer({ ...env, DATABASE_URL: first.databaseUrl })
    for (let waited = 0; receiver.received.length === 0 && waited < 15_000; waited += 50) await sleep(50)
    expect(receiver.events()).toEqual([
      expect.objectContaining({ type: 'tag.created', data: expect.objectContaining({ id: tag.json.id }) }),
    ])
    await second.kill()
  })
})
