/** HTTP caching (strong ETags, 304, If-Match and 412, Cache-Control) and CORS, through inject and real HTTP. */
import request from 'supertest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle, SAMPLE_SLUG, SAMPLE_TITLE } from '../helpers/data.js'
import { expectProblem } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp({ env: { CACHE_MAX_AGE_SECONDS: '42' } })
})
afterEach(() => t.app.close())

const STRONG_ETAG = /^"[A-Za-z0-9_-]+"$/

async function get(url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, headers })
}

describe('ETag and If-None-Match', () => {
  it.each([
    ['an article', () => `/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}`],
    ['the article list', () => '/v1/articles'],
    ['a tag', () => `/v1/tags/${encodeURIComponent('إيران')}`],
    ['the tag list', () => '/v1/tags'],
  ])('gives %s a strong ETag and answers 304 with no body on If-None-Match', async (_label, path) => {
    await createArticle(t, { title: SAMPLE_TITLE, tags: ['إيران'] })
    const first = await get(path())
    expect(first.statusCode).toBe(200)
    const etag = first.headers.etag as string
    expect(etag).toMatch(STRONG_ETAG)
    expect((await get(path())).headers.etag).toBe(etag)

    const cached = await get(path(), { 'if-none-match': etag })
    expect(cached.statusCode).toBe(304)
    expect(cached.body).toBe('')
    expect(cached.headers.etag).toBe(etag)
    expect(cached.headers['content-type']).toBeUndefined()

    // The weak comparison applies to If-None-Match, and a list of tags is searched.
    expect((await get(path(), { 'if-none-match': `W/${etag}` })).statusCode).toBe(304)
    expect((await get(path(), { 'if-none-match': `"other", ${etag}` })).statusCode).toBe(304)
    expect((await get(path(), { 'if-none-match': '"other"' })).statusCode).toBe(200)
  })

  it('changes the ETag when the resource changes', async () => {
    const article = await createArticle(t, { title: 'before' })
    const before = (await get(`/v1/articles/${article.id}`)).headers.etag as string
    const listBefore = (await get('/v1/articles')).headers.etag as string
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      headers: t.editorAuth,
      payload: { title: 'after' },
    })
    const after = await get(`/v1/articles/${article.id}`, { 'if-none-match': before })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).not.toBe(before)
    expect((await get('/v1/articles')).headers.etag).not.toBe(listBefore)
  })

  it('sets no ETag on errors', async () => {
    const res = await get('/v1/articles/999')
    expect(res.statusCode).toBe(404)
    expect(res.headers.etag).toBeUndefined()
  })
})

describe('If-Match on PATCH', () => {
  async function patch(id: number, payload: Record<string, unknown>, ifMatch?: string) {
    return t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${id}`,
      headers: { ...t.editorAuth, ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      payload,
    })
  }

  it('answers 412 to a stale If-Match and changes nothing', async () => {
    const article = await createArticle(t, { title: 'الأصل', tags: ['أ'] })
    const stale = (await get(`/v1/articles/${article.id}`, t.editorAuth)).headers.etag as string
    expect((await patch(article.id, { title: 'تعديل المحرر الأول' }, stale)).statusCode).toBe(200)
    const current = (await get(`/v1/articles/${article.id}`, t.editorAuth)).json()

    const res = await patch(article.id, { title: 'تعديل المحرر الثاني', tags: ['ب'] }, stale)
    const problem = expectProblem(res, 412)
    expect(problem.title).toBe('Precondition Failed')
    const after = (await get(`/v1/articles/${article.id}`, t.editorAuth)).json()
    expect(after).toEqual(current)
    expect(after.title).toBe('تعديل المحرر الأول')
    expect(await t.count('tags')).toBe(1)
  })

  it('accepts the current ETag, from a public or a private read alike', async () => {
    const article = await createArticle(t, { title: 'x' })
    const publicEtag = (await get(`/v1/articles/${article.id}`)).headers.etag as string
    const privateEtag = (await get(`/v1/articles/${article.id}`, t.editorAuth)).headers.etag as string
    expect(privateEtag).toBe(publicEtag)
    const res = await patch(article.id, { title: 'y' }, publicEtag)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().title).toBe('y')
    // The answer's own ETag is the one a following GET serves, so an editor can chain edits.
    const next = (await get(`/v1/articles/${article.id}`)).headers.etag as string
    expect((await patch(article.id, { title: 'z' }, next)).statusCode).toBe(200)
  })

  it('accepts * and rejects a weak tag, as RFC 9110’s strong comparison says', async () => {
    const article = await createArticle(t, { title: 'x' })
    expect((await patch(article.id, { title: 'y' }, '*')).statusCode).toBe(200)
    const etag = (await get(`/v1/articles/${article.id}`)).headers.etag as string
    expectProblem(await patch(article.id, { title: 'z' }, `W/${etag}`), 412)
    expect((await patch(article.id, { title: 'z' }, `"nope", ${etag}`)).statusCode).toBe(200)
  })

  it('answers 404 before 412 for an unknown article', async () => {
    expectProblem(await patch(999, { title: 'x' }, '"stale"'), 404)
  })
})

describe('If-Match on PATCH /v1/tags', () => {
  async function patchTag(idOrSlug: string, payload: Record<string, unknown>, ifMatch: string) {
    return t.app.inject({
      method: 'PATCH',
      url: `/v1/tags/${encodeURIComponent(idOrSlug)}`,
      headers: { ...t.editorAuth, 'if-match': ifMatch },
      payload,
    })
  }

  it('answers 412 to a stale If-Match, changes nothing, and 200 to the current one', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'إيران' } })
    const stale = (await get(`/v1/tags/${encodeURIComponent('إيران')}`)).headers.etag as string
    expect((await patchTag('إيران', { description: 'الأول' }, stale)).statusCode).toBe(200)
    expectProblem(await patchTag('إيران', { description: 'الثاني' }, stale), 412)
    const current = await get(`/v1/tags/${encodeURIComponent('إيران')}`)
    expect(current.json().description).toBe('الأول')
    const res = await patchTag('إيران', { description: 'الثالث' }, current.headers.etag as string)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().description).toBe('الثالث')
  })
})

describe('Cache-Control', () => {
  it('is public with CACHE_MAX_AGE_SECONDS on public reads', async () => {
    const article = await createArticle(t, { title: SAMPLE_TITLE, tags: ['إيران'] })
    for (const path of ['/v1/articles', `/v1/articles/${article.id}`, '/v1/tags', '/v1/tags/1']) {
      const res = await get(path)
      expect(res.statusCode).toBe(200)
      expect(res.headers['cache-control']).toBe('public, max-age=42')
      expect(String(res.headers.vary)).toMatch(/Authorization/i)
    }
  })

  it('is private, no-store on answers to a token', async () => {
    const article = await createArticle(t)
    for (const path of ['/v1/articles', `/v1/articles/${article.id}`, '/v1/tags', '/v1/tokens']) {
      const res = await get(path, t.adminAuth)
      expect(res.statusCode).toBe(200)
      expect(res.headers['cache-control']).toBe('private, no-store')
    }
  })

  it('is no-store on writes and errors', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'x', body: 'y' },
    })
    expect(created.headers['cache-control']).toBe('no-store')
    expect((await get('/v1/articles/999')).headers['cache-control']).toBe('no-store')
  })

  it('follows the default of 60 seconds', async () => {
    const defaults = await buildTestApp()
    try {
      const res = await defaults.app.inject({ method: 'GET', url: '/v1/articles' })
      expect(res.headers['cache-control']).toBe('public, max-age=60')
    } finally {
      await defaults.app.close()
    }
  })
})

describe('CORS', () => {
  let cors: TestApp

  beforeEach(async () => {
    cors = await buildTestApp({ env: { CORS_ORIGINS: 'https://news.example, https://admin.example' } })
  })
  afterEach(() => cors.app.close())

  it('allows a listed origin and exposes the pagination and caching headers', async () => {
    const res = await cors.app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { origin: 'https://admin.example' },
    })
    expect(res.headers['access-control-allow-origin']).toBe('https://admin.example')
    const exposed = String(res.headers['access-control-expose-headers'])
      .split(',')
      .map((header) => header.trim().toLowerCase())
    expect(exposed).toEqual(expect.arrayContaining(['x-total-count', 'link', 'etag']))
    // Shared caches must key on both, or one origin's answer would be served to another.
    const vary = String(res.headers.vary).toLowerCase()
    expect(vary).toContain('origin')
    expect(vary).toContain('authorization')
  })

  it('does not allow an origin that is not listed', async () => {
    const res = await cors.app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { origin: 'https://evil.example' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('answers a real preflight for PATCH with Authorization and If-Match', async () => {
    await cors.app.ready()
    const res = await request(cors.app.server)
      .options('/v1/articles/1')
      .set('Origin', 'https://news.example')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization, if-match, content-type')
    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe('https://news.example')
    expect(res.headers['access-control-allow-methods']).toMatch(/PATCH/)
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase()
    for (const header of ['authorization', 'if-match', 'content-type']) expect(allowed).toContain(header)
  })

  it('refuses a preflight from another origin', async () => {
    await cors.app.ready()
    const res = await request(cors.app.server)
      .options('/v1/articles/1')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'PATCH')
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('allows any origin with the default CORS_ORIGINS=*', async () => {
    await t.app.ready()
    const res = await request(t.app.server).get('/v1/articles').set('Origin', 'https://anywhere.example')
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['x-total-count']).toBe('0')
  })
})
