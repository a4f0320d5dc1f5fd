/** The shared contract check (test/helpers/contract.ts) passes true answers and fails a test on a false one. */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { FastifyInstance, FastifySchema } from 'fastify'
import request from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { buildTestApp, type TestApp } from './helpers/app.js'
import { ContractError, contractCounts, takeContractFailures } from './helpers/contract.js'
import { createArticle, SAMPLE_SLUG, SAMPLE_TITLE } from './helpers/data.js'

const Ok = z.object({ ok: z.boolean() })

describe('the contract check on real routes', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
  })
  afterEach(() => t.app.close())

  it('passes documented answers: success, problem+json errors, 304, HEAD and unknown routes', async () => {
    const before = contractCounts().validated
    await createArticle(t, { title: SAMPLE_TITLE, tags: ['إيران'] })
    const list = await t.app.inject({ method: 'GET', url: '/v1/articles' })
    expect(list.statusCode).toBe(200)
    const one = await t.app.inject({ method: 'GET', url: `/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}` })
    expect(one.statusCode).toBe(200)
    const cached = await t.app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { 'if-none-match': String(list.headers.etag) },
    })
    expect(cached.statusCode).toBe(304)
    expect((await t.app.inject({ method: 'HEAD', url: '/v1/tags' })).statusCode).toBe(200)
    expect((await t.app.inject({ method: 'GET', url: '/v1/articles/no-such-article' })).statusCode).toBe(404)
    expect((await t.app.inject({ method: 'GET', url: '/v1/no-such-route' })).statusCode).toBe(404)
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: {},
    })
    expect(invalid.statusCode).toBe(400)
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/v1/articles/1', headers: t.editorAuth })).statusCode,
    ).toBe(204)
    expect(contractCounts().validated - before).toBe(9)
  })

  it('leaves out the routes hidden from the document (Swagger UI, the CORS preflight)', async () => {
    const { validated, rejected, skipped } = contractCounts()
    const docs = await t.app.inject({ method: 'GET', url: '/docs/json' })
    expect(docs.statusCode).toBe(200)
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/articles',
      headers: { origin: 'https://news.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.statusCode).toBe(204)
    expect(contractCounts()).toEqual({ validated, rejected, skipped: skipped + 2 })
  })
})

describe('the contract check on answers the document does not describe', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp({
      // The default type provider, so that the handlers may break their own response schemas.
      extend: (typedApp) => {
        const app = typedApp as unknown as FastifyInstance
        const schema = (operationId: string): FastifySchema => ({
          tags: ['operations'],
          operationId,
          response: { 200: Ok },
        })
        app.get('/contract/teapot', { schema: schema('getTeapot') }, async (_request, reply) =>
          reply.code(418).send({ ok: true }),
        )
        app.get('/contract/text', { schema: schema('getText') }, async (_request, reply) =>
          reply.type('text/plain').send('ok'),
        )
        // A pre-serialized string skips the response schema, as a hand-written reply would.
        app.get('/contract/wrong-body', { schema: schema('getWrongBody') }, async (_request, reply) =>
          reply.type('application/json').send('{"ok":"yes","extra":1}'),
        )
        app.get('/contract/no-schema', async () => ({ ok: true }))
      },
    })
  })
  afterEach(() => t.app.close())

  it('rejects an undocumented status code', async () => {
    await expect(t.app.inject({ method: 'GET', url: '/contract/teapot' })).rejects.toThrow(ContractError)
    expect(takeContractFailures()).toEqual([
      'GET /contract/teapot → 418: status 418 is not documented for getTeapot (documented: 200, 304, 401, 429, 500)',
    ])
  })

  it('rejects an undocumented content type', async () => {
    await expect(t.app.inject({ method: 'GET', url: '/contract/text' })).rejects.toThrow(
      /content type text\/plain is not documented/,
    )
    expect(takeContractFailures()).toHaveLength(1)
  })

  it('rejects a body that does not match the documented schema', async () => {
    await expect(t.app.inject({ method: 'GET', url: '/contract/wrong-body' })).rejects.toThrow(ContractError)
    const [failure] = takeContractFailures()
    expect(failure).toMatch(/does not match the documented schema/)
    expect(failure).toMatch(/\/ok must be boolean/)
    expect(failure).toMatch(/must NOT have additional properties/)
  })

  it('rejects a body where the document promises none', async () => {
    await expect(t.app.inject({ method: 'GET', url: '/contract/no-schema' })).rejects.toThrow(
      /the document says no body/,
    )
    expect(takeContractFailures()).toHaveLength(1)
  })

  it('records answers that do not go through inject (supertest, real HTTP) for the afterEach check', async () => {
    await request(t.app.server).get('/contract/teapot').expect(418)
    expect(takeContractFailures()).toEqual([expect.stringMatching(/status 418 is not documented/)])
  })
})

describe('a test whose answer breaks the document', () => {
  it('fails, even when the test itself asserts nothing', async () => {
    const counts = mkdtempSync(join(tmpdir(), 'sahifa-contract-'))
    try {
      const run = promisify(execFile)(
        'npx',
        ['vitest', 'run', '--config', 'test/fixtures/vitest.config.ts'],
        {
          env: { ...process.env, CONTRACT_COUNTS_DIR: counts, NO_COLOR: '1' },
        },
      )
      const failure = await run.then(
        () => expect.fail('the fixture run passed'),
        (error: { code: number; stdout: string; stderr: string }) => error,
      )
      expect(failure.code).toBe(1)
      expect(failure.stdout + failure.stderr).toMatch(/ContractError[\s\S]*status 418 is not documented/)
    } finally {
      rmSync(counts, { recursive: true, force: true })
    }
  })
})
