/**
 * The holes a security review found (issue 11), each proved closed through HTTP: duplicate comments from another IP,
 * out-of-range times, Unicode abuse and credentials in comments, error lists that echo keys, loose ids and pages,
 * Link headers from the raw URL, and an explicit excerpt kept as given.
 */
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import {
  commentInput,
  createApprovedComment,
  createComment,
  postComment,
  storedComments,
} from '../helpers/comments.js'
import { createArticle } from '../helpers/data.js'
import { errorPaths, expectProblem, parseLinks } from '../helpers/http.js'
import { queriesDuring as recordQueries } from '../helpers/queries.js'

let t: TestApp

afterEach(async () => {
  await t.app.close()
})

describe('a repeated comment (item 1): a 409 only from the same client IP', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  const FIRST_IP = '198.51.100.7'
  const STRANGER_IP = '203.0.113.99'

  it('is a 409 that stores nothing when the same IP posts the same text with the same address again', async () => {
    const article = await createArticle(t)
    const input = commentInput({ authorEmail: 'writer@example.com', body: 'نص واحد' })
    expect((await postComment(t, article.id, input, { remoteAddress: FIRST_IP })).statusCode).toBe(201)
    const again = await postComment(
      t,
      article.id,
      { ...input, authorEmail: 'WRITER@example.com' },
      { remoteAddress: FIRST_IP },
    )
    expectProblem(again, 409)
    expect(again.body).not.toMatch(/writer@/i)
    expect(await storedComments(t)).toHaveLength(1)
  })

  it('from another IP answers exactly as a new comment, and files the repeat as spam', async () => {
    const article = await createArticle(t)
    const original = commentInput({ authorEmail: 'writer@example.com', body: 'تعليق منشور' })
    const first = (await postComment(t, article.id, original, { remoteAddress: FIRST_IP })).json()
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/comments/${first.id}`,
      headers: t.editorAuth,
      payload: { status: 'approved' },
    })

    // A stranger guesses the address of an approved comment and posts its text: nothing tells the guess is right.
    const guess = await postComment(t, article.id, original, { remoteAddress: STRANGER_IP })
    const honest = await postComment(t, article.id, commentInput(), { remoteAddress: STRANGER_IP })
    expect(guess.statusCode).toBe(201)
    expect(guess.statusCode).toBe(honest.statusCode)
    expect(Object.keys(guess.headers).sort()).toEqual(Object.keys(honest.headers).sort())
    expect(Object.keys(guess.json()).sort()).toEqual(Object.keys(honest.json()).sort())
    expect(guess.json().status).toBe(honest.json().status)
    expect(guess.json().status).toBe('pending')
    expect(guess.headers.location).toBe(`/v1/comments/${guess.json().id}`)
    expect(guess.body).not.toContain('writer@example.com')

    const stored = await storedComments(t)
    expect(stored.map((row) => [row.id, row.status, row.client_ip])).toEqual([
      [first.id, 'approved', FIRST_IP],
      [guess.json().id, 'spam', STRANGER_IP],
      [honest.json().id, 'pending', STRANGER_IP],
    ])
    // Only the approved original is public, once.
    const list = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(list.json().data.map((c: { id: number }) => c.id)).toEqual([first.id])
  })

  it('reports the approved status under COMMENTS_AUTO_APPROVE, while the repeat stays spam and unseen', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { COMMENTS_AUTO_APPROVE: 'true' } })
    const article = await createArticle(t)
    const input = commentInput()
    expect((await postComment(t, article.id, input, { remoteAddress: FIRST_IP })).json().status).toBe(
      'approved',
    )
    const repeat = await postComment(t, article.id, input, { remoteAddress: STRANGER_IP })
    expect(repeat.statusCode).toBe(201)
    expect(repeat.json().status).toBe('approved')
    expect((await storedComments(t)).map((row) => row.status)).toEqual(['approved', 'spam'])
    const list = await t.app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments` })
    expect(list.json().meta.total).toBe(1)
  })

  it('still answers the first IP with 409 after a stranger’s repeat, and the stranger too the second time', async () => {
    const article = await createArticle(t)
    const input = commentInput()
    await postComment(t, article.id, input, { remoteAddress: FIRST_IP })
    expect((await postComment(t, article.id, input, { remoteAddress: STRANGER_IP })).statusCode).toBe(201)
    expectProblem(await postComment(t, article.id, input, { remoteAddress: FIRST_IP }), 409)
    // The stranger's own repeat is his own to learn about.
    expectProblem(await postComment(t, article.id, input, { remoteAddress: STRANGER_IP }), 409)
    expect(await storedComments(t)).toHaveLength(2)
  })
})

describe('times outside 1970…9999 UTC (item 3)', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  const OUT_OF_RANGE = [
    ['a far-future time whose offset pushes it into year 10000', '9999-12-31T23:59:59-23:59'],
    ['a second before 1970', '1969-12-31T23:59:59Z'],
    ['1970 at midnight in a zone east of UTC', '1970-01-01T00:00:00+00:01'],
    ['year 0', '0000-01-01T00:00:00Z'],
  ]

  it.each(OUT_OF_RANGE)(
    'refuses %s on create with a 400 that stores nothing',
    async (_label, publishedAt) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/articles',
        headers: t.editorAuth,
        payload: { title: 'خارج المدى', body: 'نص', status: 'published', publishedAt },
      })
      const problem = expectProblem(res, 400)
      expect(problem.errors).toEqual([{ path: 'publishedAt', message: expect.stringMatching(/1970.*9999/) }])
      expect(res.body).not.toContain(publishedAt)
      expect(await t.count('articles')).toBe(0)
      // The public list survives the attempt.
      const list = await t.app.inject({ method: 'GET', url: '/v1/articles' })
      expect(list.statusCode).toBe(200)
      expect(list.json().meta.total).toBe(0)
    },
  )

  it.each(OUT_OF_RANGE)('refuses %s on PATCH, changing nothing', async (_label, publishedAt) => {
    const article = await createArticle(t)
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      headers: t.editorAuth,
      payload: { publishedAt },
    })
    expect(errorPaths(expectProblem(res, 400))).toEqual(['publishedAt'])
    const stored = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${article.id}`,
      headers: t.editorAuth,
    })
    expect(stored.json()).toMatchObject({ publishedAt: article.publishedAt, updatedAt: article.updatedAt })
    const list = await t.app.inject({ method: 'GET', url: '/v1/articles' })
    expect(list.statusCode).toBe(200)
    expect(list.json().data.map((a: { id: number }) => a.id)).toEqual([article.id])
  })

  it.each([
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
    ['1970-01-01T01:00:00+01:00', '1970-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['9999-12-31T20:00:00-03:59', '9999-12-31T23:59:00.000Z'],
  ])(
    'accepts %s at the edge, stored as %s; the list still answers and keeps the embargo',
    async (given, stored) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/articles',
        headers: t.editorAuth,
        payload: { title: 'على الحد', body: 'نص', status: 'published', publishedAt: given },
      })
      expect(res.statusCode, res.body).toBe(201)
      expect(res.json().publishedAt).toBe(stored)
      const list = await t.app.inject({ method: 'GET', url: '/v1/articles' })
      expect(list.statusCode).toBe(200)
      // A year-9999 article is scheduled, so the public does not see it yet; the 1970 one is live.
      expect(list.json().meta.total).toBe(stored.startsWith('1970') ? 1 : 0)
    },
  )
})

describe('comment text and URLs (item 9)', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  const REFUSED: [string, string][] = [
    ['NUL', 'قبل\u0000بعد'],
    ['BEL', 'رنين\u0007'],
    ['ESC', '\u001b[31mأحمر'],
    ['DEL', 'حذف\u007f'],
    ['a C1 control', 'سطر\u0085'],
    ['RIGHT-TO-LEFT OVERRIDE', 'moc.elgoog\u202e'],
    ['LEFT-TO-RIGHT EMBEDDING', '\u202aنص'],
    ['an isolate', 'نص\u2066x\u2069'],
    ['a lone high surrogate', 'نص\ud800'],
    ['a lone low surrogate', '\udc00نص'],
  ]

  for (const field of ['authorName', 'body'] as const) {
    it.each(REFUSED)(`refuses ${field} with %s: 400 naming it, nothing stored`, async (_label, value) => {
      const article = await createArticle(t)
      const res = await postComment(t, article.id, commentInput({ [field]: value }))
      const problem = expectProblem(res, 400)
      expect(errorPaths(problem)).toContain(field)
      expect(await storedComments(t)).toHaveLength(0)
    })

    it.each([
      ['zero-width spaces', '\u200b\u200b'],
      ['joiners and a BOM', '\u200c\u200d\ufeff'],
      ['a Hangul filler', '\u3164'],
      ['no-break and Braille-blank spaces', ' \u00a0\u2800 '],
      ['a soft hyphen', '\u00ad'],
    ])(`counts ${field} of only %s as blank: 400`, async (_label, value) => {
      const article = await createArticle(t)
      const res = await postComment(t, article.id, commentInput({ [field]: value }))
      expect(expectProblem(res, 400).errors).toContainEqual({ path: field, message: 'Must not be blank' })
      expect(await storedComments(t)).toHaveLength(0)
    })
  }

  it('accepts tab and line breaks, bidi marks and emoji sequences, kept as written', async () => {
    const article = await createArticle(t)
    const input = commentInput({
      authorName: 'Ahmed \u200fأحمد',
      body: 'سطر أول\r\n\tسطر ثانٍ 👨‍👩‍👧 ١٢٣',
    })
    const res = await postComment(t, article.id, input)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ authorName: input.authorName, body: input.body })
  })

  it('refuses a moderator’s edit of the body with an override or of only zero-width characters', async () => {
    const article = await createArticle(t)
    const comment = await createComment(t, article.id)
    for (const body of ['\u202eنص', '\u200b']) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/v1/comments/${comment.id}`,
        headers: t.editorAuth,
        payload: { body },
      })
      expect(errorPaths(expectProblem(res, 400))).toContain('body')
    }
    expect((await storedComments(t))[0]?.body).toBe(comment.body)
  })

  it.each([
    'https://bank.example@evil.example/',
    'https://user:secret@example.com/',
    'https://:secret@example.com/',
    'http://user@example.com',
  ])('refuses the authorUrl %s (a user name or password) without echoing it', async (authorUrl) => {
    const article = await createArticle(t)
    const res = await postComment(t, article.id, commentInput({ authorUrl }))
    const problem = expectProblem(res, 400)
    expect(problem.errors).toEqual([
      { path: 'authorUrl', message: 'Must not contain a user name or password' },
    ])
    expect(res.body).not.toMatch(/secret|evil|bank/)
    expect(await storedComments(t)).toHaveLength(0)
  })

  it.each([
    ['HTTPS://Example.COM', 'https://example.com/'],
    ['https://example.com:443/a/../b?x=1#top', 'https://example.com/b?x=1#top'],
    ['http://مثال.example/مسار', 'http://xn--mgbh0fb.example/%D9%85%D8%B3%D8%A7%D8%B1'],
  ])('stores and answers the authorUrl %s normalized as %s', async (given, normalized) => {
    const article = await createArticle(t)
    const res = await postComment(t, article.id, commentInput({ authorUrl: given }))
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().authorUrl).toBe(normalized)
    expect((await storedComments(t))[0]?.author_url).toBe(normalized)
  })

  /** A comment request of exactly `bytes` bytes: valid JSON, its body padded with spaces. */
  function requestOf(bytes: number, overrides: Record<string, unknown> = {}): string {
    const base = JSON.stringify({ ...commentInput(overrides), body: '' })
    return base.replace('"body":""', `"body":"${'x'.padEnd(bytes - Buffer.byteLength(base), ' ')}"`)
  }

  it('answers a comment request over 64 KiB with 413, though BODY_LIMIT_BYTES allows 8 MiB', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { BODY_LIMIT_BYTES: String(8 * 1024 * 1024) } })
    const article = await createArticle(t)
    const send = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/articles/${article.id}/comments`,
        headers: { 'content-type': 'application/json' },
        payload,
      })
    const over = requestOf(64 * 1024 + 1)
    expect(Buffer.byteLength(over)).toBe(64 * 1024 + 1)
    const res = await send(over)
    expect(expectProblem(res, 413).title).toBe('Content Too Large')
    expect(await storedComments(t)).toHaveLength(0)
    // At the limit the request is read, and refused for what it says (a body over 5,000 characters), not its size.
    const atLimit = await send(requestOf(64 * 1024))
    expect(errorPaths(expectProblem(atLimit, 400))).toEqual(['body'])
    // A full-length comment written with JSON escapes (six bytes a letter) fits.
    const escaped = JSON.stringify(commentInput({ body: 'ب'.repeat(5000) })).replace(/ب/g, '\\u0628')
    expect(Buffer.byteLength(escaped)).toBeGreaterThan(30_000)
    expect((await send(escaped)).statusCode).toBe(201)
    // The moderator's edit is held to the same limit.
    const comment = (await storedComments(t))[0] as { id: number }
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/v1/comments/${comment.id}`,
      headers: { ...t.editorAuth, 'content-type': 'application/json' },
      payload: JSON.stringify({ body: 'x'.repeat(70_000) }),
    })
    expectProblem(edit, 413)
    // Articles still take what BODY_LIMIT_BYTES allows.
    const article2 = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'طويل', body: 'x'.repeat(200_000) },
    })
    expect(article2.statusCode).toBe(201)
  })

  it('keeps a smaller BODY_LIMIT_BYTES for comments too', async () => {
    await t.app.close()
    t = await buildTestApp({ env: { BODY_LIMIT_BYTES: '1024' } })
    const article = await createArticle(t)
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/articles/${article.id}/comments`,
      headers: { 'content-type': 'application/json' },
      payload: requestOf(2048),
    })
    expectProblem(res, 413)
  })
})

describe('NUL in a request body: PostgreSQL cannot store it, so both engines refuse it', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('is a 400 naming the field on articles, tags and tokens, storing nothing', async () => {
    const cases = [
      {
        url: '/v1/articles',
        headers: t.editorAuth,
        payload: { title: 'a\u0000b', body: 'x' },
        path: 'title',
      },
      {
        url: '/v1/articles',
        headers: t.editorAuth,
        payload: { title: 'ok', body: 'x', tags: ['ok', 'a\u0000'] },
        path: 'tags.1',
      },
      {
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name: 'وسم', description: '\u0000' },
        path: 'description',
      },
      { url: '/v1/tokens', headers: t.adminAuth, payload: { name: 'x\u0000', role: 'editor' }, path: 'name' },
    ]
    for (const { url, headers, payload, path } of cases) {
      const res = await t.app.inject({ method: 'POST', url, headers, payload })
      expect(expectProblem(res, 400).errors, url).toEqual([
        { path, message: 'Must not contain the NUL character (U+0000)' },
      ])
    }
    expect([await t.count('articles'), await t.count('tags'), await t.count('tokens')]).toEqual([0, 0, 1])
  })

  it('is a 400 in the author filter, which is compared as text', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/articles?author=%00' })
    expect(errorPaths(expectProblem(res, 400))).toEqual(['author'])
  })
})

describe('errors never repeat the keys that were sent (item 10)', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('names an unknown key by its position in its object', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'عنوان', body: 'نص', 'leak@example.com': 1, slug: 'ok', '<script>': true },
    })
    const problem = expectProblem(res, 400)
    expect(problem.errors).toEqual([
      { path: '', message: 'Unrecognized key at position 3' },
      { path: '', message: 'Unrecognized key at position 5' },
    ])
    expect(res.body).not.toContain('leak@example.com')
    expect(res.body).not.toContain('script')
    expect(await t.count('articles')).toBe(0)
  })

  it('names unknown keys of a comment by position too, never the address-shaped key', async () => {
    const article = await createArticle(t)
    const res = await postComment(t, article.id, { ...commentInput(), 'x@example.com': 'x' })
    expect(expectProblem(res, 400).errors).toEqual([{ path: '', message: 'Unrecognized key at position 4' }])
    expect(res.body).not.toContain('x@example.com')
  })

  it('lists at most 20 errors', async () => {
    const manyKeys = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra${i}@example.com`, i]))
    const keys = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'x', body: 'y', ...manyKeys },
    })
    const problem = expectProblem(keys, 400)
    expect(problem.errors).toHaveLength(20)
    expect(problem.errors?.[0]).toEqual({ path: '', message: 'Unrecognized key at position 3' })
    expect(keys.body).not.toContain('example.com')

    const tags = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'x', body: 'y', tags: Array.from({ length: 50 }, () => 7) },
    })
    expect(expectProblem(tags, 400).errors).toHaveLength(20)
  })
})

describe('ids and pages (item 11)', () => {
  beforeEach(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '1000' } })
  })

  const LOOSE = [
    '1e0',
    '0x10',
    '%2012',
    '12%20',
    '%2B1',
    '1.0',
    '-1',
    '0',
    '%EF%BC%91',
    '%D9%A1',
    '2147483648',
  ]

  it.each(LOOSE)('answers /v1/comments/%s with 400, never another comment', async (id) => {
    const article = await createArticle(t)
    for (let i = 0; i < 16; i++) await createComment(t, article.id)
    const res = await t.app.inject({ method: 'GET', url: `/v1/comments/${id}`, headers: t.editorAuth })
    expect(errorPaths(expectProblem(res, 400))).toEqual(['id'])
    // The same ids written plainly are found.
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/comments/16', headers: t.editorAuth })).statusCode,
    ).toBe(200)
  })

  it('refuses loose ids in every id parameter: tokens, related links, the moderation filter', async () => {
    const article = await createArticle(t)
    for (const id of ['1e0', '0x1', '%201']) {
      const token = await t.app.inject({ method: 'GET', url: `/v1/tokens/${id}`, headers: t.adminAuth })
      expect(errorPaths(expectProblem(token, 400))).toEqual(['id'])
      const link = await t.app.inject({
        method: 'DELETE',
        url: `/v1/articles/${article.id}/related/${id}`,
        headers: t.editorAuth,
      })
      expect(errorPaths(expectProblem(link, 400))).toEqual(['relatedId'])
      const queue = await t.app.inject({
        method: 'GET',
        url: `/v1/comments?articleId=${id}`,
        headers: t.editorAuth,
      })
      expect(errorPaths(expectProblem(queue, 400))).toEqual(['articleId'])
      const page = await t.app.inject({ method: 'GET', url: `/v1/articles?page=${id}&perPage=${id}` })
      expect(errorPaths(expectProblem(page, 400)).sort()).toEqual(['page', 'perPage'])
      const limit = await t.app.inject({
        method: 'GET',
        url: `/v1/articles/${article.id}/related?limit=${id}`,
      })
      expect(errorPaths(expectProblem(limit, 400))).toEqual(['limit'])
    }
  })

  it('answers 404, not 500, for a numeric article id past any that can be stored', async () => {
    for (const id of ['2147483648', '9'.repeat(40)]) {
      expectProblem(await t.app.inject({ method: 'GET', url: `/v1/articles/${id}` }), 404)
      expectProblem(await t.app.inject({ method: 'GET', url: `/v1/articles/${id}/comments` }), 404)
    }
  })

  it('takes pages 1 to 1,000,000', async () => {
    const last = await t.app.inject({ method: 'GET', url: '/v1/articles?page=1000000&perPage=100' })
    expect(last.statusCode).toBe(200)
    expect(last.json().data).toEqual([])
    const beyond = await t.app.inject({ method: 'GET', url: '/v1/articles?page=1000001' })
    expect(errorPaths(expectProblem(beyond, 400))).toEqual(['page'])
  })

  const queriesDuring = (fn: () => Promise<unknown>) => recordQueries(t.database, fn)

  // The article list keeps its total until the next change (articles.service.ts), so its page past the end may read
  // nothing at all; the others count again.
  it.each([
    ['the article list', () => '/v1/articles?perPage=2', false, false],
    ['an article’s comments', (id: number) => `/v1/articles/${id}/comments?perPage=2`, false, true],
    ['the moderation queue', () => '/v1/comments?perPage=2', true, true],
  ] as const)(
    'reads no row for a page past the end of %s, only the total',
    async (_label, url, needsToken, counts) => {
      const article = await createArticle(t)
      await createArticle(t)
      await createArticle(t)
      for (let i = 0; i < 3; i++) await createApprovedComment(t, article.id)
      const get = (query: string) =>
        t.app.inject({
          method: 'GET',
          url: `${url(article.id)}&${query}`,
          headers: needsToken ? t.editorAuth : {},
        })

      const within = await queriesDuring(async () =>
        expect((await get('page=2')).json().data).toHaveLength(1),
      )
      expect(within.filter((sql) => /\boffset\b/i.test(sql))).toHaveLength(1)

      let past: { data: unknown[]; meta: { total: number; page: number } } | undefined
      const queries = await queriesDuring(async () => {
        past = (await get('page=50')).json()
      })
      expect(past).toMatchObject({ data: [], meta: { page: 50, total: 3 } })
      expect(queries.filter((sql) => /\boffset\b/i.test(sql))).toEqual([])
      expect(queries.some((sql) => /count\(/i.test(sql))).toBe(counts)
    },
  )

  it('reads no row for a page past the end of the tag list, only the total', async () => {
    for (const name of ['أ', 'ب', 'ت']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name },
      })
      expect(res.statusCode, res.body).toBe(201)
    }
    const within = await queriesDuring(async () =>
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/tags?perPage=2&page=2' })).json().data,
      ).toHaveLength(1),
    )
    expect(within.filter((sql) => /\boffset\b/i.test(sql))).toHaveLength(1)
    let past: { data: unknown[]; meta: { total: number; page: number } } | undefined
    const queries = await queriesDuring(async () => {
      past = (await t.app.inject({ method: 'GET', url: '/v1/tags?perPage=2&page=50' })).json()
    })
    expect(past).toMatchObject({ data: [], meta: { page: 50, total: 3 } })
    expect(queries.filter((sql) => /\boffset\b/i.test(sql))).toEqual([])
    expect(queries.some((sql) => /count\(/i.test(sql))).toBe(true)
  })
})

describe('Link headers from the canonical path (item 13)', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  /** A GET over real HTTP, the URL sent byte for byte as written (inject and most clients would encode it). */
  async function rawGet(path: string): Promise<{ status: number; link: string | undefined }> {
    const address = t.app.server.address() as AddressInfo
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: address.port, path, method: 'GET' }, (res) => {
        res.resume()
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, link: res.headers.link as string | undefined }),
        )
      })
      request.on('error', reject)
      request.end()
    })
  }

  it('never lets > or , in the path or the query add a target', async () => {
    // The slug the hostile path normalizes to, so the route finds the article and answers with Link.
    const article = await createArticle(t, { title: 'x https evil example rel next' })
    expect(article.slug).toBe('x-https-evil-example-rel-next')
    for (let i = 0; i < 3; i++) await createApprovedComment(t, article.id)
    await t.app.listen({ port: 0, host: '127.0.0.1' })

    // Sent raw but for the slashes, which would make it another path; the router decodes them into the slug.
    const hostile = 'x>,<https://evil.example>;rel="next'
    const sent = hostile.replaceAll('/', '%2F')
    const res = await rawGet(`/v1/articles/${sent}/comments?perPage=1&page=2&z=>,<https://evil.example>`)
    expect(res.status).toBe(200)
    const link = res.link as string
    const targets = [...link.matchAll(/<([^>]*)>/g)].map((match) => match[1] as string)
    expect(targets).toHaveLength(4)
    expect(Object.keys(parseLinks(link)).sort()).toEqual(['first', 'last', 'next', 'prev'])
    const canonical = `/v1/articles/${encodeURIComponent(hostile)}/comments?`
    for (const target of targets) {
      expect(target.startsWith(canonical), target).toBe(true)
      expect(target).not.toMatch(/[<>,;"\s]/)
    }
    // Each target leads back to the same list.
    const next = await t.app.inject({ method: 'GET', url: parseLinks(link).next as string })
    expect(next.json().meta).toMatchObject({ page: 3, total: 3 })
  })

  it('writes an Arabic slug percent-encoded however it was sent, and drops a trailing slash', async () => {
    const article = await createArticle(t, { title: 'بوتين في طهران' })
    for (let i = 0; i < 2; i++) await createApprovedComment(t, article.id)
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${encodeURIComponent(article.slug)}/comments/?perPage=1`,
    })
    expect(res.statusCode).toBe(200)
    expect(parseLinks(res.headers.link).next).toBe(
      `/v1/articles/${encodeURIComponent(article.slug)}/comments?perPage=1&page=2`,
    )
  })
})

describe('an explicit excerpt is kept as given (item 16)', () => {
  beforeEach(async () => {
    t = await buildTestApp()
  })

  it('keeps its spaces and line breaks on create and on PATCH', async () => {
    const excerpt = '  ملخص يبدأ بمسافتين\nوينتهي بسطر جديد\n'
    const article = await createArticle(t, { body: 'نص المقال', excerpt })
    expect(article.excerpt).toBe(excerpt)
    const changed = '\tملخص آخر '
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      headers: t.editorAuth,
      payload: { excerpt: changed },
    })
    expect(res.json().excerpt).toBe(changed)
    const [row] = await t.query<{ excerpt: string }>('select excerpt from articles')
    expect(row?.excerpt).toBe(changed)
  })

  it('still derives one when the excerpt is empty or null', async () => {
    expect((await createArticle(t, { body: 'النص كله', excerpt: '' })).excerpt).toBe('النص كله')
    expect((await createArticle(t, { body: 'نص آخر', excerpt: null })).excerpt).toBe('نص آخر')
  })
})
