/**
 * Tag articleCount, kept per stamp (tags.service.ts): exact through every write and a go-live, in the order
 * `-articleCount` promises, and counted once per stamp rather than on every read. The read cache is off, so every
 * request reaches the tag service.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { queriesDuring as recordQueries } from '../helpers/queries.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp({ env: { READ_CACHE_MB: '0' } })
  t.clock.set('2030-01-01T10:00:00.000Z')
})
afterEach(() => t.app.close())

type Headers = Record<string, string>
type Listed = { name: string; slug: string; articleCount: number }

async function list(query: string, headers: Headers = {}): Promise<Listed[]> {
  const res = await t.app.inject({ url: `/v1/tags?perPage=100&${query}`, headers })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data
}

/** Every place a tag's count is served, for one slug: by slug, by id, both sorts, public and with a token. */
async function countsOf(slug: string): Promise<number[]> {
  const seen: number[] = []
  const tag = (await t.query<{ id: number }>('select id from tags where slug = ?', slug))[0]
  for (const headers of [{}, t.editorAuth]) {
    for (const ref of [slug, String(tag?.id)]) {
      const res = await t.app.inject({ url: `/v1/tags/${encodeURIComponent(ref)}`, headers })
      seen.push(res.statusCode === 200 ? res.json().articleCount : -res.statusCode)
    }
    for (const sort of ['name', '-articleCount']) {
      const found = (await list(`sort=${sort}`, headers)).find((listed) => listed.slug === slug)
      seen.push(found ? found.articleCount : -1)
    }
  }
  return seen
}

const everywhere = (n: number) => Array(8).fill(n)

function patch(id: number, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: t.editorAuth, payload })
}

describe('tag articleCount with the read cache off', () => {
  it('stays exact through creates, patches of status and tags, deletes and a scheduled go-live', async () => {
    const a = await createArticle(t, { tags: ['x'], publishedAt: '2030-01-01T09:00:00.000Z' })
    expect(await countsOf('x')).toEqual(everywhere(1))

    const b = await createArticle(t, { tags: ['x', 'y'], publishedAt: '2030-01-01T09:30:00.000Z' })
    expect(await countsOf('x')).toEqual(everywhere(2))
    expect(await countsOf('y')).toEqual(everywhere(1))

    // A draft and a scheduled article count for nobody, token holders included.
    const draft = await createArticle(t, { tags: ['x'], status: 'draft' })
    await createArticle(t, { tags: ['x'], publishedAt: '2030-01-01T11:00:00.000Z' })
    expect(await countsOf('x')).toEqual(everywhere(2))

    expect((await patch(draft.id, { status: 'published' })).statusCode).toBe(200)
    expect(await countsOf('x')).toEqual(everywhere(3))
    expect((await patch(a.id, { status: 'draft' })).statusCode).toBe(200)
    expect(await countsOf('x')).toEqual(everywhere(2))

    expect((await patch(b.id, { tags: ['y'] })).statusCode).toBe(200)
    expect(await countsOf('x')).toEqual(everywhere(1))
    expect(await countsOf('y')).toEqual(everywhere(1))

    // Nothing is written at the go-live: the stamp's time has come.
    t.clock.set('2030-01-01T10:59:59.999Z')
    expect(await countsOf('x')).toEqual(everywhere(1))
    t.clock.set('2030-01-01T11:00:00.000Z')
    expect(await countsOf('x')).toEqual(everywhere(2))

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/articles/${draft.id}`,
      headers: t.editorAuth,
    })
    expect(del.statusCode).toBe(204)
    expect(await countsOf('x')).toEqual(everywhere(1))

    // The last live article leaves: the tag is hidden from the public again, a token holder sees 0.
    expect((await patch(b.id, { status: 'draft' })).statusCode).toBe(200)
    expect(await countsOf('y')).toEqual([-404, -404, -1, -1, 0, 0, 0, 0])
  })

  it('sorts by -articleCount, then by name byte by byte, then by id, the same across pages', async () => {
    // A locale would put `a` before `B`; UTF-16 would put `𝐀` (U+1D400) before `ｚ` (U+FF5A); UTF-8 bytes do neither.
    for (const [name, slug] of [
      ['𝐀', 'bold-a'],
      ['ｚ', 'wide-z'],
      ['a', 'a'],
      ['B', 'b'],
      ['Same', 'same-2'],
      ['Same', 'same-1'],
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name, slug },
      })
      expect(res.statusCode, res.body).toBe(201)
    }
    await createArticle(t, { tags: ['Two', 'One', 'Also one'] })
    await createArticle(t, { tags: ['Two'] })
    await createArticle(t, { tags: ['Hidden'], status: 'draft' })

    const expected = [
      ['two', 2],
      ['also-one', 1],
      ['one', 1],
      ['b', 0],
      ['same-2', 0],
      ['same-1', 0],
      ['a', 0],
      ['wide-z', 0],
      ['bold-a', 0],
    ]
    const slugsAndCounts = (tags: Listed[]) => tags.map((tag) => [tag.slug, tag.articleCount])
    expect(slugsAndCounts(await list('sort=-articleCount'))).toEqual(expected)
    // Token holders also see the tag only a draft carries, with its public count, 0, in its place by name.
    expect(slugsAndCounts(await list('sort=-articleCount', t.editorAuth))).toEqual([
      ...expected.slice(0, 4),
      ['hidden', 0],
      ...expected.slice(4),
    ])

    const paged: Listed[] = []
    for (let page = 1; page <= 4; page++) {
      const res = await t.app.inject({ url: `/v1/tags?sort=-articleCount&perPage=2&page=${page}` })
      expect(res.headers['x-total-count']).toBe(String(expected.length))
      paged.push(...res.json().data)
    }
    expect(slugsAndCounts(paged)).toEqual(expected.slice(0, 8))
    const past = await t.app.inject({ url: '/v1/tags?sort=-articleCount&perPage=2&page=6' })
    expect(past.json()).toMatchObject({ data: [], meta: { total: expected.length, page: 6 } })
  })
})

describe('counting once per stamp', () => {
  const queriesDuring = (fn: () => Promise<unknown>) => recordQueries(t.database, fn)

  /** The grouped count, or a count of articles per tag in any other shape (the correlated one it replaced). */
  const countsArticles = (sql: string) => /group by/i.test(sql) || /\(\s*select count\(/i.test(sql)

  const everyTagRead = async () => {
    for (const url of ['/v1/tags/x', '/v1/tags?sort=name', '/v1/tags?sort=-articleCount']) {
      for (const headers of [{}, t.editorAuth]) {
        const res = await t.app.inject({ url, headers })
        expect(res.statusCode, res.body).toBe(200)
      }
    }
  }

  it('counts the articles of every tag in one grouped query, then not again until a change or a go-live', async () => {
    await createArticle(t, { tags: ['x', 'y'], publishedAt: '2030-01-01T09:00:00.000Z' })
    await createArticle(t, { tags: ['x'], publishedAt: '2030-01-01T11:00:00.000Z' })

    const first = await queriesDuring(everyTagRead)
    expect(first.filter(countsArticles)).toHaveLength(1)
    expect(first.filter(countsArticles)[0]).toMatch(/group by/i)
    expect((await queriesDuring(everyTagRead)).filter(countsArticles)).toEqual([])

    // A write that touches no tag still moves the data version: counted again, once.
    await createArticle(t, { tags: ['z'] })
    expect((await queriesDuring(everyTagRead)).filter(countsArticles)).toHaveLength(1)
    expect((await queriesDuring(everyTagRead)).filter(countsArticles)).toEqual([])

    t.clock.set('2030-01-01T11:00:00.000Z')
    const afterGoLive = await queriesDuring(everyTagRead)
    expect(afterGoLive.filter(countsArticles)).toHaveLength(1)
    expect((await t.app.inject({ url: '/v1/tags/x' })).json().articleCount).toBe(2)
  })
})
