/** GET /v1/redirects: old WordPress addresses of imported articles, for a frontend that answers them with a 301. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { expectProblem } from '../helpers/http.js'
import { ARABIC_WXR, importFile } from '../helpers/wxr.js'

const PUTIN_SLUG = 'بوتين-يتجاهل-تهديدات-ترامب-ويبحث-مع-رو'
const PUTIN = {
  slug: PUTIN_SLUG,
  location: `/v1/articles/${encodeURIComponent(PUTIN_SLUG)}`,
}

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
  t.clock.set('2024-01-01T00:00:00.000Z')
  await importFile(t, ARABIC_WXR)
})
afterEach(() => t.app.close())

const resolve = (from: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/v1/redirects?from=${encodeURIComponent(from)}`, headers })

describe('GET /v1/redirects', () => {
  const encoded = encodeURIComponent(PUTIN_SLUG).toLowerCase()
  for (const [what, from] of [
    ['the permalink, as a path', `/2017/11/01/${PUTIN_SLUG}/`],
    ['the permalink, percent-encoded with its old host', `https://akhbar.example/2017/11/01/${encoded}/`],
    [
      'the permalink in upper-case escapes, without the trailing slash',
      `/2017/11/01/${encodeURIComponent(PUTIN_SLUG)}`,
    ],
    ['?p=', '/?p=101'],
    ['?p= on another host', 'https://new.example/?p=101&utm_source=x'],
    ['/archives/N', '/archives/101'],
    ['the guid', 'https://akhbar.example/?p=101'],
    ['an old slug (_wp_old_slug) under another date', '/2017/10/30/بوتين-في-طهران/'],
    ['the slug alone', PUTIN_SLUG],
  ] as const) {
    it(`finds the article by ${what}`, async () => {
      const res = await resolve(from)
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body).toEqual({ articleId: expect.any(Number), ...PUTIN })
      expect(res.headers['cache-control']).toMatch(/^public/)
    })
  }

  it('finds a post by a guid that is no address of this site (a post moved from another blog)', async () => {
    // Post 110's guid is https://old-akhbar.example/?p=7: only the guid itself names it, not /?p=7.
    const res = await resolve('https://old-akhbar.example/?p=7')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ slug: 'مقال-بصورة-سبقته' })
    expectProblem(await resolve('/?p=7'), 404)
    expect((await resolve('/?p=110')).json()).toMatchObject({ slug: 'مقال-بصورة-سبقته' })
  })

  it('answers the same to a token holder, and an article made in Sahifa by its current slug', async () => {
    expect((await resolve('/?p=101', t.editorAuth)).json()).toMatchObject(PUTIN)
    const article = await createArticle(t, { title: 'Made here' })
    expect((await resolve('/2020/01/01/made-here/')).json()).toEqual({
      articleId: article.id,
      slug: 'made-here',
      location: '/v1/articles/made-here',
    })
  })

  it('is 404 for drafts and scheduled posts, even with a token: only live articles redirect', async () => {
    for (const from of ['/?p=103', '/?p=104', '/?p=105', '/2030/05/01/مقال-مجدول-للنشر/']) {
      expectProblem(await resolve(from), 404)
      expectProblem(await resolve(from, t.editorAuth), 404)
    }
  })

  it('is 404 for an address that names nothing, or names a tag, category or page', async () => {
    for (const from of [
      '/?p=999',
      '/archives/999',
      '/2017/11/01/nothing/',
      '/category/سياسة/',
      '/tag/إيران/',
      '/',
    ]) {
      const res = await resolve(from)
      expect(expectProblem(res, 404).detail).toBe('Redirect was not found.')
    }
  })

  it('stops redirecting when the article is unpublished or deleted', async () => {
    const url = `/v1/articles/${encodeURIComponent(PUTIN_SLUG)}`
    const patch = await t.app.inject({
      method: 'PATCH',
      url,
      headers: t.editorAuth,
      payload: { status: 'draft' },
    })
    expect(patch.statusCode).toBe(200)
    expectProblem(await resolve('/?p=101'), 404)
    await t.app.inject({ method: 'PATCH', url, headers: t.editorAuth, payload: { status: 'published' } })
    expect((await resolve('/?p=101')).statusCode).toBe(200)
    const del = await t.app.inject({ method: 'DELETE', url, headers: t.editorAuth })
    expect(del.statusCode).toBe(204)
    expectProblem(await resolve('/?p=101'), 404)
    expect(await t.query('select key from article_redirects where key = ?', 'p:101')).toEqual([])
  })

  it('is 400 without from, with an empty or an overlong one, and never repeats it', async () => {
    for (const url of [
      '/v1/redirects',
      '/v1/redirects?from=',
      '/v1/redirects?from=%20%20',
      `/v1/redirects?from=${'a'.repeat(2001)}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url })
      const body = expectProblem(res, 400)
      expect(body.errors?.map((e) => e.path)).toEqual(['from'])
      expect(res.body).not.toContain('aaaa')
    }
  })

  it('is 401 with an invalid token', async () => {
    expectProblem(await resolve('/?p=101', { authorization: 'Bearer not-a-token' }), 401)
  })
})
