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
