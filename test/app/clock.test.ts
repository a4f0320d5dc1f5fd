/** The services read time from the injected clock: a scheduled article goes live when the clock passes its time. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

describe('a clock the tests move', () => {
  it('a scheduled article is hidden until the clock reaches its publishedAt, then live everywhere', async () => {
    const at = new Date(t.clock.now().getTime() + 60 * 60_000).toISOString()
    const article = await createArticle(t, { title: 'موعد النشر', tags: ['مواعيد'], publishedAt: at })
    const publicViews = async () => ({
      one: (await t.app.inject({ url: `/v1/articles/${article.id}` })).statusCode,
      listed: (await t.app.inject({ url: '/v1/articles' })).json().data.map((a: { id: number }) => a.id),
      // A tag only the scheduled article carries is hidden with it (the contract's Hardening section).
      tag: (await t.app.inject({ url: `/v1/tags/${encodeURIComponent('مواعيد')}` })).statusCode,
      scheduled: (await t.app.inject({ url: '/v1/articles?status=scheduled', headers: t.editorAuth })).json()
        .meta.total,
    })
    expect(await publicViews()).toEqual({ one: 404, listed: [], tag: 404, scheduled: 1 })

    t.clock.set(new Date(Date.parse(at) - 1))
    expect((await publicViews()).one).toBe(404)

    t.clock.set(at)
    expect(await publicViews()).toEqual({ one: 200, listed: [article.id], tag: 200, scheduled: 0 })
    const tag = await t.app.inject({ url: `/v1/tags/${encodeURIComponent('مواعيد')}` })
    expect(tag.json().articleCount).toBe(1)
  })

  it('writes take their times from the clock', async () => {
    t.clock.set('2030-05-01T08:00:00.000Z')
    const article = await createArticle(t, { title: 'في المستقبل' })
    expect(article).toMatchObject({
      createdAt: '2030-05-01T08:00:00.000Z',
      updatedAt: '2030-05-01T08:00:00.000Z',
      publishedAt: '2030-05-01T08:00:00.000Z',
    })
    t.clock.advance(90_000)
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      headers: t.editorAuth,
      payload: { title: 'بعد دقيقة ونصف' },
    })
    expect(res.json()).toMatchObject({
      createdAt: '2030-05-01T08:00:00.000Z',
      updatedAt: '2030-05-01T08:01:30.000Z',
    })
  })
})
