/**
 * Two nodes on one PostgreSQL database, both running the webhook worker: each event reaches each webhook once,
 * not once per node, and a scheduled article is announced once when its time comes. Part of `npm run test:pg`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPg } from '../../src/db/pg/database.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { urlOf } from '../helpers/engine.js'
import { type Receiver, startReceiver } from '../helpers/receiver.js'

const env = { SECRET_KEY: 'test-secret-key-for-webhooks-0123456789', WEBHOOKS_ALLOW_PRIVATE: 'true' }
const HOUR = 3600_000

describe('two nodes delivering webhooks from one database', () => {
  let a: TestApp
  let b: TestApp
  let second: ReturnType<typeof openPg> | undefined
  let receiver: Receiver

  beforeAll(async () => {
    a = await buildTestApp({ env })
    if (a.database.engine !== 'pg')
      throw new Error('the multi-node test runs on PostgreSQL (npm run test:pg)')
    second = openPg(urlOf(a.database), { max: 4 })
    b = await buildTestApp({ env, database: second })
    receiver = await startReceiver()
  })

  afterAll(async () => {
    await b?.app.close()
    await second?.close()
    await a?.app.close()
    await receiver?.close()
  })

  it('each event is delivered once per webhook, however the nodes race for it', async () => {
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: a.adminAuth,
      payload: { url: receiver.url, events: ['tag.created', 'article.published'] },
    })
    expect(res.statusCode).toBe(201)
    // Slow answers keep each node's claims in flight while the other claims too.
    receiver.answer((_request, response) => setTimeout(() => response.writeHead(204).end(), 20))
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).app.inject({
          method: 'POST',
          url: '/v1/tags',
          headers: (i % 2 ? a : b).editorAuth,
          payload: { name: `وسم ${i}` },
        }),
      ),
    )
    const at = new Date(a.clock.now().getTime() + HOUR).toISOString()
    const article = await createArticle(b, { publishedAt: at })
    const first = await Promise.all([a, b, a, b].map((node) => node.services.webhookWorker.runOnce()))
    expect(first.reduce((sum, run) => sum + run.attempted, 0)).toBe(30)

    a.clock.advance(HOUR + 1000)
    b.clock.advance(HOUR + 1000)
    const due = await Promise.all([a, b, a, b].map((node) => node.services.webhookWorker.runOnce()))
    expect(due.reduce((sum, run) => sum + run.announced, 0)).toBe(1)
    await Promise.all([a, b].map((node) => node.services.webhookWorker.runOnce()))

    const ids = receiver.received.map((request) => request.headers['webhook-id'])
    expect(ids).toHaveLength(31)
    expect(new Set(ids).size).toBe(31)
    const published = receiver.events().filter((event) => event.type === 'article.published')
    expect(published).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ id: article.id }) }),
    ])
  })
})
