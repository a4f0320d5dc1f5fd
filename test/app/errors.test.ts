/** Every error is problem+json, including those Fastify raises itself, and none echoes input or leaks internals. */
import request from 'supertest'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { buildTestApp, captureLog, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { errorPaths, expectProblem } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

const MARKER = 'zq-unique-marker-7Hx9'

function postRaw(payload: string, contentType = 'application/json', app = t.app) {
  return app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: { ...t.editorAuth, 'content-type': contentType },
    payload,
  })
}

describe('problem+json for the errors Fastify raises', () => {
  it('answers malformed JSON with 400 and never echoes the body', async () => {
    const res = await postRaw(`{"title": "${MARKER}", "body": ${MARKER}`)
    const problem = expectProblem(res, 400)
    expect(problem.title).toBe('Bad Request')
    expect(res.body).not.toContain(MARKER)
    expect(res.body).not.toMatch(/Unexpected token|JSON at position/)
  })

  it('answers an empty JSON body with 400', async () => {
    expectProblem(await postRaw(''), 400)
  })

  it('answers a body that fails validation with 400 listing every bad field by path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 42, status: MARKER, tags: ['ok', 7], coverImageUrl: `ftp://${MARKER}` },
    })
    const problem = expectProblem(res, 400)
    expect(problem.detail).toBe('The request body is not valid.')
    expect(errorPaths(problem).sort()).toEqual(['body', 'coverImageUrl', 'status', 'tags.1', 'title'])
    for (const error of problem.errors ?? []) expect(error.message).toEqual(expect.any(String))
    expect(res.body).not.toContain(MARKER)
  })

  it('answers a bad query string with 400 naming the parameters', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/articles?page=${MARKER}&perPage=1000&sort=${MARKER}`,
    })
    const problem = expectProblem(res, 400)
    expect(problem.detail).toBe('The query string is not valid.')
    expect(errorPaths(problem).sort()).toEqual(['page', 'perPage', 'sort'])
    expect(res.body).not.toContain(MARKER)
  })

  it('answers an unknown route with 404, under /v1 and outside it', async () => {
    for (const url of ['/v1/nothing', '/nothing', `/v1/${MARKER}`]) {
      const res = await t.app.inject({ method: 'GET', url })
      expectProblem(res, 404)
      expect(res.body).not.toContain(MARKER)
    }
    expectProblem(
      await t.app.inject({ method: 'PUT', url: '/v1/articles/1', headers: t.editorAuth, payload: {} }),
      404,
    )
  })

  it('answers a malformed percent-encoding in the path with 400, never quoting the URL', async () => {
    for (const url of [`/v1/articles/${MARKER}%E0%A4%A`, `/v1/tags/${MARKER}%zz`, `/v1/articles/%`]) {
      const res = await t.app.inject({ method: 'GET', url })
      expectProblem(res, 400)
      expect(res.body).not.toContain(MARKER)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('answers a path segment over the router limit with 414 over real HTTP', async () => {
    await t.app.ready()
    const res = await request(t.app.server).get(`/v1/articles/${MARKER}${'a'.repeat(1200)}`)
    expect(res.status).toBe(414)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'URI Too Long', status: 414 })
    expect(res.text).not.toContain(MARKER)
    expect(res.body).not.toHaveProperty('statusCode')
  })

  it('answers a body over BODY_LIMIT_BYTES with 413', async () => {
    const small = await buildTestApp({ env: { BODY_LIMIT_BYTES: '1024' } })
    try {
      const payload = JSON.stringify({ title: MARKER, body: 'x'.repeat(2048) })
      const res = await small.app.inject({
        method: 'POST',
        url: '/v1/articles',
        headers: { ...small.editorAuth, 'content-type': 'application/json' },
        payload,
      })
      const problem = expectProblem(res, 413)
      expect(problem.title).toBe('Content Too Large')
      expect(res.body).not.toContain(MARKER)
      const fits = await small.app.inject({
        method: 'POST',
        url: '/v1/articles',
        headers: small.editorAuth,
        payload: { title: 'fits', body: 'x'.repeat(500) },
      })
      expect(fits.statusCode).toBe(201)
    } finally {
      await small.app.close()
    }
  })

  it.each([
    ['text/plain', `title=${MARKER}`],
    ['application/x-www-form-urlencoded', `title=${MARKER}&body=x`],
    ['application/xml', `<title>${MARKER}</title>`],
  ])('answers a %s body with 415', async (contentType, payload) => {
    const res = await postRaw(payload, contentType)
    const problem = expectProblem(res, 415)
    expect(problem.title).toBe('Unsupported Media Type')
    expect(res.body).not.toContain(MARKER)
    expect(await t.count('articles')).toBe(0)
  })

  it('answers a body without a content type with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: { ...t.editorAuth, 'content-length': '9' },
      payload: Buffer.from('{"a":"b"}'),
    })
    expectProblem(res, 415)
  })
})

describe('a unique constraint the services did not foresee', () => {
  it('answers 409 problem+json, not 500, and stores nothing', async () => {
    // The index stays with the database: on PostgreSQL this test gets one that no other test uses.
    const t = await buildTestApp({ isolated: true })
    onTestFinished(() => t.app.close())
    // A second unique index the tag service knows nothing about: its pre-check passes, the database refuses.
    await t.query('CREATE UNIQUE INDEX test_tags_name_unique ON tags (name)')
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'إيران', slug: 'iran' },
    })
    expect(first.statusCode).toBe(201)
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'إيران', slug: 'iran-2' },
    })
    const problem = expectProblem(res, 409)
    expect(problem.detail).toBe('A resource with the same unique value exists already.')
    expect(await t.count('tags')).toBe(1)
  })
})

describe('500 and 503 when the database is gone', () => {
  it('answers 500 with a generic message: no stack, no SQL, no driver text', async () => {
    await createArticle(t, { title: MARKER })
    await t.database.close()
    for (const url of ['/v1/articles', '/v1/articles/1', `/v1/articles?author=${MARKER}`, '/v1/tags']) {
      const res = await t.app.inject({ method: 'GET', url })
      const problem = expectProblem(res, 500)
      expect(problem.title).toBe('Internal Server Error')
      expect(problem.detail).toBe('Something went wrong on our side. It has been logged.')
      expect(res.body).not.toMatch(/select|from|where|sqlite|database|connection|at \w+ \(|\.ts:|\.js:/i)
      expect(res.body).not.toContain(MARKER)
      expect(res.headers['cache-control']).toBe('no-store')
    }
  })

  it('answers 500 to a write too', async () => {
    await t.database.close()
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: MARKER, body: 'x' },
    })
    // The editor token is checked against the database first, so the failure surfaces there.
    const problem = expectProblem(res, 500)
    expect(JSON.stringify(problem)).not.toContain(MARKER)
  })

  it('answers /health with 503 problem+json', async () => {
    await t.database.close()
    const res = await t.app.inject({ method: 'GET', url: '/health' })
    const problem = expectProblem(res, 503)
    expect(problem.title).toBe('Service Unavailable')
  })

  it('answers a failed query with 500 that carries neither its SQL nor its parameters', async () => {
    // The table stays dropped: on PostgreSQL this test gets a database that no other test uses.
    const t = await buildTestApp({ isolated: true })
    onTestFinished(() => t.app.close())
    await createArticle(t, { tags: ['x'] })
    await t.query('drop table article_tags')
    const res = await t.app.inject({ method: 'GET', url: `/v1/articles?tag=${MARKER}` })
    const problem = expectProblem(res, 500)
    expect(problem.detail).toBe('Something went wrong on our side. It has been logged.')
    expect(res.body).not.toMatch(/article_tags|select|no such table|does not exist|params/i)
    expect(res.body).not.toContain(MARKER)
  })

  it('logs a failed query without its SQL or its parameters', async () => {
    const { lines, stream } = captureLog()
    const logged = await buildTestApp({ logStream: stream, isolated: true })
    try {
      await logged.query('drop table article_tags')
      const res = await logged.app.inject({ method: 'GET', url: `/v1/articles?tag=${MARKER}` })
      expectProblem(res, 500)
      const failure = lines.find((line) => line.includes('request failed'))
      expect(failure).toEqual(expect.any(String))
      expect(failure).toContain('"level":50')
      // Stack frames name drizzle's select builder; the SQL text itself would read `select "…" from`.
      // The driver's own text names the table: `no such table` on SQLite, `relation … does not exist` on PostgreSQL.
      expect(failure).not.toMatch(/select "|no such table|does not exist|article_tags|params:/i)
      expect(failure).not.toContain(MARKER)
    } finally {
      await logged.app.close()
    }
  })

  it('logs the failure without the SQL, its parameters or the request body', async () => {
    const { lines, stream } = captureLog()
    const logged = await buildTestApp({ logStream: stream })
    try {
      await logged.database.close()
      const res = await logged.app.inject({ method: 'GET', url: `/v1/articles?author=${MARKER}-author` })
      expectProblem(res, 500)
      const failure = lines.find((line) => line.includes('request failed'))
      expect(failure).toEqual(expect.any(String))
      expect(failure).not.toMatch(/select .* from/i)
      expect(failure).not.toContain(`${MARKER}-author"`)
    } finally {
      await logged.app.close().catch(() => undefined)
    }
  })
})

describe('no Fastify default error shape', () => {
  it('never answers {statusCode, error, message}', async () => {
    const answers = await Promise.all([
      postRaw('{'),
      postRaw('x', 'text/plain'),
      t.app.inject({ method: 'GET', url: '/v1/articles?perPage=0' }),
      t.app.inject({ method: 'GET', url: '/v1/nope' }),
      t.app.inject({ method: 'GET', url: '/v1/articles/999' }),
      t.app.inject({ method: 'GET', url: '/v1/tokens' }),
      t.app.inject({ method: 'GET', url: '/v1/tokens', headers: t.editorAuth }),
      t.app.inject({ method: 'GET', url: '/v1/articles', headers: { authorization: 'Bearer nope' } }),
    ])
    for (const res of answers) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400)
      expectProblem(res, res.statusCode)
    }
  })
})
