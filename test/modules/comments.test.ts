/** Comments through HTTP: the public list and post, spam defences, moderation, and commentCount upkeep. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedSampleContent } from '../../src/db/seed.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import {
  commentCountOf,
  commentInput,
  createApprovedComment,
  createComment,
  postComment,
  setCommentStatus,
  storedComments,
} from '../helpers/comments.js'
import { createArticle, minutesFromNow, SAMPLE_SLUG, SAMPLE_TITLE } from '../helpers/data.js'

const PROBLEM = 'application/problem+json; charset=utf-8'
const PUBLIC_KEYS = ['articleId', 'authorName', 'authorUrl', 'body', 'createdAt', 'id', 'parentId']

let t: TestApp

afterEach(async () => {
  await t.app.close()
})

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status)
  expect(res.headers['content-type']).toBe(PROBLEM)
  expect(res.json()).toMatchObject({ type: 'about:blank', status, detail: expect.any(String) })
}

describe('GET /v1/articles/:idOrSlug/comments', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('lists the approved comments only, oldest first, flat with parentId, in the public shape', async () => {
    const article = await createArticle(t)
    const first = await createApprovedComment(t, article.id)
    await createComment(t, article.id) // stays pending
    const spam = await createComment(t, article.id)
    await setCommentStatus(t, spam.id, 'spam')
    const reply = await createApprovedComment(t, article.id, { parentId: first.id })

    const res = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.data.map((c: { id: number }) => c.id)).toEqual([first.id, reply.id])
    expect(body.data[1]).toMatchObject({ parentId: first.id, articleId: article.id })
    for (const comment of body.data) expect(Object.keys(comment).sort()).toEqual(PUBLIC_KEYS)
    expect(body.meta).toEqual({ page: 1, perPage: 20, total: 2, totalPages: 1 })
    expect(res.headers['x-total-count']).toBe('2')
    expect(res.headers['cache-control']).toMatch(/^public, max-age=/)
    expect(res.headers.etag).toMatch(/^"/)
  })

  it('pages with meta, X-Total-Count and Link; a page past the end is empty', async () => {
    const article = await createArticle(t)
    const ids: number[] = []
    for (let i = 0; i < 3; i++) ids.push((await createApprovedComment(t, article.id)).id)

    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${article.id}/comments?perPage=2&page=2`,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().data.map((c: { id: number }) => c.id)).toEqual([ids[2]])
    expect(res.json().meta).toEqual({ page: 2, perPage: 2, total: 3, totalPages: 2 })
    expect(res.headers['x-total-count']).toBe('3')
    expect(res.headers.link).toContain('rel="prev"')
    expect(res.headers.link).not.toContain('rel="next"')

    const past = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments?page=9` })
    expect(past.json()).toMatchObject({ data: [], meta: { page: 9, total: 3 } })

    const bad = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments?perPage=101` })
    expectProblem(bad, 400)
    expect(bad.json().errors).toEqual([{ path: 'perPage', message: expect.any(String) }])
  })

  it('an article without comments answers an empty list with totalPages 0', async () => {
    const article = await createArticle(t)
    const res = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(res.json()).toEqual({ data: [], meta: { page: 1, perPage: 20, total: 0, totalPages: 0 } })
  })

  it('finds the article by its Arabic slug, sent percent-encoded', async () => {
    const article = await createArticle(t, { title: SAMPLE_TITLE })
    expect(article.slug).toBe(SAMPLE_SLUG)
    await createApprovedComment(t, article.id)
    for (const url of [`/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}/comments`]) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      expect(res.json().meta.total).toBe(1)
    }
  })

  it('answers 304 to a matching If-None-Match', async () => {
    const article = await createArticle(t)
    const url = `/v1/articles/${article.id}/comments`
    const first = await t.app.inject({ method: 'GET', url })
    const again = await t.app.inject({
      method: 'GET',
      url,
      headers: { 'if-none-match': first.headers.etag as string },
    })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
  })

  it('is 404 for a draft, a scheduled or an unknown article without a token; a token sees a draft', async () => {
    const draft = await createArticle(t, { status: 'draft' })
    const scheduled = await createArticle(t, { publishedAt: minutesFromNow(60) })
    for (const id of [draft.id, scheduled.id, 999]) {
      expectProblem(await t.app.inject({ method: 'GET', url: `/v1/articles/${id}/comments` }), 404)
    }
    const withToken = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${draft.id}/comments`,
      headers: t.editorAuth,
    })
    expect(withToken.statusCode).toBe(200)
    expect(withToken.headers['cache-control']).toBe('private, no-store')
  })

  it('is 401 with an invalid token', async () => {
    const article = await createArticle(t)
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${article.id}/comments`,
      headers: { authorization: 'Bearer nope' },
    })
    expectProblem(res, 401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })
})

describe('POST /v1/articles/:idOrSlug/comments', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('files a pending comment without a token: 201, Location, no e-mail in the answer; stores e-mail and IP', async () => {
    const article = await createArticle(t)
    const body = 'سطر أول\n\n  سطر ثانٍ بمسافات  '
    const res = await postComment(
      t,
      article.id,
      {
        authorName: '  أبو خالد ',
        authorEmail: 'abu.khaled@example.com',
        authorUrl: 'https://example.com/abu',
        body,
      },
      { remoteAddress: '198.51.100.23' },
    )
    expect(res.statusCode, res.body).toBe(201)
    const comment = res.json()
    expect(comment).toEqual({
      id: expect.any(Number),
      articleId: article.id,
      parentId: null,
      authorName: 'أبو خالد',
      authorUrl: 'https://example.com/abu',
      body,
      status: 'pending',
      createdAt: expect.any(String),
    })
    expect(res.headers.location).toBe(`/v1/comments/${comment.id}`)
    expect(res.body).not.toContain('abu.khaled@example.com')
    expect(res.body).not.toContain('198.51.100.23')

    const [row] = await storedComments(t)
    expect(row).toMatchObject({
      author_email: 'abu.khaled@example.com',
      client_ip: '198.51.100.23',
      status: 'pending',
      body,
    })
    // Pending comments are not public and not counted.
    const list = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(list.json().data).toEqual([])
    expect(await commentCountOf(t, article.id)).toBe(0)
  })

  it('accepts the upper length limits: a 100-character name, a 5,000-character body, a 254-character e-mail', async () => {
    const article = await createArticle(t)
    const email = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`
    expect(email).toHaveLength(254)
    const res = await postComment(t, article.id, {
      authorName: 'ن'.repeat(100),
      authorEmail: email,
      body: 'ب'.repeat(5000),
    })
    expect(res.statusCode, res.body).toBe(201)
  })

  it('posts by Arabic slug, and a token holder may comment on a draft', async () => {
    const article = await createArticle(t, { title: SAMPLE_TITLE })
    expect((await postComment(t, SAMPLE_SLUG, commentInput())).statusCode).toBe(201)
    const draft = await createArticle(t, { status: 'draft' })
    const res = await postComment(t, draft.id, commentInput(), { headers: t.editorAuth })
    expect(res.statusCode).toBe(201)
    expect((await storedComments(t)).map((row) => row.article_id)).toEqual([article.id, draft.id])
  })

  it('approves at once when COMMENTS_AUTO_APPROVE is set', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { COMMENTS_AUTO_APPROVE: 'true' } })
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    expect(comment.status).toBe('approved')
    const list = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(list.json().data.map((c: { id: number }) => c.id)).toEqual([comment.id])
    expect(await commentCountOf(t, article.id)).toBe(1)
  })

  it('accepts a reply to an approved comment of the same article', async () => {
    const article = await createArticle(t)
    const parent = await createApprovedComment(t, article.id)
    const reply = await createComment(t, article.id, { parentId: parent.id })
    expect(reply.parentId).toBe(parent.id)
  })

  it.each([
    ['an unknown comment', async () => 9999],
    ['a pending comment', async (articleId: number) => (await createComment(t, articleId)).id],
    [
      'a spam comment',
      async (articleId: number) => {
        const c = await createComment(t, articleId)
        await setCommentStatus(t, c.id, 'spam')
        return c.id
      },
    ],
    [
      'an approved comment of another article',
      async () => (await createApprovedComment(t, (await createArticle(t)).id)).id,
    ],
  ])('is 400 naming parentId for %s, storing nothing', async (_label, makeParent) => {
    const article = await createArticle(t)
    const parentId = await makeParent(article.id)
    const before = (await storedComments(t)).length
    const res = await postComment(t, article.id, commentInput({ parentId }))
    expectProblem(res, 400)
    expect(res.json().errors).toEqual([{ path: 'parentId', message: expect.any(String) }])
    expect(await storedComments(t)).toHaveLength(before)
  })

  const invalid: [string, Record<string, unknown>, string][] = [
    ['a missing e-mail', { authorEmail: undefined }, 'authorEmail'],
    ['a malformed e-mail', { authorEmail: 'not-an-address@@example' }, 'authorEmail'],
    ['a 255-character e-mail', { authorEmail: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }, 'authorEmail'],
    ['a missing name', { authorName: undefined }, 'authorName'],
    ['an empty name', { authorName: '   ' }, 'authorName'],
    ['a 101-character name', { authorName: 'ن'.repeat(101) }, 'authorName'],
    ['a missing body', { body: undefined }, 'body'],
    ['an empty body', { body: '' }, 'body'],
    ['a blank body', { body: ' \n ' }, 'body'],
    ['a 5,001-character body', { body: 'ب'.repeat(5001) }, 'body'],
    ['a javascript: URL', { authorUrl: 'javascript:alert(1)' }, 'authorUrl'],
    ['an ftp URL', { authorUrl: 'ftp://example.com/x' }, 'authorUrl'],
    ['a relative URL', { authorUrl: '/me' }, 'authorUrl'],
    ['a 2,001-character URL', { authorUrl: `https://example.com/${'x'.repeat(1981)}` }, 'authorUrl'],
    ['a parentId that is not a number', { parentId: 'one' }, 'parentId'],
    ['a negative parentId', { parentId: -1 }, 'parentId'],
    ['an unknown field', { website: 'x' }, ''],
  ]

  it.each(invalid)(
    'is 400 for %s, naming the field and never echoing the value',
    async (_label, change, path) => {
      const article = await createArticle(t)
      const payload = commentInput(change)
      const res = await postComment(t, article.id, payload)
      expectProblem(res, 400)
      expect(res.json().errors).toContainEqual({ path, message: expect.any(String) })
      for (const value of Object.values(change)) {
        if (typeof value === 'string' && value.trim().length > 0) expect(res.body).not.toContain(value)
      }
      expect(res.body).not.toContain(payload.authorEmail as string)
      expect(await storedComments(t)).toHaveLength(0)
    },
  )

  it('is 400 for malformed JSON and 415 for a body that is not JSON', async () => {
    const article = await createArticle(t)
    const url = `/v1/articles/${article.id}/comments`
    const broken = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{"authorEmail":"leak@example.com",',
    })
    expectProblem(broken, 400)
    expect(broken.body).not.toContain('leak@example.com')
    const form = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'authorEmail=leak%40example.com',
    })
    expectProblem(form, 415)
    expect(await storedComments(t)).toHaveLength(0)
  })

  it('is 404 for a draft, scheduled or unknown article without a token, storing nothing', async () => {
    const draft = await createArticle(t, { status: 'draft' })
    const scheduled = await createArticle(t, { publishedAt: minutesFromNow(60) })
    for (const ref of [draft.id, scheduled.id, 999, 'لا-يوجد']) {
      expectProblem(await postComment(t, ref, commentInput()), 404)
    }
    expect(await storedComments(t)).toHaveLength(0)
  })

  it('is 403 when the article’s comments are closed, even to a token holder, storing nothing', async () => {
    const article = await createArticle(t, { commentsEnabled: false })
    const res = await postComment(t, article.id, commentInput())
    expectProblem(res, 403)
    expect(res.json().detail).toMatch(/closed/)
    expectProblem(await postComment(t, article.id, commentInput(), { headers: t.editorAuth }), 403)
    expect(await storedComments(t)).toHaveLength(0)
  })

  it('is 401 with an invalid token, storing nothing', async () => {
    const article = await createArticle(t)
    const res = await postComment(t, article.id, commentInput(), {
      headers: { authorization: 'Bearer nope' },
    })
    expectProblem(res, 401)
    expect(await storedComments(t)).toHaveLength(0)
  })

  it('files a honeypot comment as spam while answering exactly as for an honest one', async () => {
    const article = await createArticle(t)
    const honest = await postComment(t, article.id, commentInput())
    const bot = await postComment(t, article.id, commentInput({ honeypot: 'http://cheap-pills.example' }))
    expect(bot.statusCode).toBe(201)
    expect(Object.keys(bot.json()).sort()).toEqual(Object.keys(honest.json()).sort())
    expect(bot.json().status).toBe('pending')
    expect(bot.headers.location).toBe(`/v1/comments/${bot.json().id}`)
    expect(Object.keys(bot.headers).sort()).toEqual(Object.keys(honest.headers).sort())
    expect(bot.body).not.toContain('cheap-pills')

    expect((await storedComments(t)).map((row) => row.status)).toEqual(['pending', 'spam'])
    const queue = await t.app.inject({
      method: 'GET',
      url: '/v1/comments?status=spam',
      headers: t.editorAuth,
    })
    expect(queue.json().data.map((c: { id: number }) => c.id)).toEqual([bot.json().id])
  })

  it('reports a honeypot comment as approved under COMMENTS_AUTO_APPROVE, yet never shows or counts it', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { COMMENTS_AUTO_APPROVE: 'true' } })
    const article = await createArticle(t)
    const bot = await postComment(t, article.id, commentInput({ honeypot: 'x' }))
    expect(bot.statusCode).toBe(201)
    expect(bot.json().status).toBe('approved')
    const list = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(list.json().data).toEqual([])
    expect(await commentCountOf(t, article.id)).toBe(0)
  })

  it('treats an empty honeypot as a person', async () => {
    const article = await createArticle(t)
    expect((await postComment(t, article.id, commentInput({ honeypot: '' }))).statusCode).toBe(201)
    expect((await storedComments(t))[0]?.status).toBe('pending')
  })

  it('is 409 for the same address posting the same text to the same article, whatever the case of the address', async () => {
    const article = await createArticle(t)
    const other = await createArticle(t)
    const input = commentInput({ authorEmail: 'Same.Reader@example.com', body: 'نفس النص' })
    expect((await postComment(t, article.id, input)).statusCode).toBe(201)
    const again = await postComment(t, article.id, { ...input, authorEmail: 'same.reader@EXAMPLE.com' })
    expectProblem(again, 409)
    expect(again.body).not.toMatch(/same\.reader/i)
    expect(await storedComments(t)).toHaveLength(1)
    // Another article, another text or another address is not a duplicate.
    expect((await postComment(t, other.id, input)).statusCode).toBe(201)
    expect((await postComment(t, article.id, { ...input, body: 'نص آخر' })).statusCode).toBe(201)
    expect(
      (await postComment(t, article.id, { ...input, authorEmail: 'someone@example.com' })).statusCode,
    ).toBe(201)
  })

  it('allows the text again once the first comment is in the trash', async () => {
    const article = await createArticle(t)
    const input = commentInput()
    const first = (await postComment(t, article.id, input)).json()
    await setCommentStatus(t, first.id, 'trash')
    expect((await postComment(t, article.id, input)).statusCode).toBe(201)
  })
})

describe('POST comments: the per-client-IP rate limit', () => {
  beforeEach(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '3' } })
  })

  it('answers 429 as problem+json with Retry-After past the limit, per client address, storing nothing', async () => {
    const article = await createArticle(t)
    const from = { remoteAddress: '192.0.2.10' }
    for (let i = 0; i < 3; i++)
      expect((await postComment(t, article.id, commentInput(), from)).statusCode).toBe(201)
    const limited = await postComment(t, article.id, commentInput(), from)
    expectProblem(limited, 429)
    expect(limited.json().title).toBe('Too Many Requests')
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.headers['access-control-expose-headers']).toContain('Retry-After')
    expect(await storedComments(t)).toHaveLength(3)

    // Another address is not affected, nor is reading.
    expect(
      (await postComment(t, article.id, commentInput(), { remoteAddress: '192.0.2.11' })).statusCode,
    ).toBe(201)
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${article.id}/comments`,
      remoteAddress: '192.0.2.10',
    })
    expect(read.statusCode).toBe(200)
  })

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const article = await createArticle(t)
    for (let i = 0; i < 4; i++) {
      await postComment(t, article.id, commentInput(), {
        remoteAddress: '192.0.2.20',
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      })
    }
    expect((await storedComments(t)).map((row) => row.client_ip)).toEqual([
      '192.0.2.20',
      '192.0.2.20',
      '192.0.2.20',
    ])
  })

  it('believes X-Forwarded-For behind a proxy (TRUST_PROXY): the limit and the stored address follow it', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '1', TRUST_PROXY: '10.0.0.1' } })
    const article = await createArticle(t)
    const via = (client: string) => ({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client } })
    expect((await postComment(t, article.id, commentInput(), via('198.51.100.1'))).statusCode).toBe(201)
    expect((await postComment(t, article.id, commentInput(), via('198.51.100.2'))).statusCode).toBe(201)
    expectProblem(await postComment(t, article.id, commentInput(), via('198.51.100.1')), 429)
    expect((await storedComments(t)).map((row) => row.client_ip)).toEqual(['198.51.100.1', '198.51.100.2'])
  })
})

describe('moderation: GET /v1/comments and /v1/comments/:id', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('needs a token', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    for (const url of ['/v1/comments', `/v1/comments/${comment.id}`]) {
      const res = await t.app.inject({ method: 'GET', url })
      expectProblem(res, 401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
    }
  })

  it('lists every status newest first with status and updatedAt, filtered by status and articleId', async () => {
    const a = await createArticle(t)
    const b = await createArticle(t)
    const c1 = await createComment(t, a.id)
    const c2 = await createApprovedComment(t, a.id)
    const c3 = await createComment(t, b.id)
    await setCommentStatus(t, c3.id, 'spam')

    const all = await t.app.inject({ method: 'GET', url: '/v1/comments', headers: t.adminAuth })
    expect(all.statusCode).toBe(200)
    expect(all.json().data.map((c: { id: number }) => c.id)).toEqual([c3.id, c2.id, c1.id])
    expect(all.json().data[0]).toMatchObject({ status: 'spam', updatedAt: expect.any(String) })
    expect(all.headers['x-total-count']).toBe('3')
    expect(all.headers['cache-control']).toBe('private, no-store')
    expect(all.body).not.toMatch(/authorEmail|@example\.com/)

    const pending = await t.app.inject({
      method: 'GET',
      url: '/v1/comments?status=pending',
      headers: t.editorAuth,
    })
    expect(pending.json().data.map((c: { id: number }) => c.id)).toEqual([c1.id])
    const ofA = await t.app.inject({
      method: 'GET',
      url: `/v1/comments?articleId=${a.id}`,
      headers: t.editorAuth,
    })
    expect(ofA.json().data.map((c: { id: number }) => c.id)).toEqual([c2.id, c1.id])
    const both = await t.app.inject({
      method: 'GET',
      url: `/v1/comments?articleId=${a.id}&status=approved&perPage=1`,
      headers: t.editorAuth,
    })
    expect(both.json()).toMatchObject({ data: [{ id: c2.id }], meta: { total: 1, totalPages: 1 } })
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/comments?articleId=999',
      headers: t.editorAuth,
    })
    expect(unknown.json().data).toEqual([])
  })

  it('pages the queue with Link headers', async () => {
    const article = await createArticle(t)
    for (let i = 0; i < 3; i++) await createComment(t, article.id)
    const res = await t.app.inject({ method: 'GET', url: '/v1/comments?perPage=2', headers: t.editorAuth })
    expect(res.json().meta).toEqual({ page: 1, perPage: 2, total: 3, totalPages: 2 })
    expect(res.headers.link).toContain('rel="next"')
  })

  it('is 400 for an unknown status or a bad articleId', async () => {
    for (const query of ['status=deleted', 'articleId=abc', 'page=0']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/comments?${query}`, headers: t.editorAuth })
      expectProblem(res, 400)
      expect(res.body).not.toContain('deleted')
    }
  })

  it('gets one comment whatever its status; 404 for an unknown id, 400 for a non-numeric one', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/comments/${comment.id}`,
      headers: t.editorAuth,
    })
    expect(res.statusCode).toBe(200)
    expect(Object.keys(res.json()).sort()).toEqual([...PUBLIC_KEYS, 'status', 'updatedAt'].sort())
    expect(res.json()).toMatchObject({ id: comment.id, status: 'pending' })
    expect(res.headers.etag).toMatch(/^"/)
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/comments/999', headers: t.editorAuth }), 404)
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/comments/abc', headers: t.editorAuth }), 400)
  })
})

describe('moderation: PATCH /v1/comments/:id', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('approves, edits and answers the moderated shape; commentCount follows every status change', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    expect(await commentCountOf(t, article.id)).toBe(0)

    const approved = await setCommentStatus(t, comment.id, 'approved')
    expect(approved).toMatchObject({ id: comment.id, status: 'approved' })
    expect(await commentCountOf(t, article.id)).toBe(1)

    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/v1/comments/${comment.id}`,
      headers: t.editorAuth,
      payload: { body: 'نص بعد التحرير' },
    })
    expect(edited.statusCode).toBe(200)
    expect(edited.json()).toMatchObject({ body: 'نص بعد التحرير', status: 'approved' })
    expect(edited.json().updatedAt >= approved.updatedAt).toBe(true)
    expect(await commentCountOf(t, article.id)).toBe(1)

    for (const [status, expected] of [
      ['spam', 0],
      ['approved', 1],
      ['trash', 0],
      ['approved', 1],
      ['pending', 0],
    ] as const) {
      await setCommentStatus(t, comment.id, status)
      expect(await commentCountOf(t, article.id), status).toBe(expected)
    }
    // The summary in lists agrees.
    await setCommentStatus(t, comment.id, 'approved')
    const list = await t.app.inject({ method: 'GET', url: '/v1/articles' })
    expect(list.json().data.find((a: { id: number }) => a.id === article.id).commentCount).toBe(1)
  })

  it('honours If-Match: a stale ETag is 412 and changes nothing; the current one succeeds', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    const url = `/v1/comments/${comment.id}`
    const etag = (await t.app.inject({ method: 'GET', url, headers: t.editorAuth })).headers.etag as string
    await setCommentStatus(t, comment.id, 'spam')

    const stale = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...t.editorAuth, 'if-match': etag },
      payload: { status: 'approved' },
    })
    expectProblem(stale, 412)
    expect((await storedComments(t))[0]?.status).toBe('spam')

    const current = (await t.app.inject({ method: 'GET', url, headers: t.editorAuth })).headers.etag as string
    const ok = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...t.editorAuth, 'if-match': current },
      payload: { status: 'approved' },
    })
    expect(ok.statusCode).toBe(200)
  })

  it('is 400 for a bad status, an empty or too long body, or another field; 404 unknown; 401 without a token', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    const url = `/v1/comments/${comment.id}`
    for (const [payload, path] of [
      [{ status: 'deleted' }, 'status'],
      [{ body: '' }, 'body'],
      [{ body: 'x'.repeat(5001) }, 'body'],
      [{ authorEmail: 'new@example.com' }, ''],
    ] as const) {
      const res = await t.app.inject({ method: 'PATCH', url, headers: t.editorAuth, payload })
      expectProblem(res, 400)
      expect(res.json().errors).toContainEqual({ path, message: expect.any(String) })
      expect(res.body).not.toContain('new@example.com')
    }
    expect((await storedComments(t))[0]).toMatchObject({ status: 'pending', body: comment.body })
    expectProblem(
      await t.app.inject({ method: 'PATCH', url: '/v1/comments/999', headers: t.editorAuth, payload: {} }),
      404,
    )
    expectProblem(await t.app.inject({ method: 'PATCH', url, payload: { status: 'approved' } }), 401)
    expect((await storedComments(t))[0]?.status).toBe('pending')
  })

  it('an empty patch changes nothing', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    const before = await t.app.inject({
      method: 'GET',
      url: `/v1/comments/${comment.id}`,
      headers: t.editorAuth,
    })
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/comments/${comment.id}`,
      headers: t.editorAuth,
      payload: {},
    })
    expect(res.json()).toEqual(before.json())
  })
})

describe('moderation: DELETE /v1/comments/:id', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('deletes; the replies stay and move up to the deleted comment’s parent; commentCount follows', async () => {
    const article = await createArticle(t)
    const root = await createApprovedComment(t, article.id)
    const middle = await createApprovedComment(t, article.id, { parentId: root.id })
    const leaf1 = await createApprovedComment(t, article.id, { parentId: middle.id })
    const leaf2 = await createComment(t, article.id, { parentId: middle.id })
    expect(await commentCountOf(t, article.id)).toBe(3)

    const res = await t.app.inject({
      method: 'DELETE',
      url: `/v1/comments/${middle.id}`,
      headers: t.editorAuth,
    })
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expect(await commentCountOf(t, article.id)).toBe(2)
    const parents = Object.fromEntries((await storedComments(t)).map((row) => [row.id, row.parent_id]))
    expect(parents).toEqual({ [root.id]: null, [leaf1.id]: root.id, [leaf2.id]: root.id })

    // Deleting a top-level comment makes its replies top-level.
    await t.app.inject({ method: 'DELETE', url: `/v1/comments/${root.id}`, headers: t.editorAuth })
    const list = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(list.json().data).toEqual([expect.objectContaining({ id: leaf1.id, parentId: null })])
    expect(await commentCountOf(t, article.id)).toBe(1)

    // Deleting a pending comment leaves the count alone.
    await t.app.inject({ method: 'DELETE', url: `/v1/comments/${leaf2.id}`, headers: t.editorAuth })
    expect(await commentCountOf(t, article.id)).toBe(1)
  })

  it('is 404 for an unknown comment and 401 without a token, deleting nothing', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    expectProblem(
      await t.app.inject({ method: 'DELETE', url: '/v1/comments/999', headers: t.editorAuth }),
      404,
    )
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/comments/${comment.id}` }), 401)
    expect(await storedComments(t)).toHaveLength(1)
    await t.app.inject({ method: 'DELETE', url: `/v1/comments/${comment.id}`, headers: t.editorAuth })
    expectProblem(
      await t.app.inject({ method: 'DELETE', url: `/v1/comments/${comment.id}`, headers: t.editorAuth }),
      404,
    )
  })

  it('goes with its article: deleting an article removes its comments', async () => {
    const article = await createArticle(t)
    const other = await createArticle(t)
    const parent = await createApprovedComment(t, article.id)
    await createApprovedComment(t, article.id, { parentId: parent.id })
    const kept = await createComment(t, other.id)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/v1/articles/${article.id}`,
      headers: t.editorAuth,
    })
    expect(res.statusCode).toBe(204)
    expect((await storedComments(t)).map((row) => row.id)).toEqual([kept.id])
  })
})

describe('the sample comments in seeds/', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('puts approved and pending Arabic comments, one a reply, on the sample article', async () => {
    const result = await seedSampleContent(t.services)
    expect(result.comments).toBeGreaterThanOrEqual(3)
    const url = `/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}/comments`
    const list = (await t.app.inject({ method: 'GET', url })).json()
    expect(list.data.length).toBeGreaterThanOrEqual(2)
    expect(list.data.every((c: { body: string }) => /[\u0600-\u06FF]/.test(c.body))).toBe(true)
    const ids = new Set(list.data.map((c: { id: number }) => c.id))
    expect(
      list.data.some((c: { parentId: number | null }) => c.parentId !== null && ids.has(c.parentId)),
    ).toBe(true)
    const pending = await t.app.inject({
      method: 'GET',
      url: '/v1/comments?status=pending',
      headers: t.editorAuth,
    })
    expect(pending.json().meta.total).toBeGreaterThanOrEqual(1)
    const article = (
      await t.app.inject({ method: 'GET', url: `/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}` })
    ).json()
    expect(article.commentCount).toBe(list.meta.total)
  })
})
