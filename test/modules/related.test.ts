/** /v1/articles/:idOrSlug/related: ordering, atomic replacement, cascades, the tag fill, visibility, errors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle, minutesFromNow } from '../helpers/data.js'
import { getRelated, idsOf, linksTouching, putRelated, relatedUrl, storedLinks } from '../helpers/related.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

/** Creates `n` published articles and returns their ids. */
async function articles(n: number): Promise<number[]> {
  const ids: number[] = []
  for (let i = 0; i < n; i++) ids.push((await createArticle(t)).id)
  return ids
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(res.json()).toMatchObject({ type: 'about:blank', status })
}

describe('GET /v1/articles/:idOrSlug/related', () => {
  it('answers an empty list for an article without links, with an ETag and 304', async () => {
    const [base] = await articles(1)
    const res = await t.app.inject({ method: 'GET', url: relatedUrl(base as number) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ data: [] })
    const etag = res.headers.etag as string
    expect(etag).toMatch(/^"/)
    expect(res.headers['cache-control']).toMatch(/^public/)
    const again = await t.app.inject({
      method: 'GET',
      url: relatedUrl(base as number),
      headers: { 'if-none-match': etag },
    })
    expect(again.statusCode).toBe(304)
  })

  it('answers summaries with their relation, tags and comment count, and no body', async () => {
    const base = await createArticle(t, { tags: ['إيران'] })
    const linked = await createArticle(t, { title: 'روحاني يستقبل بوتين', tags: ['إيران', 'روسيا'] })
    await putRelated(t, base.id, [linked.id])
    const list = await getRelated(t, base.id)
    expect(list.data).toEqual([
      expect.objectContaining({
        id: linked.id,
        slug: linked.slug,
        title: 'روحاني يستقبل بوتين',
        relation: 'manual',
        commentCount: 0,
        tags: [expect.objectContaining({ name: 'إيران' }), expect.objectContaining({ name: 'روسيا' })],
      }),
    ])
    expect(list.data[0]).not.toHaveProperty('body')
    expect(list.data[0]).not.toHaveProperty('html')
    expect(list.data[0]).not.toHaveProperty('shared')
  })

  it('addresses the article by an Arabic slug, percent-encoded or not', async () => {
    const base = await createArticle(t, { title: 'بوتين في إيران' })
    const [other] = await articles(1)
    await putRelated(t, 'بوتين-في-إيران', [other as number])
    expect(idsOf(await getRelated(t, base.slug))).toEqual([other])
    const raw = await t.app.inject({ method: 'GET', url: `/v1/articles/${base.slug}/related` })
    expect(raw.statusCode).toBe(200)
    expect(idsOf(raw.json())).toEqual([other])
  })

  it('caps the manual links with limit (default 5)', async () => {
    const [base, ...others] = await articles(8)
    await putRelated(t, base as number, others)
    expect(idsOf(await getRelated(t, base as number))).toEqual(others.slice(0, 5))
    expect(idsOf(await getRelated(t, base as number, '?limit=2'))).toEqual(others.slice(0, 2))
    expect(idsOf(await getRelated(t, base as number, '?limit=20'))).toEqual(others)
  })

  it('rejects a bad limit or fill with a 400 naming the field', async () => {
    const [base] = await articles(1)
    for (const [query, path] of [
      ['?limit=0', 'limit'],
      ['?limit=21', 'limit'],
      ['?limit=abc', 'limit'],
      ['?fill=random', 'fill'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: relatedUrl(base as number, query) })
      expectProblem(res, 400)
      expect(res.json().errors, query).toEqual([expect.objectContaining({ path })])
    }
  })

  it('answers 404 for an unknown article', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: relatedUrl(999) }), 404)
    expectProblem(await t.app.inject({ method: 'GET', url: relatedUrl('لا-يوجد') }), 404)
  })

  it('answers 404 to the public for a draft or scheduled article, and the list to a token', async () => {
    const draft = await createArticle(t, { status: 'draft' })
    const scheduled = await createArticle(t, { publishedAt: minutesFromNow(60) })
    const [other] = await articles(1)
    for (const base of [draft, scheduled]) {
      await putRelated(t, base.id, [other as number])
      expectProblem(await t.app.inject({ method: 'GET', url: relatedUrl(base.id) }), 404)
      expect(idsOf(await getRelated(t, base.id, '', t.editorAuth))).toEqual([other])
    }
  })

  it('answers 401 to an invalid token', async () => {
    const [base] = await articles(1)
    const res = await t.app.inject({
      method: 'GET',
      url: relatedUrl(base as number),
      headers: { authorization: 'Bearer not-a-real-token' },
    })
    expectProblem(res, 401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })
})

describe('visibility of linked articles', () => {
  it('hides draft and scheduled links from the public and shows them, with their status, to a token', async () => {
    const base = await createArticle(t)
    const live1 = await createArticle(t)
    const draft = await createArticle(t, { status: 'draft' })
    const scheduled = await createArticle(t, { publishedAt: minutesFromNow(120) })
    const live2 = await createArticle(t)
    await putRelated(t, base.id, [live1.id, draft.id, scheduled.id, live2.id])

    expect(idsOf(await getRelated(t, base.id))).toEqual([live1.id, live2.id])
    // The limit counts what the caller sees: the public's two slots are both live articles.
    expect(idsOf(await getRelated(t, base.id, '?limit=2'))).toEqual([live1.id, live2.id])

    const privileged = await getRelated(t, base.id, '', t.editorAuth)
    expect(privileged.data.map(({ id, status, relation }) => ({ id, status, relation }))).toEqual([
      { id: live1.id, status: 'published', relation: 'manual' },
      { id: draft.id, status: 'draft', relation: 'manual' },
      { id: scheduled.id, status: 'published', relation: 'manual' },
      { id: live2.id, status: 'published', relation: 'manual' },
    ])
    expect(privileged.data[2]).toMatchObject({ publishedAt: scheduled.publishedAt })
  })

  it('keeps the public and token answers apart for caches', async () => {
    const [base] = await articles(1)
    const res = await t.app.inject({ method: 'GET', url: relatedUrl(base as number), headers: t.editorAuth })
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect(res.headers.vary).toMatch(/Authorization/)
  })
})

describe('fill=tags', () => {
  /** The base article tagged a, b, c, and candidates sharing 3, 2, 1 or 0 of those tags. */
  async function tagWorld() {
    const at = (minutesAgo: number) => minutesFromNow(-minutesAgo)
    const base = await createArticle(t, { tags: ['a', 'b', 'c'], publishedAt: at(1) })
    const three = await createArticle(t, { tags: ['c', 'b', 'a', 'z'], publishedAt: at(5000) })
    const twoNewer = await createArticle(t, { tags: ['a', 'b'], publishedAt: at(10) })
    const twoOlder = await createArticle(t, { tags: ['b', 'c'], publishedAt: at(100) })
    const one = await createArticle(t, { tags: ['c'], publishedAt: at(20) })
    const none = await createArticle(t, { tags: ['z'], publishedAt: at(2) })
    const untagged = await createArticle(t, { publishedAt: at(3) })
    const draft = await createArticle(t, { tags: ['a', 'b', 'c'], status: 'draft' })
    const scheduled = await createArticle(t, { tags: ['a', 'b', 'c'], publishedAt: minutesFromNow(60) })
    return { base, three, twoNewer, twoOlder, one, none, untagged, draft, scheduled }
  }

  it('ranks by shared tags, newest first among equals, live published articles only', async () => {
    const w = await tagWorld()
    const list = await getRelated(t, w.base.id, '?fill=tags')
    expect(idsOf(list)).toEqual([w.three.id, w.twoNewer.id, w.twoOlder.id, w.one.id])
    expect(list.data.every((item) => item.relation === 'tags')).toBe(true)
    // A token holder sees drafts through manual links only; the fill never offers them.
    expect(idsOf(await getRelated(t, w.base.id, '?fill=tags', t.editorAuth))).toEqual(idsOf(list))
  })

  it('is off by default', async () => {
    const w = await tagWorld()
    expect((await getRelated(t, w.base.id)).data).toEqual([])
    expect((await getRelated(t, w.base.id, '?fill=none')).data).toEqual([])
  })

  it('fills only up to limit', async () => {
    const w = await tagWorld()
    expect(idsOf(await getRelated(t, w.base.id, '?fill=tags&limit=2'))).toEqual([w.three.id, w.twoNewer.id])
  })

  it('breaks a tie on the same publishedAt by the newer id', async () => {
    const when = minutesFromNow(-30)
    const base = await createArticle(t, { tags: ['x'] })
    const first = await createArticle(t, { tags: ['x'], publishedAt: when })
    const second = await createArticle(t, { tags: ['x'], publishedAt: when })
    const third = await createArticle(t, { tags: ['x'], publishedAt: when })
    expect(idsOf(await getRelated(t, base.id, '?fill=tags'))).toEqual([third.id, second.id, first.id])
  })

  it('comes after the manual links, never repeating one, and only fills the slots they leave', async () => {
    const w = await tagWorld()
    await putRelated(t, w.base.id, [w.none.id, w.twoNewer.id])
    const list = await getRelated(t, w.base.id, '?fill=tags&limit=4')
    expect(list.data.map(({ id, relation }) => ({ id, relation }))).toEqual([
      { id: w.none.id, relation: 'manual' },
      { id: w.twoNewer.id, relation: 'manual' },
      { id: w.three.id, relation: 'tags' },
      { id: w.twoOlder.id, relation: 'tags' },
    ])
    expect(idsOf(await getRelated(t, w.base.id, '?fill=tags&limit=2'))).toEqual([w.none.id, w.twoNewer.id])
  })

  it('fills the slots of manual links the public may not see with live articles only', async () => {
    const w = await tagWorld()
    await putRelated(t, w.base.id, [w.draft.id, w.one.id])
    expect(idsOf(await getRelated(t, w.base.id, '?fill=tags&limit=3'))).toEqual([
      w.one.id,
      w.three.id,
      w.twoNewer.id,
    ])
    expect(idsOf(await getRelated(t, w.base.id, '?fill=tags&limit=3', t.editorAuth))).toEqual([
      w.draft.id,
      w.one.id,
      w.three.id,
    ])
  })

  it('answers an empty fill for an article without tags', async () => {
    await tagWorld()
    const lonely = await createArticle(t)
    expect((await getRelated(t, lonely.id, '?fill=tags')).data).toEqual([])
  })
})

describe('PUT /v1/articles/:idOrSlug/related', () => {
  it('replaces the whole ordered list and answers it as GET does', async () => {
    const [base, a, b, c, d] = (await articles(5)) as [number, number, number, number, number]
    const first = await putRelated(t, base, [c, a, b])
    expect(idsOf(first)).toEqual([c, a, b])
    expect(first.data.every((item: { relation: string }) => item.relation === 'manual')).toBe(true)
    expect(first).toEqual(await getRelated(t, base, '', t.editorAuth))
    expect(await storedLinks(t, base)).toEqual([
      [c, 0],
      [a, 1],
      [b, 2],
    ])

    expect(idsOf(await putRelated(t, base, [d, c]))).toEqual([d, c])
    expect(idsOf(await getRelated(t, base))).toEqual([d, c])
    expect(await storedLinks(t, base)).toEqual([
      [d, 0],
      [c, 1],
    ])

    expect(await putRelated(t, base, [])).toEqual({ data: [] })
    expect(await storedLinks(t, base)).toEqual([])
  })

  it('answers every link, drafts included, beyond the default GET limit', async () => {
    const [base, ...others] = await articles(8)
    const draft = await createArticle(t, { status: 'draft' })
    const list = await putRelated(t, base as number, [...others, draft.id])
    expect(idsOf(list)).toEqual([...others, draft.id])
    expect(list.data.at(-1)).toMatchObject({ status: 'draft', relation: 'manual' })
  })

  it('accepts 20 links and refuses 21', async () => {
    const [base, ...others] = await articles(22)
    expect(idsOf(await putRelated(t, base as number, others.slice(0, 20)))).toHaveLength(20)
    const res = await t.app.inject({
      method: 'PUT',
      url: relatedUrl(base as number),
      headers: t.editorAuth,
      payload: { articleIds: others },
    })
    expectProblem(res, 400)
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'articleIds' })])
    expect(await storedLinks(t, base as number)).toHaveLength(20)
  })

  it('refuses a self link, a repeated id and an unknown id, naming each, and changes nothing', async () => {
    const [base, a, b] = (await articles(3)) as [number, number, number]
    await putRelated(t, base, [a, b])
    const before = await storedLinks(t, base)

    const cases: [number[], string[]][] = [
      [[a, base], ['articleIds.1']],
      [[a, b, a], ['articleIds.2']],
      [[b, 9999], ['articleIds.1']],
      [
        [base, a, a, 9999, 8888],
        ['articleIds.0', 'articleIds.2', 'articleIds.3', 'articleIds.4'],
      ],
    ]
    for (const [articleIds, paths] of cases) {
      const res = await t.app.inject({
        method: 'PUT',
        url: relatedUrl(base),
        headers: t.editorAuth,
        payload: { articleIds },
      })
      expectProblem(res, 400)
      const body = res.json()
      expect(body.errors.map((error: { path: string }) => error.path)).toEqual(paths)
      // An error never repeats the value that was sent.
      expect(JSON.stringify(body)).not.toMatch(/9999|8888/)
      expect(await storedLinks(t, base)).toEqual(before)
    }
  })

  it('explains each kind of bad id', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    const res = await t.app.inject({
      method: 'PUT',
      url: relatedUrl(base),
      headers: t.editorAuth,
      payload: { articleIds: [base, a, a, 424242] },
    })
    expect(res.json().errors).toEqual([
      { path: 'articleIds.0', message: 'An article cannot be related to itself.' },
      { path: 'articleIds.2', message: 'Repeats articleIds.1.' },
      { path: 'articleIds.3', message: 'No article has this id.' },
    ])
  })

  it('refuses a malformed body with a 400', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    await putRelated(t, base, [a])
    for (const payload of [
      {},
      { articleIds: 'nope' },
      { articleIds: [1.5] },
      { articleIds: [0] },
      { articleIds: [a], x: 1 },
    ]) {
      const res = await t.app.inject({ method: 'PUT', url: relatedUrl(base), headers: t.editorAuth, payload })
      expectProblem(res, 400)
      expect(res.json().errors.length).toBeGreaterThan(0)
    }
    expect(await storedLinks(t, base)).toEqual([[a, 0]])
  })

  it('answers 401 without a token and 404 for an unknown article', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    const anonymous = await t.app.inject({
      method: 'PUT',
      url: relatedUrl(base),
      payload: { articleIds: [a] },
    })
    expectProblem(anonymous, 401)
    expect(anonymous.headers['www-authenticate']).toBe('Bearer')
    expect(await storedLinks(t, base)).toEqual([])
    const missing = await t.app.inject({
      method: 'PUT',
      url: relatedUrl(999),
      headers: t.editorAuth,
      payload: { articleIds: [a] },
    })
    expectProblem(missing, 404)
  })

  it('lets an admin token write too', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    const res = await t.app.inject({
      method: 'PUT',
      url: relatedUrl(base),
      headers: t.adminAuth,
      payload: { articleIds: [a] },
    })
    expect(res.statusCode).toBe(200)
  })
})

describe('POST /v1/articles/:idOrSlug/related', () => {
  async function post(base: number | string, payload: unknown, headers = t.editorAuth) {
    return t.app.inject({ method: 'POST', url: relatedUrl(base), headers, payload: payload as object })
  }

  it('appends one link at the end: 201, the list, and a Location for it', async () => {
    const base = await createArticle(t, { title: 'بوتين في إيران' })
    const [a, b, c] = (await articles(3)) as [number, number, number]
    await putRelated(t, base.id, [b, a])
    const res = await post(base.slug, { articleId: c })
    expect(res.statusCode).toBe(201)
    expect(res.headers.location).toBe(`/v1/articles/${base.id}/related`)
    expect(idsOf(res.json())).toEqual([b, a, c])
    expect(res.json()).toEqual(await getRelated(t, base.id, '', t.editorAuth))
    expect(await storedLinks(t, base.id)).toEqual([
      [b, 0],
      [a, 1],
      [c, 2],
    ])
  })

  it('starts a list on an article without links, and may link a draft', async () => {
    const [base] = (await articles(1)) as [number]
    const draft = await createArticle(t, { status: 'draft' })
    const res = await post(base, { articleId: draft.id })
    expect(res.statusCode).toBe(201)
    expect(res.json().data).toEqual([expect.objectContaining({ id: draft.id, status: 'draft' })])
    expect((await getRelated(t, base)).data).toEqual([])
  })

  it('refuses a self link and an unknown id with a 400 on articleId, changing nothing', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    await putRelated(t, base, [a])
    for (const [articleId, message] of [
      [base, 'An article cannot be related to itself.'],
      [777, 'No article has this id.'],
    ] as const) {
      const res = await post(base, { articleId })
      expectProblem(res, 400)
      expect(res.json().errors).toEqual([{ path: 'articleId', message }])
      expect(await storedLinks(t, base)).toEqual([[a, 0]])
    }
  })

  it('refuses a malformed body with a 400', async () => {
    const [base] = (await articles(1)) as [number]
    for (const payload of [{}, { articleId: 'x' }, { articleId: -1 }, { articleIds: [1] }]) {
      expectProblem(await post(base, payload), 400)
    }
    expect(await storedLinks(t, base)).toEqual([])
  })

  it('answers 409 for a link that exists already, changing nothing', async () => {
    const [base, a, b] = (await articles(3)) as [number, number, number]
    await putRelated(t, base, [a, b])
    const res = await post(base, { articleId: a })
    expectProblem(res, 409)
    expect(res.json().errors).toEqual([{ path: 'articleId', message: 'Linked already' }])
    expect(await storedLinks(t, base)).toEqual([
      [a, 0],
      [b, 1],
    ])
  })

  it('answers 409 when the list holds 20 links already', async () => {
    const [base, ...others] = (await articles(22)) as number[]
    await putRelated(t, base as number, others.slice(0, 20))
    const res = await post(base as number, { articleId: others[20] })
    expectProblem(res, 409)
    expect(res.json().detail).toMatch(/at most 20/)
    expect(await storedLinks(t, base as number)).toHaveLength(20)
  })

  it('answers 401 without a token and 404 for an unknown article', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    expectProblem(await post(base, { articleId: a }, {} as typeof t.editorAuth), 401)
    expectProblem(await post(999, { articleId: a }), 404)
    expectProblem(await post('لا-يوجد', { articleId: a }), 404)
    expect(await storedLinks(t, base)).toEqual([])
  })
})

describe('DELETE /v1/articles/:idOrSlug/related/:relatedId', () => {
  async function del(base: number | string, relatedId: number | string, headers = t.editorAuth) {
    return t.app.inject({ method: 'DELETE', url: `${relatedUrl(base)}/${relatedId}`, headers })
  }

  it('removes one link with 204 and keeps the others in order, positions dense', async () => {
    const [base, a, b, c, d] = (await articles(5)) as [number, number, number, number, number]
    await putRelated(t, base, [a, b, c, d])
    const res = await del(base, b)
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expect(idsOf(await getRelated(t, base))).toEqual([a, c, d])
    expect(await storedLinks(t, base)).toEqual([
      [a, 0],
      [c, 1],
      [d, 2],
    ])

    expect((await del(base, a)).statusCode).toBe(204)
    expect((await del(base, d)).statusCode).toBe(204)
    expect(await storedLinks(t, base)).toEqual([[c, 0]])
    // Appending after deletes lands at the end, next to the survivors.
    const appended = await t.app.inject({
      method: 'POST',
      url: relatedUrl(base),
      headers: t.editorAuth,
      payload: { articleId: b },
    })
    expect(idsOf(appended.json())).toEqual([c, b])
    expect(await storedLinks(t, base)).toEqual([
      [c, 0],
      [b, 1],
    ])
  })

  it('leaves the linked article itself in place', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    await putRelated(t, base, [a])
    await del(base, a)
    expect((await t.app.inject({ method: 'GET', url: `/v1/articles/${a}` })).statusCode).toBe(200)
  })

  it('answers 404 when there is no such link, or no such article', async () => {
    const [base, a, b] = (await articles(3)) as [number, number, number]
    await putRelated(t, base, [a])
    expectProblem(await del(base, b), 404)
    expectProblem(await del(base, 999), 404)
    // Links are one-way: base lists a, a does not list base.
    expectProblem(await del(a, base), 404)
    expectProblem(await del(999, a), 404)
    expect(await storedLinks(t, base)).toEqual([[a, 0]])
  })

  it('answers 400 for a relatedId that is not an id, and 401 without a token', async () => {
    const [base, a] = (await articles(2)) as [number, number]
    await putRelated(t, base, [a])
    const bad = await del(base, 'abc')
    expectProblem(bad, 400)
    expect(bad.json().errors).toEqual([expect.objectContaining({ path: 'relatedId' })])
    expectProblem(await del(base, a, {} as typeof t.editorAuth), 401)
    expect(await storedLinks(t, base)).toEqual([[a, 0]])
  })
})

describe('deleting an article', () => {
  it('removes every link from and to it, and keeps the other lists in order', async () => {
    const [x, y, z, w, v] = (await articles(5)) as [number, number, number, number, number]
    await putRelated(t, x, [y, z])
    await putRelated(t, y, [x, z])
    await putRelated(t, z, [w, x, y])
    expect(await linksTouching(t, x)).toBe(4)

    const res = await t.app.inject({ method: 'DELETE', url: `/v1/articles/${x}`, headers: t.editorAuth })
    expect(res.statusCode).toBe(204)
    expect(await linksTouching(t, x)).toBe(0)
    expect(await storedLinks(t, x)).toEqual([])
    expect(idsOf(await getRelated(t, y))).toEqual([z])
    expect(idsOf(await getRelated(t, z))).toEqual([w, y])
    // The cascade cannot renumber, so z's positions keep a gap; order is what counts, and an append goes last.
    const appended = await t.app.inject({
      method: 'POST',
      url: relatedUrl(z),
      headers: t.editorAuth,
      payload: { articleId: v },
    })
    expect(idsOf(appended.json())).toEqual([w, y, v])
    // The deleted article is now an unknown id.
    const gone = await t.app.inject({
      method: 'POST',
      url: relatedUrl(z),
      headers: t.editorAuth,
      payload: { articleId: x },
    })
    expectProblem(gone, 400)
    expectProblem(await t.app.inject({ method: 'GET', url: relatedUrl(x) }), 404)
  })

  it('removes the links of a deleted linked article from every list', async () => {
    const [base, a, b] = (await articles(3)) as [number, number, number]
    await putRelated(t, base, [a, b])
    await t.app.inject({ method: 'DELETE', url: `/v1/articles/${a}`, headers: t.editorAuth })
    expect(idsOf(await getRelated(t, base))).toEqual([b])
    expect(await linksTouching(t, a)).toBe(0)
  })
})
