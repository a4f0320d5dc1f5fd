/** GET /health answers 200 while the database answers (its 503 is tested with the errors). */
import request from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

describe('GET /health', () => {
  it('answers 200 {status: "ok"} as JSON, outside /v1 and without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers['cache-control']).toBe('no-store')
    expect((await t.app.inject({ method: 'GET', url: '/v1/health' })).statusCode).toBe(404)
  })

  it('answers over real HTTP', async () => {
    await t.app.ready()
    const res = await request(t.app.server).get('/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok' })
  })
})

describe('GET /health while draining (after SIGTERM; the real signal is in test/process/drain.test.ts)', () => {
  it('answers 503 {status: "draining"} as JSON, uncached, while every other route is still served', async () => {
    const before = await t.app.inject({ method: 'GET', url: '/v1/articles' })
    expect(before.headers.connection).not.toBe('close')
    t.app.drain.start()
    const health = await t.app.inject({ method: 'GET', url: '/health' })
    expect(health.statusCode).toBe(503)
    expect(health.json()).toEqual({ status: 'draining' })
    expect(health.headers['content-type']).toMatch(/^application\/json/)
    expect(health.headers['cache-control']).toBe('no-store')
    // Still served, each answer closing its connection so that keep-alive clients move to another node.
    const list = await t.app.inject({ method: 'GET', url: '/v1/articles' })
    expect(list.statusCode).toBe(200)
    expect(list.headers.connection).toBe('close')
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'أثناء الإغلاق' },
    })
    expect(write.statusCode).toBe(201)
    expect(write.headers.connection).toBe('close')
  })
})
