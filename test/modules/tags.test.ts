/** /v1/tags through HTTP on a migrated SQLite database: lists, lookups, writes and what articleCount counts. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle, minutesFromNow } from '../helpers/data.js'
import { errorPaths, expectProblem, parseLinks, queryParam } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

const url = (idOrSlug: string | number) => `/v1/tags/${encodeURIComponent(String(idOrSlug))}`

async function createTag(payload: Record<string, unknown>, headers: Record<string, string> = t.editorAuth) {
  return t.app.inject({ method: 'POST', url: '/v1/tags', headers, payload })
}

async function getTag(idOrSlug: string | number) {
  return t.app.inject({ method: 'GET', url: url(idOrSlug) })
}

async function listTags(query = '') {
  return t.app.inject({ method: 'GET', url: `/v1/tags${query ? `?${query}` : ''}` })
}

function tagCount(): Promise<number> {
  return t.count('tags')
}

describe('POST /v1/tags', () => {
  it('creates a tag with an Arabic slug derived from its name: 201 and Location', async () => {
    const res = await createTag({ name: ' العطار التركي ', description: 'عمود أسبوعي' })
    expect(res.statusCode, res.body).toBe(201)
    const tag = res.json()
    expect(tag).toEqual({
      id: expect.any(Number),
      slug: 'العطار-التركي',
      name: 'العطار التركي',
      description: 'عمود أسبوعي',
      articleCount: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    })
    expect(res.headers.location).toBe(`/v1/tags/${tag.id}`)
    expect((await t.app.inject({ method: 'GET', url: res.headers.location as string })).json()).toEqual(tag)
  })

  it('defaults the description to an empty string', async () => {
    expect((await createTag({ name: 'Media' })).json()).toMatchObject({ slug: 'media', description: '' })
  })

  it('keeps an explicit slug, normalized', async () => {
    const res = await createTag({ name: 'إيران', slug: 'Iran News!' })
    expect(res.json().slug).toBe('iran-news')
  })

  it('answers 409 for a taken slug or a name whose slug is taken, and creates nothing', async () => {
    await createTag({ name: 'إيران' })
    const bySlug = expectProblem(await createTag({ name: 'Iran', slug: 'إيران' }), 409)
    expect(errorPaths(bySlug)).toEqual(['slug'])
    const byName = expectProblem(await createTag({ name: 'إِيـران' }), 409)
    expect(errorPaths(byName)).toEqual(['name'])
    expect(await tagCount()).toBe(1)
  })

  it('answers 400 for a missing name, a name with no letters and a slug of digits', async () => {
    expect(errorPaths(expectProblem(await createTag({ description: 'x' }), 400))).toEqual(['name'])
    expect(errorPaths(expectProblem(await createTag({ name: '!!!' }), 400))).toEqual(['name'])
    expect(errorPaths(expectProblem(await createTag({ name: 'x', slug: '42' }), 400))).toEqual(['slug'])
    expectProblem(await createTag({ name: 'x', colour: 'red' }), 400)
    expect(await tagCount()).toBe(0)
  })

  it('answers 401 without a token', async () => {
    const res = await createTag({ name: 'x' }, {})
    expectProblem(res, 401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect(await tagCount()).toBe(0)
  })
})

describe('GET /v1/tags/{idOrSlug}', () => {
  it('finds a tag by id, by Arabic slug encoded and decoded', async () => {
    const tag = (await createTag({ name: 'الاتفاق النووي' })).json()
    expect((await getTag(tag.id)).json()).toEqual(tag)
    expect((await getTag('الاتفاق-النووي')).json()).toEqual(tag)
    const decoded = await t.app.inject({ method: 'GET', url: '/v1/tags/الاتفاق-النووي' })
    expect(decoded.statusCode).toBe(200)
    expect(decoded.json().id).toBe(tag.id)
  })

  it('answers 404 for an unknown tag', async () => {
    expectProblem(await getTag(404), 404)
    expectProblem(await getTag('لا-يوجد'), 404)
  })
})

describe('GET /v1/tags', () => {
  it('lists by name with meta, X-Total-Count and Link', async () => {
    for (const name of ['سوريا', 'Media', 'إيران', 'روسيا', 'Asia']) await createTag({ name })
    const all = await listTags()
    expect(all.statusCode).toBe(200)
    const names = all.json().data.map((tag: { name: string }) => tag.name)
    expect(names).toEqual(['Asia', 'Media', 'إيران', 'روسيا', 'سوريا'])
    expect(all.json().meta).toEqual({ page: 1, perPage: 20, total: 5, totalPages: 1 })

    const second = await listTags('perPage=2&page=2')
    expect(second.json().data.map((tag: { name: string }) => tag.name)).toEqual(['إيران', 'روسيا'])
    expect(second.json().meta).toEqual({ page: 2, perPage: 2, total: 5, totalPages: 3 })
    expect(second.headers['x-total-count']).toBe('5')
    const links = parseLinks(second.headers.link)
    expect(queryParam(links.next as string, 'page')).toBe('3')
    expect(queryParam(links.prev as string, 'page')).toBe('1')

    const past = await listTags('perPage=2&page=4')
    expect(past.json()).toEqual({ data: [], meta: { page: 4, perPage: 2, total: 5, totalPages: 3 } })
  })

  it('gives an empty list totalPages 0', async () => {
    expect((await listTags()).json()).toEqual({
      data: [],
      meta: { page: 1, perPage: 20, total: 0, totalPages: 0 },
    })
  })

  it('sorts by -articleCount, then by name', async () => {
    await createTag({ name: 'Zero' })
    await createArticle(t, { tags: ['Two', 'One'] })
    await createArticle(t, { tags: ['Two'] })
    const res = await listTags('sort=-articleCount')
    expect(
      res.json().data.map((tag: { name: string; articleCount: number }) => [tag.name, tag.articleCount]),
    ).toEqual([
      ['Two', 2],
      ['One', 1],
      ['Zero', 0],
    ])
  })

  it('rejects an unknown sort and perPage out of range', async () => {
    expect(errorPaths(expectProblem(await listTags('sort=popularity'), 400))).toEqual(['sort'])
    expect(errorPaths(expectProblem(await listTags('perPage=0'), 400))).toEqual(['perPage'])
    expect(errorPaths(expectProblem(await listTags('perPage=101'), 400))).toEqual(['perPage'])
  })

  it('counts only published articles whose time has come', async () => {
    await createArticle(t, { tags: ['إيران'] })
    await createArticle(t, { tags: ['إيران'], publishedAt: '2017-11-01T09:30:00.000Z' })
    await createArticle(t, { tags: ['إيران'], status: 'draft' })
    await createArticle(t, { tags: ['إيران'], publishedAt: minutesFromNow(60) })
    expect((await getTag('إيران')).json().articleCount).toBe(2)
    expect((await listTags()).json().data[0].articleCount).toBe(2)
    // Counting the same for a token holder: the count is what the public sees.
    const privileged = await t.app.inject({ method: 'GET', url: url('إيران'), headers: t.editorAuth })
    expect(privileged.json().articleCount).toBe(2)
  })
})

describe('PATCH /v1/tags/{idOrSlug}', () => {
  it('changes name and description; the slug stays unless a new one is given', async () => {
    const tag = (await createTag({ name: 'إيران' })).json()
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: url('إيران'),
      headers: t.editorAuth,
      payload: { name: 'الجمهورية الإسلامية', description: 'وصف' },
    })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({
      id: tag.id,
      slug: 'إيران',
      name: 'الجمهورية الإسلامية',
      description: 'وصف',
    })
    const reslugged = await t.app.inject({
      method: 'PATCH',
      url: url(tag.id),
      headers: t.editorAuth,
      payload: { slug: 'Iran' },
    })
    expect(reslugged.json().slug).toBe('iran')
    expect((await getTag('iran')).json().name).toBe('الجمهورية الإسلامية')
  })

  it('shows the new name on the articles that carry the tag', async () => {
    const tag = (await createTag({ name: 'old' })).json()
    const article = await createArticle(t, { tags: ['old'] })
    await t.app.inject({ method: 'PATCH', url: url(tag.id), headers: t.editorAuth, payload: { name: 'New' } })
    const res = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}` })
    expect(res.json().tags).toEqual([{ id: tag.id, slug: 'old', name: 'New' }])
  })

  it('answers 409 for another tag’s slug, 404 for an unknown tag, 400 for a bad body, 401 without a token', async () => {
    await createTag({ name: 'أ' })
    const b = (await createTag({ name: 'ب' })).json()
    const patch = (
      idOrSlug: string | number,
      payload: unknown,
      headers: Record<string, string> = t.editorAuth,
    ) => t.app.inject({ method: 'PATCH', url: url(idOrSlug), headers, payload: payload as object })
    expect(errorPaths(expectProblem(await patch(b.id, { slug: 'أ' }), 409))).toEqual(['slug'])
    expectProblem(await patch(999, { name: 'x' }), 404)
    expect(errorPaths(expectProblem(await patch(b.id, { name: '' }), 400))).toEqual(['name'])
    expectProblem(await patch(b.id, { name: 'x' }, {}), 401)
    expect((await getTag(b.id)).json()).toMatchObject({ slug: 'ب', name: 'ب' })
  })
})

describe('DELETE /v1/tags/{idOrSlug}', () => {
  it('answers 204 and detaches the tag from its articles, which stay', async () => {
    const article = await createArticle(t, { tags: ['أ', 'ب', 'ج'] })
    const res = await t.app.inject({ method: 'DELETE', url: url('ب'), headers: t.editorAuth })
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expectProblem(await getTag('ب'), 404)
    const after = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}` })
    expect(after.statusCode).toBe(200)
    expect(after.json().tags.map((tag: { slug: string }) => tag.slug)).toEqual(['أ', 'ج'])
    const byTag = await t.app.inject({ method: 'GET', url: `/v1/articles?tag=${encodeURIComponent('ب')}` })
    expect(byTag.json().data).toEqual([])
  })

  it('answers 404 for an unknown tag and 401 without a token', async () => {
    expectProblem(await t.app.inject({ method: 'DELETE', url: url(999), headers: t.editorAuth }), 404)
    const tag = (await createTag({ name: 'x' })).json()
    expectProblem(await t.app.inject({ method: 'DELETE', url: url(tag.id) }), 401)
    expect(await tagCount()).toBe(1)
  })
})
