/**
 * /v1/articles/:idOrSlug/revisions: what each write stores (and does not), who made it, paging, pruning at
 * REVISIONS_KEEP, restore with its slug, tag and If-Match rules, the same transaction as the change, and errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { TEST_ENGINE } from '../helpers/engine.js'
import { errorPaths, expectProblem, parseLinks } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

type Headers = Record<string, string>

interface RevisionState {
  title: string
  slug: string
  excerpt: string | null
  body: string
  bodyFormat: string
  author: string | null
  coverImageUrl: string | null
  status: string
  publishedAt: string | null
  commentsEnabled: boolean
  tags: string[]
}

const articleUrl = (idOrSlug: string | number) => `/v1/articles/${encodeURIComponent(String(idOrSlug))}`
const revisionsUrl = (idOrSlug: string | number) => `${articleUrl(idOrSlug)}/revisions`

function patch(idOrSlug: string | number, payload: Record<string, unknown>, headers: Headers = t.editorAuth) {
  return t.app.inject({ method: 'PATCH', url: articleUrl(idOrSlug), headers, payload })
}

function restore(idOrSlug: string | number, n: number | string, headers: Headers = t.editorAuth) {
  return t.app.inject({ method: 'POST', url: `${revisionsUrl(idOrSlug)}/${n}/restore`, headers })
}

async function revisionList(idOrSlug: string | number, query = '') {
  const res = await t.app.inject({
    method: 'GET',
    url: `${revisionsUrl(idOrSlug)}${query}`,
    headers: t.editorAuth,
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as {
    data: { number: number; articleId: number; tokenName: string | null; createdAt: string }[]
    meta: { page: number; perPage: number; total: number; totalPages: number }
  }
}

const numbers = async (idOrSlug: string | number) => (await revisionList(idOrSlug)).data.map((r) => r.number)

async function revision(idOrSlug: string | number, n: number) {
  const res = await t.app.inject({
    method: 'GET',
    url: `${revisionsUrl(idOrSlug)}/${n}`,
    headers: t.editorAuth,
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { number: number; articleId: number; tokenName: string | null; state: RevisionState }
}

async function article(idOrSlug: string | number) {
  const res = await t.app.inject({ method: 'GET', url: articleUrl(idOrSlug), headers: t.editorAuth })
  expect(res.statusCode, res.body).toBe(200)
  return res
}

const storedCount = async (articleId: number) =>
  (
    await t.query<{ n: number }>(
      'select count(*) as n from article_revisions where article_id = ?',
      articleId,
    )
  )[0]?.n

async function tokenFor(name: string): Promise<Headers> {
  const { token } = await t.services.tokens.create({ name, role: 'editor' })
  return { authorization: `Bearer ${token}` }
}

describe('what is stored', () => {
  it('stores revision 1 on create: the full editable state, the token name and the time', async () => {
    t.clock.set('2017-11-01T09:30:00.000Z')
    const created = await createArticle(t, {
      title: 'بوتين في إيران',
      body: 'زار الرئيس الروسي **طهران**.',
      author: 'محمد نور الدين',
      coverImageUrl: 'https://example.com/tehran.jpg',
      commentsEnabled: false,
      tags: ['روسيا', 'إيران'],
    })
    const list = await revisionList(created.id)
    expect(list.data).toEqual([
      { number: 1, articleId: created.id, tokenName: 'test-editor', createdAt: '2017-11-01T09:30:00.000Z' },
    ])
    const one = await revision(created.id, 1)
    expect(one).toEqual({
      number: 1,
      articleId: created.id,
      tokenName: 'test-editor',
      createdAt: '2017-11-01T09:30:00.000Z',
      state: {
        title: 'بوتين في إيران',
        slug: 'بوتين-في-إيران',
        excerpt: null,
        body: 'زار الرئيس الروسي **طهران**.',
        bodyFormat: 'markdown',
        author: 'محمد نور الدين',
        coverImageUrl: 'https://example.com/tehran.jpg',
        status: 'published',
        publishedAt: '2017-11-01T09:30:00.000Z',
        commentsEnabled: false,
        tags: ['روسيا', 'إيران'],
      },
    })
  })

  it('keeps an excerpt as the editor gave it, and a derived one as null', async () => {
    const custom = await createArticle(t, { excerpt: 'ملخص كتبه المحرر' })
    const derived = await createArticle(t, { body: 'نص طويل بما يكفي ليصنع ملخصاً.' })
    expect(derived.excerpt).not.toBe('')
    expect((await revision(custom.id, 1)).state.excerpt).toBe('ملخص كتبه المحرر')
    expect((await revision(derived.id, 1)).state.excerpt).toBeNull()
  })

  it.each([
    ['title', { title: 'عنوان جديد' }],
    ['body', { body: 'نص جديد' }],
    ['excerpt', { excerpt: 'ملخص جديد' }],
    ['slug', { slug: 'slug-new' }],
    ['tags', { tags: ['سوريا'] }],
    ['coverImageUrl', { coverImageUrl: 'https://example.com/new.jpg' }],
    ['author', { author: 'كاتب آخر' }],
    ['status', { status: 'draft' }],
  ])('stores a revision on a PATCH that changes %s', async (_field, change) => {
    const created = await createArticle(t, { tags: ['إيران'] })
    const res = await patch(created.id, change)
    expect(res.statusCode, res.body).toBe(200)
    expect(await numbers(created.id)).toEqual([2, 1])
    const state = (await revision(created.id, 2)).state
    const [field, value] = Object.entries(change)[0] as [keyof RevisionState, unknown]
    expect(state[field]).toEqual(field === 'tags' ? ['سوريا'] : value)
  })

  it('stores nothing for a PATCH that changes nothing, nor for one of the fields outside the list', async () => {
    const created = await createArticle(t, { title: 'عنوان', tags: ['Iran', 'روسيا'], author: 'كاتب' })
    const unchanged = [
      {},
      { title: 'عنوان' },
      { tags: ['Iran', 'روسيا'] },
      // Matched by slug: the same tags.
      { tags: ['IRAN', 'روسيا', 'iran'] },
      { author: 'كاتب', status: 'published', slug: created.slug },
      { excerpt: null },
      { commentsEnabled: false },
      { publishedAt: '2017-11-01T09:30:00Z' },
      { bodyFormat: 'html' },
    ]
    for (const change of unchanged) expect((await patch(created.id, change)).statusCode).toBe(200)
    expect(await storedCount(created.id)).toBe(1)
    // Changing the tags' order is a change.
    expect((await patch(created.id, { tags: ['روسيا', 'Iran'] })).statusCode).toBe(200)
    expect(await storedCount(created.id)).toBe(2)
    // The next revision carries the fields changed meanwhile too: it is the full state.
    expect((await revision(created.id, 2)).state).toMatchObject({
      commentsEnabled: false,
      publishedAt: '2017-11-01T09:30:00.000Z',
      bodyFormat: 'html',
      tags: ['روسيا', 'Iran'],
    })
  })

  it('records the name of the token behind each change', async () => {
    const alice = await tokenFor('alice')
    const created = await createArticle(t)
    expect((await patch(created.id, { title: 'بقلم أليس' }, alice)).statusCode).toBe(200)
    expect((await patch(created.id, { title: 'بقلم المدير' }, t.adminAuth)).statusCode).toBe(200)
    expect((await restore(created.id, 1, alice)).statusCode).toBe(200)
    const list = await revisionList(created.id)
    expect(list.data.map((r) => [r.number, r.tokenName])).toEqual([
      [4, 'alice'],
      [3, 'ADMIN_TOKEN'],
      [2, 'alice'],
      [1, 'test-editor'],
    ])
  })

  it('records a create made without a token (the seeder) with no token name', async () => {
    const created = await t.services.articles.create({ title: 'من البذور', body: 'نص.' })
    expect((await revision(created.id, 1)).tokenName).toBeNull()
  })

  it('stores no revision for a PATCH that fails (a taken slug: 409)', async () => {
    const first = await createArticle(t, { slug: 'first' })
    const second = await createArticle(t)
    expectProblem(await patch(second.id, { title: 'جديد', slug: 'first' }), 409)
    expect(await storedCount(second.id)).toBe(1)
    expect(await storedCount(first.id)).toBe(1)
  })

  it('writes the revision in the same transaction as the change: when it fails, the change is undone', async () => {
    const created = await createArticle(t, { title: 'قبل' })
    if (TEST_ENGINE === 'sqlite') {
      await t.query(
        "create trigger fail_revision before insert on article_revisions begin select raise(abort, 'refused'); end",
      )
    } else {
      await t.query(`create or replace function refuse_revision() returns trigger language plpgsql as $$
        begin raise exception 'refused'; end $$`)
      await t.query(
        'create trigger fail_revision before insert on article_revisions for each row execute function refuse_revision()',
      )
    }
    try {
      expectProblem(await patch(created.id, { title: 'بعد' }), 500)
      const before = await t.count('articles')
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/v1/articles',
          headers: t.editorAuth,
          payload: { title: 'لن يبقى', body: 'نص.' },
        }),
        500,
      )
      expect(await t.count('articles')).toBe(before)
    } finally {
      await t.query(`drop trigger fail_revision${TEST_ENGINE === 'pg' ? ' on article_revisions' : ''}`)
    }
    expect((await article(created.id)).json().title).toBe('قبل')
    expect(await storedCount(created.id)).toBe(1)
  })
})

describe('REVISIONS_KEEP', () => {
  it('prunes the oldest beyond it, per article, in the write that goes past it', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { REVISIONS_KEEP: '3' } })
    const created = await createArticle(t, { title: 'v1' })
    const other = await createArticle(t, { title: 'other' })
    for (const title of ['v2', 'v3']) await patch(created.id, { title })
    expect(await numbers(created.id)).toEqual([3, 2, 1])
    await patch(created.id, { title: 'v4' })
    expect(await numbers(created.id)).toEqual([4, 3, 2])
    await patch(created.id, { title: 'v5' })
    expect(await numbers(created.id)).toEqual([5, 4, 3])
    expect(await storedCount(created.id)).toBe(3)
    expect((await revisionList(created.id)).meta.total).toBe(3)
    expect((await revision(created.id, 3)).state.title).toBe('v3')
    expectProblem(
      await t.app.inject({ method: 'GET', url: `${revisionsUrl(created.id)}/2`, headers: t.editorAuth }),
      404,
    )
    // Another article's history is its own.
    expect(await numbers(other.id)).toEqual([1])
  })

  it('defaults to 50', () => {
    expect(t.config.REVISIONS_KEEP).toBe(50)
  })
})

describe('GET /v1/articles/{idOrSlug}/revisions', () => {
  it('lists newest first, paged with meta, X-Total-Count and Link', async () => {
    const created = await createArticle(t, { title: 'v1' })
    for (const title of ['v2', 'v3', 'v4', 'v5']) await patch(created.id, { title })
    const res = await t.app.inject({
      method: 'GET',
      url: `${revisionsUrl(created.id)}?perPage=2&page=2`,
      headers: t.editorAuth,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().data.map((r: { number: number }) => r.number)).toEqual([3, 2])
    expect(res.json().meta).toEqual({ page: 2, perPage: 2, total: 5, totalPages: 3 })
    expect(res.headers['x-total-count']).toBe('5')
    const links = parseLinks(res.headers.link)
    expect(links.next).toBe(`${revisionsUrl(created.id)}?perPage=2&page=3`)
    expect(links.prev).toBe(`${revisionsUrl(created.id)}?perPage=2&page=1`)
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect(res.headers.etag).toMatch(/^"/)
    expect(res.json().data[0]).not.toHaveProperty('state')

    const past = await revisionList(created.id, '?page=9')
    expect(past.data).toEqual([])
    expect(past.meta.total).toBe(5)
  })

  it('addresses the article by its Arabic slug, encoded or decoded', async () => {
    const created = await createArticle(t, { title: 'بوتين في إيران' })
    expect(await numbers('بوتين-في-إيران')).toEqual([1])
    const raw = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${created.slug}/revisions/1`,
      headers: t.editorAuth,
    })
    expect(raw.statusCode).toBe(200)
    expect(raw.json().state.slug).toBe('بوتين-في-إيران')
  })

  it('shows the history of drafts and scheduled articles, which the public cannot see', async () => {
    const draft = await createArticle(t, { status: 'draft' })
    expect(await numbers(draft.id)).toEqual([1])
  })

  it('answers 401 without a token or with an invalid one, for every revision route', async () => {
    const created = await createArticle(t)
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }]) {
      for (const [method, url] of [
        ['GET', revisionsUrl(created.id)],
        ['GET', `${revisionsUrl(created.id)}/1`],
        ['POST', `${revisionsUrl(created.id)}/1/restore`],
      ] as const) {
        const res = await t.app.inject({ method, url, headers })
        expectProblem(res, 401)
        expect(res.headers['www-authenticate']).toBe('Bearer')
      }
    }
    expect(await storedCount(created.id)).toBe(1)
  })

  it('answers 404 for an unknown article or revision, and for a revision of another article', async () => {
    const one = await createArticle(t)
    const two = await createArticle(t)
    await patch(two.id, { title: 'ثانية' })
    for (const url of [
      revisionsUrl(9999),
      revisionsUrl('no-such-article'),
      `${revisionsUrl(9999)}/1`,
      `${revisionsUrl(one.id)}/2`,
      `${revisionsUrl(one.id)}/0`,
    ]) {
      expectProblem(await t.app.inject({ method: 'GET', url, headers: t.editorAuth }), 404)
    }
    expect((await revision(two.id, 2)).articleId).toBe(two.id)
  })

  it('answers 400 to a revision number that is not plain ASCII digits, and to a bad page', async () => {
    const created = await createArticle(t)
    for (const n of ['1e0', '0x1', '%201', '1.0', '-1', 'abc', '١']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${revisionsUrl(created.id)}/${n}`,
        headers: t.editorAuth,
      })
      expect(errorPaths(expectProblem(res, 400))).toEqual(['n'])
      expectProblem(await restore(created.id, n), 400)
    }
    for (const query of ['?perPage=0', '?perPage=101', '?page=0']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${revisionsUrl(created.id)}${query}`,
        headers: t.editorAuth,
      })
      expectProblem(res, 400)
    }
    expect(await storedCount(created.id)).toBe(1)
  })
})

describe('POST /v1/articles/{idOrSlug}/revisions/{n}/restore', () => {
  it('applies the whole state of revision n and stores it as a new revision equal to n', async () => {
    t.clock.set('2017-11-01T09:30:00.000Z')
    const created = await createArticle(t, {
      title: 'الأصل',
      body: 'النص **الأول**.',
      excerpt: 'ملخص أول',
      author: 'كاتب أول',
      coverImageUrl: 'https://example.com/first.jpg',
      tags: ['إيران', 'روسيا'],
    })
    t.clock.set('2017-11-02T09:30:00.000Z')
    const changed = await patch(created.id, {
      title: 'المعدل',
      body: 'نص آخر.',
      excerpt: null,
      author: null,
      coverImageUrl: null,
      status: 'draft',
      tags: ['سوريا'],
      commentsEnabled: false,
    })
    expect(changed.statusCode).toBe(200)

    const res = await restore(created.id, 1)
    expect(res.statusCode, res.body).toBe(200)
    const restored = res.json()
    expect(restored).toMatchObject({
      id: created.id,
      title: 'الأصل',
      slug: created.slug,
      body: 'النص **الأول**.',
      html: created.html,
      excerpt: 'ملخص أول',
      author: 'كاتب أول',
      coverImageUrl: 'https://example.com/first.jpg',
      status: 'published',
      publishedAt: '2017-11-01T09:30:00.000Z',
      commentsEnabled: true,
      tags: [expect.objectContaining({ name: 'إيران' }), expect.objectContaining({ name: 'روسيا' })],
    })
    expect(restored.tags.map((tag: { id: number }) => tag.id)).toEqual(
      created.tags.map((tag: { id: number }) => tag.id),
    )
    // The answer is the article as GET shows it, and the public sees it again.
    expect((await article(created.id)).json()).toEqual(restored)
    expect((await t.app.inject({ method: 'GET', url: articleUrl(created.id) })).statusCode).toBe(200)

    expect(await numbers(created.id)).toEqual([3, 2, 1])
    expect((await revision(created.id, 3)).state).toEqual((await revision(created.id, 1)).state)
  })

  it('answers the article in full form and, from the next GET, a new ETag', async () => {
    const created = await createArticle(t, { title: 'الأصل' })
    await patch(created.id, { title: 'المعدل' })
    const before = (await article(created.id)).headers.etag
    const res = await restore(created.id, 1)
    expect(res.statusCode).toBe(200)
    expect(Object.keys(res.json())).toEqual(expect.arrayContaining(['body', 'bodyFormat', 'html']))
    expect((await article(created.id)).headers.etag).not.toBe(before)
  })

  it('lets a derived excerpt follow the body again', async () => {
    const created = await createArticle(t, { body: 'النص الأول للمقال.' })
    await patch(created.id, { excerpt: 'ملخص مكتوب' })
    const res = await restore(created.id, 1)
    expect(res.json().excerpt).toBe(created.excerpt)
    const next = await patch(created.id, { body: 'نص جديد كلياً.' })
    expect(next.json().excerpt).toBe('نص جديد كلياً.')
  })

  it('matches tags by slug as PATCH does, and makes again a tag deleted since', async () => {
    const created = await createArticle(t, { tags: ['إيران', 'روسيا'] })
    await patch(created.id, { tags: [] })
    const russia = created.tags[1] as { id: number; slug: string }
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/tags/${russia.id}`, headers: t.editorAuth })
    expect(del.statusCode).toBe(204)
    const res = await restore(created.id, 1)
    expect(res.statusCode).toBe(200)
    const tags = res.json().tags as { id: number; slug: string; name: string }[]
    expect(tags.map((tag) => tag.name)).toEqual(['إيران', 'روسيا'])
    expect(tags[0]?.id).toBe(created.tags[0].id)
    expect(tags[1]?.id).not.toBe(russia.id)
    expect(tags[1]?.slug).toBe(russia.slug)
  })

  it('finds a tag whose slug is not the one its name would give (a tag made with an explicit slug)', async () => {
    const tag = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'إيران', slug: 'iran' },
    })
    expect(tag.statusCode).toBe(201)
    const created = await createArticle(t, { tags: ['Iran'] })
    expect(created.tags).toEqual([{ id: tag.json().id, slug: 'iran', name: 'إيران' }])
    await patch(created.id, { tags: [] })
    const tagsBefore = await t.count('tags')
    const res = await restore(created.id, 1)
    expect(res.json().tags).toEqual([{ id: tag.json().id, slug: 'iran', name: 'إيران' }])
    expect(await t.count('tags')).toBe(tagsBefore)
  })

  it('answers 409 when the restored slug is taken by another article now, and changes nothing', async () => {
    const created = await createArticle(t, { title: 'الأصل', slug: 'first' })
    await patch(created.id, { title: 'المعدل', slug: 'second' })
    await createArticle(t, { slug: 'first' })
    const before = await article(created.id)
    const res = await restore(created.id, 1)
    expect(errorPaths(expectProblem(res, 409))).toEqual(['slug'])
    const after = await article(created.id)
    expect(after.json()).toEqual(before.json())
    expect(after.headers.etag).toBe(before.headers.etag)
    expect(await storedCount(created.id)).toBe(2)
  })

  it('honours If-Match: 412 and nothing changes when the article changed since, 200 with the current ETag', async () => {
    const created = await createArticle(t, { title: 'الأصل' })
    const stale = (await article(created.id)).headers.etag as string
    await patch(created.id, { title: 'المعدل' })
    const refused = await t.app.inject({
      method: 'POST',
      url: `${revisionsUrl(created.id)}/1/restore`,
      headers: { ...t.editorAuth, 'if-match': stale },
    })
    expectProblem(refused, 412)
    expect((await article(created.id)).json().title).toBe('المعدل')
    expect(await storedCount(created.id)).toBe(2)

    const current = (await article(created.id)).headers.etag as string
    const res = await t.app.inject({
      method: 'POST',
      url: `${revisionsUrl(created.id)}/1/restore`,
      headers: { ...t.editorAuth, 'if-match': current },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().title).toBe('الأصل')
    expect(await storedCount(created.id)).toBe(3)
  })

  it('stores nothing new when the article already stands as revision n', async () => {
    const created = await createArticle(t)
    await patch(created.id, { title: 'المعدل' })
    const res = await restore(created.id, 2)
    expect(res.statusCode).toBe(200)
    expect(res.json().title).toBe('المعدل')
    expect(await numbers(created.id)).toEqual([2, 1])
  })

  it('answers 404 for an unknown article or revision, and changes nothing', async () => {
    const created = await createArticle(t)
    expectProblem(await restore(9999, 1), 404)
    expectProblem(await restore('no-such-article', 1), 404)
    expectProblem(await restore(created.id, 2), 404)
    expect(await storedCount(created.id)).toBe(1)
  })
})

describe('deleting an article', () => {
  it('deletes its revisions with it, and no other article’s', async () => {
    const gone = await createArticle(t)
    const kept = await createArticle(t)
    await patch(gone.id, { title: 'ثانية' })
    expect(await storedCount(gone.id)).toBe(2)
    const res = await t.app.inject({ method: 'DELETE', url: articleUrl(gone.id), headers: t.editorAuth })
    expect(res.statusCode).toBe(204)
    expect(await storedCount(gone.id)).toBe(0)
    expect(await storedCount(kept.id)).toBe(1)
    expectProblem(
      await t.app.inject({ method: 'GET', url: revisionsUrl(gone.id), headers: t.editorAuth }),
      404,
    )
  })
})
