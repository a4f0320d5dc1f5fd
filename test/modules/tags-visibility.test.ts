/**
 * A tag that only drafts or scheduled articles carry, and that was not created with POST /v1/tags, is hidden from
 * the public (lists, `q`, by id or slug: 404) until an article carrying it goes live; token holders see every tag.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { expectProblem } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

const EMBARGOED = 'اغتيال-السفير'

type Headers = Record<string, string>

function getTag(idOrSlug: string | number, headers: Headers = {}) {
  return t.app.inject({ url: `/v1/tags/${encodeURIComponent(String(idOrSlug))}`, headers })
}

async function listed(query = '', headers: Headers = {}): Promise<{ slugs: string[]; total: number }> {
  const res = await t.app.inject({ url: `/v1/tags?perPage=100${query}`, headers })
  expect(res.statusCode, res.body).toBe(200)
  const body = res.json()
  expect(res.headers['x-total-count']).toBe(String(body.meta.total))
  return { slugs: body.data.map((tag: { slug: string }) => tag.slug), total: body.meta.total }
}

/** What the public can learn of the tag, every way it can ask. */
async function publicViews(slug: string) {
  const byQ = await listed(`&q=${encodeURIComponent(slug.split('-')[0] as string)}`)
  const tag = (await t.query<{ id: number }>('select id from tags where slug = ?', slug))[0]
  return {
    list: (await listed()).slugs.includes(slug),
    byCount: (await listed('&sort=-articleCount')).slugs.includes(slug),
    q: byQ.slugs.includes(slug),
    slug: (await getTag(slug)).statusCode,
    id: tag ? (await getTag(tag.id)).statusCode : 'no such row',
  }
}

const HIDDEN = { list: false, byCount: false, q: false, slug: 404, id: 404 }
const SHOWN = { list: true, byCount: true, q: true, slug: 200, id: 200 }

function setStatus(id: number, status: 'draft' | 'published') {
  return t.app.inject({
    method: 'PATCH',
    url: `/v1/articles/${id}`,
    headers: t.editorAuth,
    payload: { status },
  })
}

describe('tags of embargoed stories', () => {
  it('hides a new tag of a draft from the public, as a 404 like a missing tag; token holders see it', async () => {
    await createArticle(t, { status: 'draft', tags: ['اغتيال السفير', 'سياسة'] })
    expect(await publicViews(EMBARGOED)).toEqual(HIDDEN)
    const hidden = expectProblem(await getTag(EMBARGOED), 404)
    const missing = expectProblem(await getTag('لا-يوجد'), 404)
    expect(hidden).toEqual({ ...missing })
    expect(await listed()).toEqual({ slugs: [], total: 0 })

    for (const headers of [t.editorAuth, t.adminAuth]) {
      const res = await getTag(EMBARGOED, headers)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ slug: EMBARGOED, articleCount: 0 })
      expect(res.headers['cache-control']).toBe('private, no-store')
      expect(await listed('', headers)).toEqual({ slugs: [EMBARGOED, 'سياسة'], total: 2 })
    }
  })

  it('shows it once the draft is published, and hides it again when the story goes back to draft', async () => {
    const draft = await createArticle(t, { status: 'draft', tags: ['اغتيال السفير'] })
    expect(await publicViews(EMBARGOED)).toEqual(HIDDEN)
    expect((await setStatus(draft.id, 'published')).statusCode).toBe(200)
    expect(await publicViews(EMBARGOED)).toEqual(SHOWN)
    expect((await getTag(EMBARGOED)).json().articleCount).toBe(1)
    expect((await setStatus(draft.id, 'draft')).statusCode).toBe(200)
    expect(await publicViews(EMBARGOED)).toEqual(HIDDEN)
  })

  it('shows a scheduled story’s tag only when its time comes, with no write in between', async () => {
    const at = new Date(t.clock.now().getTime() + 60 * 60_000).toISOString()
    await createArticle(t, { title: 'خبر مؤجل', tags: ['اغتيال السفير'], publishedAt: at })
    expect(await publicViews(EMBARGOED)).toEqual(HIDDEN)
    t.clock.set(new Date(Date.parse(at) - 1))
    expect(await publicViews(EMBARGOED)).toEqual(HIDDEN)
    t.clock.set(at)
    expect(await publicViews(EMBARGOED)).toEqual(SHOWN)
  })

  it('shows a tag that a live story carries too, counting only the live one', async () => {
    await createArticle(t, { status: 'draft', tags: ['اغتيال السفير'] })
    await createArticle(t, { tags: ['اغتيال السفير'] })
    expect(await publicViews(EMBARGOED)).toEqual(SHOWN)
    expect((await getTag(EMBARGOED)).json().articleCount).toBe(1)
  })

  it('always shows a tag created with POST /v1/tags, with no article or only drafts', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'اغتيال السفير' },
    })
    expect(created.statusCode).toBe(201)
    expect(await publicViews(EMBARGOED)).toEqual(SHOWN)
    await createArticle(t, { status: 'draft', tags: ['اغتيال السفير'] })
    expect(await publicViews(EMBARGOED)).toEqual(SHOWN)
    expect((await getTag(EMBARGOED)).json().articleCount).toBe(0)
  })

  it('keeps a tag hidden that no live article carries any more, once its only story is deleted', async () => {
    const draft = await createArticle(t, { status: 'draft', tags: ['اغتيال السفير'] })
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/articles/${draft.id}`,
      headers: t.editorAuth,
    })
    expect(deleted.statusCode).toBe(204)
    expect(await t.count('tags')).toBe(1)
    expect(await publicViews(EMBARGOED)).toEqual(HIDDEN)
  })

  it('gives the public the same empty article list for a hidden tag as for an unknown one', async () => {
    await createArticle(t, { status: 'draft', tags: ['اغتيال السفير'] })
    const hidden = await t.app.inject({ url: `/v1/articles?tag=${encodeURIComponent(EMBARGOED)}` })
    const unknown = await t.app.inject({ url: `/v1/articles?tag=${encodeURIComponent('لا-يوجد')}` })
    expect(hidden.statusCode).toBe(200)
    expect(hidden.json()).toEqual(unknown.json())
    expect(hidden.body).not.toContain('السفير')
  })

  it('pages over the visible tags only: totals and pages agree', async () => {
    for (const name of ['أ', 'ب', 'ج']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name },
      })
      expect(res.statusCode).toBe(201)
    }
    await createArticle(t, { status: 'draft', tags: ['د', 'هـ'] })
    const first = await t.app.inject({ url: '/v1/tags?perPage=2' })
    expect(first.json().meta).toEqual({ page: 1, perPage: 2, total: 3, totalPages: 2 })
    const second = await t.app.inject({ url: '/v1/tags?perPage=2&page=2' })
    expect(second.json().data.map((tag: { name: string }) => tag.name)).toEqual(['ج'])
    const privileged = await t.app.inject({ url: '/v1/tags?perPage=2', headers: t.editorAuth })
    expect(privileged.json().meta.total).toBe(5)
  })
})
