/**
 * Preview links: making one (secret, expiry bounds, hash-only storage), reading a draft through it without a
 * bearer token (full form, headers), one 404 for unknown, expired and revoked links, listing, revoking, cascades.
 */
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle, minutesFromNow } from '../helpers/data.js'
import { errorPaths, expectProblem, parseLinks } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

type Headers = Record<string, string>

interface CreatedPreview {
  id: number
  articleId: number
  tokenName: string | null
  token: string
  url: string
  expiresAt: string
  createdAt: string
}

const DAY_SECONDS = 24 * 60 * 60
const previewsUrl = (idOrSlug: string | number) =>
  `/v1/articles/${encodeURIComponent(String(idOrSlug))}/preview`

function post(idOrSlug: string | number, payload?: unknown, headers: Headers = t.editorAuth) {
  return t.app.inject({
    method: 'POST',
    url: previewsUrl(idOrSlug),
    headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

async function makePreview(idOrSlug: string | number, payload?: unknown): Promise<CreatedPreview> {
  const res = await post(idOrSlug, payload)
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

const read = (token: string, headers: Headers = {}) =>
  t.app.inject({ method: 'GET', url: `/v1/preview/${token}`, headers })

const list = (idOrSlug: string | number, query = '', headers: Headers = t.editorAuth) =>
  t.app.inject({ method: 'GET', url: `${previewsUrl(idOrSlug)}${query}`, headers })

const revoke = (idOrSlug: string | number, id: number | string, headers: Headers = t.editorAuth) =>
  t.app.inject({ method: 'DELETE', url: `${previewsUrl(idOrSlug)}/${id}`, headers })

const stored = () =>
  t.query<{
    id: number
    article_id: number
    token_hash: string
    token_name: string | null
    expires_at: string
  }>('select * from article_previews order by id')

describe('POST /v1/articles/{idOrSlug}/preview', () => {
  it('answers 201 with the secret, its URL and a 24 h expiry by default, and Location without the secret', async () => {
    t.clock.set('2017-11-01T09:30:00.000Z')
    const draft = await createArticle(t, { status: 'draft' })
    const res = await post(draft.id)
    expect(res.statusCode, res.body).toBe(201)
    const preview = res.json() as CreatedPreview
    expect(preview).toEqual({
      id: expect.any(Number),
      articleId: draft.id,
      tokenName: 'test-editor',
      token: expect.stringMatching(/^preview_[A-Za-z0-9_-]{43}$/),
      url: `/v1/preview/${preview.token}`,
      expiresAt: '2017-11-02T09:30:00.000Z',
      createdAt: '2017-11-01T09:30:00.000Z',
    })
    // 43 base64url characters are 32 random bytes: 256 bits.
    expect(Buffer.from(preview.token.slice('preview_'.length), 'base64url')).toHaveLength(32)
    expect(res.headers.location).toBe(`/v1/articles/${draft.id}/preview/${preview.id}`)
    expect(String(res.headers.location)).not.toContain(preview.token)
    expect(res.headers['cache-control']).toBe('no-store')

    const record = await t.app.inject({
      method: 'GET',
      url: String(res.headers.location),
      headers: t.editorAuth,
    })
    expect(record.statusCode).toBe(200)
    const { token: _token, url: _url, ...withoutSecret } = preview
    expect(record.json()).toEqual(withoutSecret)
  })

  it('takes an empty body as the defaults, and expiresInSeconds from 10 s to 30 days', async () => {
    t.clock.set('2017-11-01T09:30:00.000Z')
    const created = await createArticle(t)
    expect((await makePreview(created.id, {})).expiresAt).toBe('2017-11-02T09:30:00.000Z')
    expect((await makePreview(created.id, { expiresInSeconds: 10 })).expiresAt).toBe(
      '2017-11-01T09:30:10.000Z',
    )
    expect((await makePreview(created.id, { expiresInSeconds: 30 * DAY_SECONDS })).expiresAt).toBe(
      '2017-12-01T09:30:00.000Z',
    )
  })

  it('answers 400 to an expiry outside 10 s to 30 days or not a whole number, and stores nothing', async () => {
    const created = await createArticle(t)
    for (const payload of [
      { expiresInSeconds: 9 },
      { expiresInSeconds: 30 * DAY_SECONDS + 1 },
      { expiresInSeconds: 60.5 },
      { expiresInSeconds: '3600' },
      { expiresInSeconds: null },
    ]) {
      expect(errorPaths(expectProblem(await post(created.id, payload), 400))).toEqual(['expiresInSeconds'])
    }
    expectProblem(await post(created.id, { expiresInSeconds: 60, article: 1 }), 400)
    expectProblem(await post(created.id, [60]), 400)
    const text = await t.app.inject({
      method: 'POST',
      url: previewsUrl(created.id),
      headers: { ...t.editorAuth, 'content-type': 'text/plain' },
      payload: '60',
    })
    expectProblem(text, 415)
    expect(await t.count('article_previews')).toBe(0)
  })

  it('stores only the SHA-256 hash of the secret, and the name of the token that made it', async () => {
    const created = await createArticle(t)
    const preview = await makePreview(created.id)
    const rows = await stored()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(preview.token).digest('hex'))
    expect(rows[0]?.token_name).toBe('test-editor')
    expect(JSON.stringify(rows)).not.toContain(preview.token)
    expect(JSON.stringify(rows)).not.toContain(preview.token.slice('preview_'.length))
  })

  it('makes a different secret every time', async () => {
    const created = await createArticle(t)
    const tokens = new Set<string>()
    for (let i = 0; i < 5; i++) tokens.add((await makePreview(created.id)).token)
    expect(tokens.size).toBe(5)
  })

  it('addresses the article by an Arabic slug, and answers 404 for an unknown article', async () => {
    const created = await createArticle(t, { title: 'مسودة عن إيران', status: 'draft' })
    expect((await makePreview('مسودة-عن-إيران')).articleId).toBe(created.id)
    expectProblem(await post(9999), 404)
    expectProblem(await post('no-such-article'), 404)
    expect(await t.count('article_previews')).toBe(1)
  })

  it('drops the article’s expired links when it makes a new one', async () => {
    const created = await createArticle(t)
    const other = await createArticle(t)
    await makePreview(created.id, { expiresInSeconds: 10 })
    await makePreview(other.id, { expiresInSeconds: 10 })
    t.clock.advance(11_000)
    await makePreview(created.id)
    const rows = await stored()
    expect(rows.map((row) => row.article_id).sort()).toEqual([created.id, other.id].sort())
  })
})

describe('GET /v1/preview/{previewToken}', () => {
  it('shows a draft without a bearer token: the full form as GET answers it, private, no-store, noindex', async () => {
    const draft = await createArticle(t, { status: 'draft', tags: ['إيران'] })
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/articles/${draft.id}` }), 404)
    const preview = await makePreview(draft.id)
    const res = await read(preview.token)
    expect(res.statusCode, res.body).toBe(200)
    const asEditor = await t.app.inject({
      method: 'GET',
      url: `/v1/articles/${draft.id}`,
      headers: t.editorAuth,
    })
    expect(res.json()).toEqual(asEditor.json())
    expect(res.json()).toMatchObject({ status: 'draft', body: draft.body, html: draft.html })
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect(res.headers['x-robots-tag']).toBe('noindex')
  })

  it('shows the article as it now stands, scheduled ones too', async () => {
    const scheduled = await createArticle(t, { publishedAt: minutesFromNow(60) })
    const preview = await makePreview(scheduled.id)
    expect((await read(preview.token)).json().title).toBe(scheduled.title)
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${scheduled.id}`,
      headers: t.editorAuth,
      payload: { title: 'عنوان بعد التحرير' },
    })
    expect(changed.statusCode).toBe(200)
    expect((await read(preview.token)).json().title).toBe('عنوان بعد التحرير')
  })

  it('answers the same 404 for an unknown, an expired and a revoked link, saying nothing of the article', async () => {
    const draft = await createArticle(t, { title: 'سر المسودة', status: 'draft' })
    const expiring = await makePreview(draft.id, { expiresInSeconds: 10 })
    const revoked = await makePreview(draft.id)
    expect((await revoke(draft.id, revoked.id)).statusCode).toBe(204)
    t.clock.advance(10_000)
    const answers = [
      await read('preview_unknownunknownunknownunknownunknownunkno'),
      await read('anything'),
      await read(expiring.token),
      await read(revoked.token),
    ]
    const bodies = answers.map((res) => {
      expectProblem(res, 404)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['x-robots-tag']).toBe('noindex')
      return res.body
    })
    expect(new Set(bodies).size).toBe(1)
    for (const leak of [draft.title, draft.slug, String(draft.id), 'rticle', 'xpired', 'evoked']) {
      expect(bodies[0]).not.toContain(leak)
    }
  })

  it('expires by the clock: readable until expiresAt, a 404 from then on', async () => {
    t.clock.set('2017-11-01T09:30:00.000Z')
    const draft = await createArticle(t, { status: 'draft' })
    const preview = await makePreview(draft.id, { expiresInSeconds: 60 })
    t.clock.advance(59_999)
    expect((await read(preview.token)).statusCode).toBe(200)
    t.clock.advance(1)
    expectProblem(await read(preview.token), 404)
    // An expired link is gone for the editor too.
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: `${previewsUrl(draft.id)}/${preview.id}`,
        headers: t.editorAuth,
      }),
      404,
    )
  })

  it('needs no token, but a bearer token sent with it must be valid', async () => {
    const draft = await createArticle(t, { status: 'draft' })
    const preview = await makePreview(draft.id)
    expect((await read(preview.token, t.editorAuth)).statusCode).toBe(200)
    expectProblem(await read(preview.token, { authorization: 'Bearer not-a-token' }), 401)
  })

  it('never shows what a public read would not: no comment e-mail, only approved comments counted', async () => {
    const created = await createArticle(t)
    const comment = async (body: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/articles/${created.id}/comments`,
        payload: { authorName: 'قارئ', authorEmail: 'reader.secret@example.com', body },
      })
      expect(res.statusCode, res.body).toBe(201)
      return res.json() as { id: number }
    }
    const approved = await comment('تعليق منشور')
    await comment('تعليق ينتظر')
    const moderated = await t.app.inject({
      method: 'PATCH',
      url: `/v1/comments/${approved.id}`,
      headers: t.editorAuth,
      payload: { status: 'approved' },
    })
    expect(moderated.statusCode).toBe(200)
    const preview = await makePreview(created.id)
    const res = await read(preview.token)
    expect(res.statusCode).toBe(200)
    expect(res.json().commentCount).toBe(1)
    const publicRead = await t.app.inject({ method: 'GET', url: `/v1/articles/${created.id}` })
    expect(Object.keys(res.json()).sort()).toEqual(Object.keys(publicRead.json()).sort())
    for (const secret of ['reader.secret', 'تعليق ينتظر', 'pending', 'authorEmail']) {
      expect(res.body).not.toContain(secret)
    }
  })
})

describe('GET /v1/articles/{idOrSlug}/preview', () => {
  it('lists the live links newest first, without secrets, paged', async () => {
    const created = await createArticle(t)
    const other = await createArticle(t)
    const short = await makePreview(created.id, { expiresInSeconds: 10 })
    const first = await makePreview(created.id)
    const revoked = await makePreview(created.id)
    const second = await makePreview(created.id)
    await makePreview(other.id)
    expect((await revoke(created.id, revoked.id)).statusCode).toBe(204)
    t.clock.advance(10_000)

    const res = await list(created.id)
    expect(res.statusCode).toBe(200)
    expect(res.json().data.map((p: { id: number }) => p.id)).toEqual([second.id, first.id])
    expect(res.json().meta).toEqual({ page: 1, perPage: 20, total: 2, totalPages: 1 })
    expect(res.headers['x-total-count']).toBe('2')
    expect(res.headers['cache-control']).toBe('private, no-store')
    for (const secret of [short, first, revoked, second].map((p) => p.token)) {
      expect(res.body).not.toContain(secret)
    }
    expect(Object.keys(res.json().data[0]).sort()).toEqual([
      'articleId',
      'createdAt',
      'expiresAt',
      'id',
      'tokenName',
    ])

    const paged = await list(created.id, '?perPage=1&page=2')
    expect(paged.json().data.map((p: { id: number }) => p.id)).toEqual([first.id])
    expect(parseLinks(paged.headers.link).prev).toBe(`${previewsUrl(created.id)}?perPage=1&page=1`)
    expect((await list(created.id, '?page=5')).json().data).toEqual([])
  })

  it('answers 404 for an unknown article and 400 for a bad page', async () => {
    expectProblem(await list(9999), 404)
    const created = await createArticle(t)
    expectProblem(await list(created.id, '?perPage=0'), 400)
  })
})

describe('DELETE /v1/articles/{idOrSlug}/preview/{id}', () => {
  it('revokes a link at once: 204, then 404 for its secret and for a second DELETE', async () => {
    const draft = await createArticle(t, { status: 'draft' })
    const preview = await makePreview(draft.id)
    const kept = await makePreview(draft.id)
    const res = await revoke(draft.id, preview.id)
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expectProblem(await read(preview.token), 404)
    expectProblem(await revoke(draft.id, preview.id), 404)
    expect((await read(kept.token)).statusCode).toBe(200)
    expect((await stored()).map((row) => row.id)).toEqual([kept.id])
  })

  it('answers 404 for a link of another article, and leaves it working', async () => {
    const one = await createArticle(t)
    const two = await createArticle(t)
    const preview = await makePreview(one.id)
    expectProblem(await revoke(two.id, preview.id), 404)
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: `${previewsUrl(two.id)}/${preview.id}`,
        headers: t.editorAuth,
      }),
      404,
    )
    expect((await read(preview.token)).statusCode).toBe(200)
  })

  it('answers 400 to an id that is not plain ASCII digits', async () => {
    const created = await createArticle(t)
    const preview = await makePreview(created.id)
    for (const id of ['1e0', '0x1', '%201', '-1', 'abc']) {
      expect(errorPaths(expectProblem(await revoke(created.id, id), 400))).toEqual(['id'])
    }
    expect((await stored()).map((row) => row.id)).toEqual([preview.id])
  })
})

describe('tokens and cascades', () => {
  it('answers 401 without a token or with an invalid one on every route but the read, and changes nothing', async () => {
    const created = await createArticle(t)
    const preview = await makePreview(created.id)
    const anonymous: Headers[] = [{}, { authorization: 'Bearer not-a-token' }]
    for (const headers of anonymous) {
      for (const res of [
        await post(created.id, {}, headers),
        await list(created.id, '', headers),
        await t.app.inject({ method: 'GET', url: `${previewsUrl(created.id)}/${preview.id}`, headers }),
        await revoke(created.id, preview.id, headers),
      ]) {
        expectProblem(res, 401)
        expect(res.headers['www-authenticate']).toBe('Bearer')
      }
    }
    expect((await stored()).map((row) => row.id)).toEqual([preview.id])
  })

  it('lets the admin token make and revoke links too, recorded under its name', async () => {
    const created = await createArticle(t)
    const preview = (await post(created.id, {}, t.adminAuth)).json() as CreatedPreview
    expect(preview.tokenName).toBe('ADMIN_TOKEN')
    expect((await revoke(created.id, preview.id, t.adminAuth)).statusCode).toBe(204)
  })

  it('deleting an article deletes its preview links and revisions, and no other article’s', async () => {
    const gone = await createArticle(t, { status: 'draft' })
    const kept = await createArticle(t)
    const preview = await makePreview(gone.id)
    const keptPreview = await makePreview(kept.id)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/v1/articles/${gone.id}`,
      headers: t.editorAuth,
    })
    expect(res.statusCode).toBe(204)
    expectProblem(await read(preview.token), 404)
    expect((await read(keptPreview.token)).statusCode).toBe(200)
    expect((await stored()).map((row) => row.article_id)).toEqual([kept.id])
    const revisions = await t.query<{ article_id: number }>('select article_id from article_revisions')
    expect(revisions.map((row) => row.article_id)).toEqual([kept.id])
  })
})
