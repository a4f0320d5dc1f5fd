/**
 * The promise under every article, "your e-mail address will not be published": comments carrying a unique marker
 * address go through every path, then every route is read with and without a token, and every answer (body and
 * headers), the OpenAPI document and the server log are scanned for the address, anything derived from it, and the
 * commenter's IP.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '../src/db/sqlite/database.js'
import { buildTestApp, captureLog, type TestApp } from './helpers/app.js'
import { storedComments } from './helpers/comments.js'
import { createArticle } from './helpers/data.js'
import { TEST_ENGINE } from './helpers/engine.js'
import { type OpenApiDocument, reachableFromResponses } from './helpers/openapi.js'

const LOCAL_PART = `marker-${randomBytes(6).toString('hex')}`
const MARKER = `${LOCAL_PART}@example.test`
const CLIENT_IP = '203.0.113.77'
// Another client posting a copy of the marker's comment: answered as new, filed as spam; its IP is as private.
const OTHER_IP = '198.51.100.203'
const RATE_LIMIT = 40

// The address itself (any case, any encoding keeps the local part), and what an avatar service would derive.
const FORBIDDEN: [string, RegExp][] = [
  ['the marker address', new RegExp(LOCAL_PART, 'i')],
  ['the marker address, percent-encoded', new RegExp(encodeURIComponent(MARKER).replace(/[.]/g, '\\.'), 'i')],
  ['an MD5 of the address', new RegExp(createHash('md5').update(MARKER).digest('hex'), 'i')],
  ['a SHA-256 of the address', new RegExp(createHash('sha256').update(MARKER).digest('hex'), 'i')],
  ['the client IP', new RegExp(CLIENT_IP.replaceAll('.', '\\.'))],
  ['the other client IP', new RegExp(OTHER_IP.replaceAll('.', '\\.'))],
]

/**
 * Makes every insert into comments fail in the database itself, with an error whose message quotes the address
 * being stored: a trigger calling a function that throws, on SQLite a JavaScript one registered on the
 * connection, on PostgreSQL a plpgsql one that RAISEs. Drop the trigger `fail_insert` to undo.
 */
async function failCommentInserts(t: TestApp): Promise<void> {
  if (TEST_ENGINE === 'sqlite') {
    const { sqlite } = t.database as SqliteDatabase
    sqlite.function('reject_address', (address: unknown) => {
      throw new Error(`cannot store ${String(address)}`)
    })
    await t.query(
      'create trigger fail_insert before insert on comments begin select reject_address(new.author_email); end',
    )
    return
  }
  await t.query(`create or replace function reject_address() returns trigger language plpgsql as $$
    begin raise exception 'cannot store %', new.author_email; end $$`)
  await t.query(
    'create trigger fail_insert before insert on comments for each row execute function reject_address()',
  )
}

interface Seen {
  what: string
  text: string
}

function leaks(text: string): string[] {
  return FORBIDDEN.filter(([, pattern]) => pattern.test(text)).map(([name]) => name)
}

describe('the commenter e-mail address and IP never leave the server', () => {
  let t: TestApp
  const log = captureLog()
  const logLines = log.lines
  const responses: Seen[] = []
  let headerCount = 0
  let openapi: OpenApiDocument

  /** Every request goes through here, from the commenter's address, and every answer is kept for the scan. */
  async function call(options: InjectOptions & { url: string }) {
    const res = await t.app.inject({ remoteAddress: CLIENT_IP, ...options })
    const what = `${options.method ?? 'GET'} ${options.url} → ${res.statusCode}`
    responses.push({ what, text: res.body })
    for (const [name, value] of Object.entries(res.headers)) {
      headerCount += 1
      responses.push({ what: `${what} header ${name}`, text: `${name}: ${String(value)}` })
    }
    return res
  }

  function post(
    article: number | string,
    payload: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    return call({ method: 'POST', url: `/v1/articles/${article}/comments`, payload, headers })
  }

  function comment(overrides: Record<string, unknown> = {}) {
    return {
      authorName: 'قارئ مجهول',
      authorEmail: MARKER,
      body: `تعليق ${randomBytes(4).toString('hex')}`,
      ...overrides,
    }
  }

  beforeAll(async () => {
    t = await buildTestApp({
      env: { LOG_LEVEL: 'trace', RATE_LIMIT_COMMENTS_PER_MINUTE: String(RATE_LIMIT) },
      logStream: log.stream,
    })
    const editor = t.editorAuth
    const open = await createArticle(t, { title: 'مقال مفتوح للتعليق' })
    const other = await createArticle(t, { title: 'مقال آخر' })
    const closed = await createArticle(t, { title: 'مقال مغلق', commentsEnabled: false })
    const draft = await createArticle(t, { title: 'مسودة', status: 'draft' })

    // Accepted, approved, replied to, twice deep.
    const root = (await post(open.id, comment({ authorUrl: 'https://example.com/reader' }))).json()
    await call({
      method: 'PATCH',
      url: `/v1/comments/${root.id}`,
      headers: editor,
      payload: { status: 'approved' },
    })
    const reply = (await post(encodeURIComponent(open.slug), comment({ parentId: root.id }))).json()
    await call({
      method: 'PATCH',
      url: `/v1/comments/${reply.id}`,
      headers: editor,
      payload: { status: 'approved' },
    })
    const deep = (await post(open.id, comment({ parentId: reply.id }))).json()
    await call({
      method: 'PATCH',
      url: `/v1/comments/${deep.id}`,
      headers: editor,
      payload: { status: 'approved' },
    })
    const pending = (await post(open.id, comment())).json()
    await post(other.id, comment())
    await post(draft.id, comment(), editor)

    // Rejected for every reason the route has.
    const rejected = [
      await post(open.id, comment({ authorEmail: `${LOCAL_PART}@@example.test` })),
      await post(open.id, comment({ authorEmail: `${LOCAL_PART}@${'x'.repeat(250)}.test` })),
      await post(open.id, comment({ authorEmail: LOCAL_PART })),
      await post(open.id, comment({ authorName: 'ن'.repeat(101) })),
      await post(open.id, comment({ authorName: '' })),
      await post(open.id, comment({ body: '' })),
      await post(open.id, comment({ body: 'ب'.repeat(5001) })),
      await post(open.id, comment({ authorUrl: `javascript:alert('${MARKER}')` })),
      await post(open.id, comment({ authorUrl: `mailto:${MARKER}` })),
      await post(open.id, comment({ authorUrl: `https://${LOCAL_PART}:pw@example.test/` })),
      await post(open.id, comment({ authorName: `${LOCAL_PART}\u202e` })),
      await post(open.id, comment({ parentId: 99999 })),
      await post(open.id, comment({ parentId: pending.id })),
      await post(other.id, comment({ parentId: root.id })),
      await post(open.id, comment({ parentId: MARKER })),
      await post(open.id, comment({ contact: MARKER })),
      await post(closed.id, comment()),
      await post(999999, comment()),
      await post(draft.id, comment()),
      await post(open.id, comment(), { authorization: `Bearer ${MARKER}` }),
      await call({
        method: 'POST',
        url: `/v1/articles/${open.id}/comments`,
        headers: { 'content-type': 'application/json' },
        payload: `{"authorEmail":"${MARKER}","body":`,
      }),
      await call({
        method: 'POST',
        url: `/v1/articles/${open.id}/comments`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `authorEmail=${encodeURIComponent(MARKER)}`,
      }),
      await call({
        method: 'POST',
        url: `/v1/articles/${open.id}/comments`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(comment({ body: 'x'.repeat(2 * 1024 * 1024) })),
      }),
    ]
    expect(rejected.map((res) => res.statusCode)).toEqual([
      400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 403, 404, 404, 401, 400,
      415, 413,
    ])

    // A duplicate, and a bot that fills the honeypot (with the address, for good measure).
    const duplicate = await post(open.id, { ...comment(), body: pending.body })
    expect(duplicate.statusCode).toBe(409)
    // The same copy from another client IP: a 201 as for a new comment, filed as spam.
    const copy = await call({
      method: 'POST',
      url: `/v1/articles/${open.id}/comments`,
      payload: { ...comment(), body: pending.body },
      remoteAddress: OTHER_IP,
    })
    expect(copy.statusCode).toBe(201)
    expect((await post(open.id, comment({ honeypot: MARKER }))).statusCode).toBe(201)

    // Moderation: every status, an edit of the text, a refused attempt to change the address, deletions.
    const moderated = (await post(open.id, comment())).json()
    for (const status of ['spam', 'trash', 'approved', 'pending']) {
      await call({
        method: 'PATCH',
        url: `/v1/comments/${moderated.id}`,
        headers: editor,
        payload: { status },
      })
    }
    await call({
      method: 'PATCH',
      url: `/v1/comments/${moderated.id}`,
      headers: editor,
      payload: { body: 'نص عدّله المحرر' },
    })
    expect(
      (
        await call({
          method: 'PATCH',
          url: `/v1/comments/${moderated.id}`,
          headers: editor,
          payload: { authorEmail: MARKER },
        })
      ).statusCode,
    ).toBe(400)
    await call({ method: 'DELETE', url: `/v1/comments/${reply.id}`, headers: editor })
    await call({ method: 'DELETE', url: `/v1/comments/${moderated.id}`, headers: t.adminAuth })

    // A database error while storing the address, whose message quotes the value, as a Drizzle query error's
    // message quotes its parameters: the log must keep the error's name and code, not its message.
    await failCommentInserts(t)
    expect((await post(open.id, comment())).statusCode).toBe(500)
    await t.query(
      TEST_ENGINE === 'sqlite' ? 'drop trigger fail_insert' : 'drop trigger fail_insert on comments',
    )

    // Past the rate limit.
    let limited = 0
    for (let i = 0; i < RATE_LIMIT + 5 && limited === 0; i++) {
      if ((await post(open.id, comment())).statusCode === 429) limited += 1
    }
    expect(limited).toBe(1)

    // Now read everything, as the public and as token holders.
    openapi = (await call({ method: 'GET', url: '/docs/json' })).json()
    const rows = await storedComments(t)
    const commentIds = rows.map((row) => String(row.id))
    const values: Record<string, string[]> = {
      idOrSlug: [open, other, closed, draft].flatMap((a) => [String(a.id), encodeURIComponent(a.slug)]),
      id: [...commentIds, '1'],
    }
    const queries: Record<string, string[]> = {
      '/v1/comments': [
        '',
        '?perPage=100',
        ...['pending', 'approved', 'spam', 'trash'].map((status) => `?perPage=100&status=${status}`),
        `?articleId=${open.id}&perPage=100`,
      ],
      '/v1/articles': ['', '?perPage=100&status=all'],
    }
    const auths = [undefined, t.editorAuth, t.adminAuth]
    for (const [template, operations] of Object.entries(openapi.paths)) {
      if (!('get' in operations)) continue
      let urls = [template]
      for (const [, name] of template.matchAll(/\{(\w+)\}/g)) {
        const candidates = values[name as string] ?? [String(open.id)]
        urls = urls.flatMap((url) => candidates.map((value) => url.replace(`{${name}}`, value)))
      }
      for (const url of urls) {
        for (const query of queries[template] ?? ['', '?perPage=100']) {
          for (const headers of auths) await call({ method: 'GET', url: url + query, headers })
        }
      }
    }
    for (const url of ['/docs', '/docs/yaml', '/health', '/v1/nowhere']) await call({ method: 'GET', url })
  })

  afterAll(async () => {
    await t?.app.close()
  })

  it('did store the address and the IP, so the scans below look for something real', async () => {
    const rows = (await storedComments(t)).filter((row) => row.author_email === MARKER)
    expect(rows.length).toBeGreaterThan(10)
    expect(
      rows.filter((row) => row.client_ip !== CLIENT_IP).map((row) => [row.client_ip, row.status]),
    ).toEqual([[OTHER_IP, 'spam']])
    expect(rows.map((row) => row.status)).toEqual(expect.arrayContaining(['approved', 'pending', 'spam']))
    expect(leaks(`x ${MARKER.toUpperCase()} y`)).toEqual(['the marker address'])
    expect(leaks(`from ${CLIENT_IP}`)).toEqual(['the client IP'])
    expect(leaks(`from ${OTHER_IP}`)).toEqual(['the other client IP'])
  })

  it('no answer, body or header, carries them', () => {
    const found = responses.flatMap(({ what, text }) => leaks(text).map((leak) => `${what}: ${leak}`))
    expect(found).toEqual([])
    const readRoutes = responses.filter((r) => r.what.startsWith('GET ') && !r.what.includes(' header '))
    expect(readRoutes.some((r) => r.what.includes('/v1/comments/') && r.what.endsWith('200'))).toBe(true)
    console.log(
      `privacy scan: ${responses.length - headerCount} responses, ${headerCount} headers, ${logLines.length} log lines`,
    )
  })

  it('the server log carries neither, not even for the failed query', () => {
    expect(logLines.length).toBeGreaterThan(100)
    expect(logLines.some((line) => line.includes('request failed') && line.includes('"level":50'))).toBe(true)
    const found = logLines.flatMap((line) => leaks(line).map((leak) => `${leak}: ${line}`))
    expect(found).toEqual([])
  })

  it('the OpenAPI document names authorEmail only in request bodies and never the marker', () => {
    expect(leaks(JSON.stringify(openapi))).toEqual([])
    for (const schema of reachableFromResponses(openapi)) {
      expect(JSON.stringify(schema)).not.toMatch(/authorEmail|clientIp/i)
    }
    const { paths, ...rest } = openapi
    const withoutRequestBodies = Object.values(paths).flatMap((operations) =>
      Object.values(operations).map((operation) => ({ ...(operation as object), requestBody: undefined })),
    )
    expect(JSON.stringify([rest, withoutRequestBodies])).not.toMatch(/authorEmail/i)
    const createComment = paths['/v1/articles/{idOrSlug}/comments']?.post as { requestBody: unknown }
    expect(JSON.stringify(createComment.requestBody)).toContain('authorEmail')
  })
})
