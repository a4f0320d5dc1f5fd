/**
 * Webhooks through HTTP with a real receiver on 127.0.0.1: the admin routes, the outbox written with each change,
 * Standard Webhooks signatures checked by the reference library, retries, Retry-After, 410, redirects, timeouts,
 * the 1 KB answer log, scheduled articles announced once, rotation, SSRF refusals, and privacy of commenters.
 * The worker is driven with runOnce() and the clock moved by hand: nothing waits on real time.
 */
import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EVENT_TYPES } from '../../src/modules/webhooks/webhooks.events.js'
import type { Delivery } from '../../src/modules/webhooks/webhooks.schemas.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { commentInput, postComment, setCommentStatus } from '../helpers/comments.js'
import { createArticle } from '../helpers/data.js'
import { type Receiver, startReceiver } from '../helpers/receiver.js'
import { arabicText, importText } from '../helpers/wxr.js'

const SECRET_KEY = 'test-secret-key-for-webhooks-0123456789'
const SECOND = 1000
const HOUR = 3600 * SECOND

let t: TestApp
let receiver: Receiver
const extra: TestApp[] = []

async function app(env: Record<string, string> = {}, options: Parameters<typeof buildTestApp>[0] = {}) {
  return buildTestApp({ env: { SECRET_KEY, WEBHOOKS_ALLOW_PRIVATE: 'true', ...env }, ...options })
}

beforeEach(async () => {
  t = await app()
  receiver = await startReceiver()
})

afterEach(async () => {
  for (const other of extra.splice(0)) await other.app.close()
  await t.app.close()
  await receiver.close()
})

/** Subscribes the receiver (or `url`) and returns the answer's JSON, secret included. */
async function subscribe(events: string[] = [...EVENT_TYPES], url = receiver.url, on: TestApp = t) {
  const res = await on.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: on.adminAuth,
    payload: { url, events },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

const run = (on: TestApp = t) => on.services.webhookWorker.runOnce()

async function deliveriesOf(webhookId: number, on: TestApp = t) {
  const res = await on.app.inject({ url: `/v1/webhooks/${webhookId}/deliveries`, headers: on.adminAuth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data as Delivery[]
}

/** How long after its last attempt a delivery is tried again. */
const waitOf = (delivery: Delivery | undefined) =>
  Date.parse(delivery?.nextAttemptAt ?? '') - Date.parse(delivery?.lastAttemptAt ?? '')

const eventTypes = () => receiver.events().map((event) => event.type)

describe('the admin routes', () => {
  it('creates a webhook: 201, Location, a whsec_ secret shown once; lists and reads it without the secret', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: t.adminAuth,
      payload: { url: receiver.url, events: ['article.published'], description: 'CDN' },
    })
    expect(res.statusCode, res.body).toBe(201)
    const created = res.json()
    expect(res.headers.location).toBe(`/v1/webhooks/${created.id}`)
    expect(created).toMatchObject({ url: receiver.url, events: ['article.published'], enabled: true })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32)

    const one = await t.app.inject({ url: `/v1/webhooks/${created.id}`, headers: t.adminAuth })
    const list = await t.app.inject({ url: '/v1/webhooks', headers: t.adminAuth })
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id: created.id, description: 'CDN', disabledReason: null })
    expect(list.json().data).toHaveLength(1)
    for (const body of [one.body, list.body]) expect(body).not.toContain(created.secret.slice(6))
  })

  it('stores the secret encrypted: the raw row holds neither whsec_ nor the key', async () => {
    const { secret } = await subscribe()
    const [row] = await t.query<{ secret: string }>('select secret from webhooks')
    expect(row?.secret).toMatch(/^v1\./)
    expect(row?.secret).not.toContain('whsec_')
    expect(row?.secret).not.toContain(secret.slice(6, 20))
  })

  it('changes, honours If-Match, and deletes; 404 after', async () => {
    const { id } = await subscribe(['tag.created'])
    const url = `/v1/webhooks/${id}`
    const etag = (await t.app.inject({ url, headers: t.adminAuth })).headers.etag as string
    const patched = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...t.adminAuth, 'if-match': etag },
      payload: { events: ['tag.created', 'tag.deleted'], enabled: false },
    })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ events: ['tag.created', 'tag.deleted'], enabled: false })
    const stale = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...t.adminAuth, 'if-match': etag },
      payload: { description: 'lost' },
    })
    expect(stale.statusCode).toBe(412)
    expect((await t.app.inject({ url, headers: t.adminAuth })).json().description).toBe('')
    expect((await t.app.inject({ method: 'DELETE', url, headers: t.adminAuth })).statusCode).toBe(204)
    expect((await t.app.inject({ url, headers: t.adminAuth })).statusCode).toBe(404)
  })

  it('refuses without changing anything: 401, 403 (editor), 400 bad bodies, 404 unknown ids', async () => {
    const { id } = await subscribe(['tag.created'])
    const post = (payload: unknown, headers = t.adminAuth) =>
      t.app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload: payload as object })
    expect((await post({ url: receiver.url, events: ['tag.created'] }, {} as never)).statusCode).toBe(401)
    expect((await post({ url: receiver.url, events: ['tag.created'] }, t.editorAuth)).statusCode).toBe(403)
    for (const bad of [
      { url: receiver.url, events: [] },
      { url: receiver.url, events: ['article.exploded'] },
      { url: receiver.url, events: ['tag.created', 'tag.created'] },
      { url: 'not a url', events: ['tag.created'] },
      { url: 'ftp://example.com/', events: ['tag.created'] },
      { url: 'https://user:pw@example.com/', events: ['tag.created'] },
      { url: receiver.url, events: ['tag.created'], secret: 'whsec_mine' },
    ]) {
      const res = await post(bad)
      expect(res.statusCode, JSON.stringify(bad)).toBe(400)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(res.body).not.toContain('user:pw')
    }
    for (const [method, url] of [
      ['GET', '/v1/webhooks/99'],
      ['PATCH', '/v1/webhooks/99'],
      ['DELETE', '/v1/webhooks/99'],
      ['POST', '/v1/webhooks/99/rotate-secret'],
      ['POST', '/v1/webhooks/99/ping'],
      ['GET', '/v1/webhooks/99/deliveries'],
      ['POST', `/v1/webhooks/${id}/deliveries/99/redeliver`],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: t.adminAuth,
        ...(method === 'PATCH' ? { payload: { enabled: true } } : {}),
      })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      expect(res.headers['content-type']).toContain('application/problem+json')
    }
    const badCursor = await t.app.inject({
      url: `/v1/webhooks/${id}/deliveries?cursor=nope`,
      headers: t.adminAuth,
    })
    expect(badCursor.statusCode).toBe(400)
    expect(await t.count('webhooks')).toBe(1)
    expect(await t.count('webhook_deliveries')).toBe(0)
  })

  it('without SECRET_KEY: creating or rotating is a 409 problem, never a 500, and stores nothing', async () => {
    const bare = await buildTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } })
    extra.push(bare)
    const res = await bare.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bare.adminAuth,
      payload: { url: receiver.url, events: ['tag.created'] },
    })
    expect(res.statusCode).toBe(409)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().detail).toContain('SECRET_KEY')
    expect(await bare.count('webhooks')).toBe(0)
  })
})

describe('delivery', () => {
  it('signs as Standard Webhooks says: the reference library verifies it', async () => {
    const { secret } = await subscribe(['article.published'])
    const article = await createArticle(t, { title: 'عاجل' })
    expect(await run(t)).toMatchObject({ attempted: 1 })
    expect(receiver.received).toHaveLength(1)
    const [request] = receiver.received
    const verified = new Webhook(secret).verify(request?.body as string, request?.headers ?? {})
    expect(verified).toMatchObject({
      type: 'article.published',
      data: { id: article.id, slug: article.slug },
    })
    expect(request?.headers['webhook-id']).toMatch(/^msg_/)
    expect(request?.headers['content-type']).toBe('application/json')
    expect(() => new Webhook(secret).verify(`${request?.body} `, request?.headers ?? {})).toThrow()
    const [delivery] = await deliveriesOf(
      (await t.app.inject({ url: '/v1/webhooks', headers: t.adminAuth })).json().data[0].id,
    )
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 204,
      nextAttemptAt: null,
    })
    // Delivered once: another tick sends nothing.
    expect(await run(t)).toMatchObject({ attempted: 0 })
  })

  it('retries a 500 after about 5 s with the same webhook-id, then succeeds', async () => {
    const { id } = await subscribe(['tag.created'])
    let calls = 0
    receiver.answer((_request, response) => {
      calls += 1
      response.writeHead(calls === 1 ? 500 : 200).end(calls === 1 ? 'boom' : 'ok')
    })
    await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'اقتصاد' },
    })
    await run(t)
    let [delivery] = await deliveriesOf(id)
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastResponse: 'boom',
    })
    const wait = waitOf(delivery)
    expect(wait).toBeGreaterThanOrEqual(4500)
    expect(wait).toBeLessThanOrEqual(5500)
    // Not yet due.
    expect(await run(t)).toMatchObject({ attempted: 0 })
    t.clock.advance(6 * SECOND)
    expect(await run(t)).toMatchObject({ attempted: 1 })
    ;[delivery] = await deliveriesOf(id)
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, lastStatusCode: 200 })
    expect(delivery?.attemptLog.map((a) => a.statusCode)).toEqual([500, 200])
    const [first, second] = receiver.received
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id'])
    expect(second?.body).toBe(first?.body)
  })

  it('follows the schedule with jitter, and gives up after the last retry', async () => {
    const { id } = await subscribe(['tag.created'])
    receiver.answer((_request, response) => response.writeHead(503).end())
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'رياضة' } })
    const schedule = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    for (const seconds of schedule) {
      await run(t)
      const [delivery] = await deliveriesOf(id)
      const wait = waitOf(delivery)
      expect(wait).toBeGreaterThanOrEqual(seconds * 900)
      expect(wait).toBeLessThanOrEqual(seconds * 1100)
      t.clock.advance(seconds * 1100 + SECOND)
    }
    await run(t)
    const [delivery] = await deliveriesOf(id)
    expect(delivery).toMatchObject({ status: 'failed', attempts: 10, nextAttemptAt: null })
    expect(receiver.received).toHaveLength(10)
  })

  it('honours Retry-After', async () => {
    const { id } = await subscribe(['tag.created'])
    let calls = 0
    receiver.answer((_request, response) => {
      calls += 1
      if (calls === 1) response.writeHead(429, { 'retry-after': '120' }).end()
      else response.writeHead(204).end()
    })
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'طقس' } })
    await run(t)
    const [delivery] = await deliveriesOf(id)
    expect(waitOf(delivery)).toBe(120 * SECOND)
    t.clock.advance(60 * SECOND)
    expect(await run(t)).toMatchObject({ attempted: 0 })
    t.clock.advance(61 * SECOND)
    expect(await run(t)).toMatchObject({ attempted: 1 })
    expect((await deliveriesOf(id))[0]?.status).toBe('succeeded')
  })

  it('a 410 disables the webhook: the delivery fails, later events are not queued for it', async () => {
    const { id } = await subscribe(['tag.created'])
    receiver.answer((_request, response) => response.writeHead(410).end())
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'علوم' } })
    await run(t)
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: 'failed', lastStatusCode: 410 })
    const webhook = (await t.app.inject({ url: `/v1/webhooks/${id}`, headers: t.adminAuth })).json()
    expect(webhook).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') })
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'فنون' } })
    expect(await deliveriesOf(id)).toHaveLength(1)
    const ping = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${id}/ping`, headers: t.adminAuth })
    expect(ping.statusCode).toBe(409)
    // Enabled again: the reason goes.
    const enabled = await t.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${id}`,
      headers: t.adminAuth,
      payload: { enabled: true },
    })
    expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null })
  })

  it('does not follow a redirect: a 3xx is a failure, and the target is never asked', async () => {
    const { id } = await subscribe(['tag.created'])
    receiver.answer((request, response) => {
      if (request.path === '/hook') response.writeHead(302, { location: '/elsewhere' }).end()
      else response.writeHead(204).end()
    })
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'سفر' } })
    await run(t)
    expect(receiver.received.map((request) => request.path)).toEqual(['/hook'])
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: 'pending', lastStatusCode: 302 })
  })

  it('gives up on a receiver that does not answer within the time limit', async () => {
    const slow = await app({}, { webhookTimeoutMs: 300 })
    extra.push(slow)
    const { id } = await subscribe(['tag.created'], receiver.url, slow)
    receiver.answer(() => {}) // never answers
    await slow.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: slow.editorAuth,
      payload: { name: 'بطء' },
    })
    await run(slow)
    const [delivery] = await deliveriesOf(id, slow)
    expect(delivery).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: 'timed out after 300 ms',
    })
    expect(delivery?.lastDurationMs).toBeGreaterThanOrEqual(290)
    expect(delivery?.lastDurationMs).toBeLessThan(5000)
  })

  it('keeps the first 1 KB of an answer, no more', async () => {
    const { id } = await subscribe(['tag.created'])
    receiver.answer((_request, response) => response.writeHead(200).end('x'.repeat(5000)))
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'طويل' } })
    await run(t)
    const [delivery] = await deliveriesOf(id)
    expect(delivery?.status).toBe('succeeded')
    expect(delivery?.lastResponse).toBe('x'.repeat(1024))
    expect(delivery?.attemptLog[0]?.response).toHaveLength(1024)
  })

  it('ping, the deliveries newest first with cursor paging, and redeliver with the same webhook-id', async () => {
    const { id } = await subscribe(['tag.created'])
    const ping = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${id}/ping`, headers: t.adminAuth })
    expect(ping.statusCode, ping.body).toBe(202)
    expect(ping.json()).toMatchObject({ eventType: 'webhook.ping', status: 'pending', attempts: 0 })
    for (const name of ['أ', 'ب', 'ج'])
      await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name } })
    await run(t)
    expect(eventTypes()).toEqual(['webhook.ping', 'tag.created', 'tag.created', 'tag.created'])

    const first = await t.app.inject({ url: `/v1/webhooks/${id}/deliveries?perPage=3`, headers: t.adminAuth })
    expect(first.statusCode).toBe(200)
    expect(first.headers['x-total-count']).toBe('4')
    const page = first.json()
    expect(page.data.map((d: { id: number }) => d.id)).toEqual([4, 3, 2])
    expect(page.data[0].payload.data.name).toBe('ج')
    const rest = await t.app.inject({
      url: `/v1/webhooks/${id}/deliveries?perPage=3&cursor=${page.meta.nextCursor}`,
      headers: t.adminAuth,
    })
    expect(rest.json().data.map((d: { id: number }) => d.id)).toEqual([1])
    expect(rest.json().meta.nextCursor).toBeNull()

    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${id}/deliveries/2/redeliver`,
      headers: t.adminAuth,
    })
    expect(again.statusCode, again.body).toBe(202)
    expect(again.json()).toMatchObject({ id: 5, status: 'pending', eventType: 'tag.created' })
    await run(t)
    expect(receiver.received).toHaveLength(5)
    expect(receiver.received[4]?.headers['webhook-id']).toBe(receiver.received[1]?.headers['webhook-id'])
  })

  it('rotation: both signatures verify for 24 hours, then only the new one', async () => {
    const { id, secret: old } = await subscribe(['tag.created'])
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${id}/rotate-secret`,
      headers: t.adminAuth,
    })
    expect(rotated.statusCode, rotated.body).toBe(200)
    const { secret: fresh, previousSecretExpiresAt } = rotated.json()
    expect(fresh).not.toBe(old)
    expect(Date.parse(previousSecretExpiresAt) - t.clock.now().getTime()).toBeGreaterThan(23 * HOUR)

    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'دوران' } })
    await run(t)
    const during = receiver.received[0]
    expect(during?.headers['webhook-signature']?.split(' ')).toHaveLength(2)
    for (const secret of [old, fresh])
      expect(() => new Webhook(secret).verify(during?.body as string, during?.headers ?? {})).not.toThrow()

    t.clock.advance(24 * HOUR + SECOND)
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'بعد' } })
    await run(t)
    const after = receiver.received[1]
    expect(after?.headers['webhook-signature']?.split(' ')).toHaveLength(1)
    expect(() => new Webhook(fresh).verify(after?.body as string, after?.headers ?? {})).not.toThrow()
    expect(() => new Webhook(old).verify(after?.body as string, after?.headers ?? {})).toThrow()
  })
})

describe('events', () => {
  it('articles: published, updated, unpublished (draft and rescheduled), published again, deleted', async () => {
    await subscribe()
    const article = await createArticle(t)
    const url = `/v1/articles/${article.id}`
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url, headers: t.editorAuth, payload })
    await patch({ title: 'عنوان جديد' })
    await patch({ status: 'draft' })
    await patch({ title: 'مسودة' }) // a draft's change: nobody outside hears of it
    await patch({ status: 'published', publishedAt: t.clock.now().toISOString() })
    await patch({ publishedAt: new Date(t.clock.now().getTime() + HOUR).toISOString() })
    await t.app.inject({ method: 'DELETE', url, headers: t.editorAuth })
    await run(t)
    expect(eventTypes()).toEqual([
      'article.published',
      'article.updated',
      'article.unpublished',
      'article.published',
      'article.unpublished',
      'article.deleted',
    ])
    expect(receiver.events()[1]?.data).toMatchObject({
      id: article.id,
      slug: article.slug,
      title: 'عنوان جديد',
    })
    for (const event of receiver.events()) expect(Date.parse(event.timestamp)).not.toBeNaN()
  })

  it('a scheduled article: article.published exactly once when its time comes, however many ticks race', async () => {
    await subscribe(['article.published'])
    const at = new Date(t.clock.now().getTime() + HOUR).toISOString()
    const article = await createArticle(t, { publishedAt: at })
    await run(t)
    expect(receiver.received).toHaveLength(0)
    t.clock.advance(HOUR + SECOND)
    const [a, b, tick, c] = await Promise.all([
      t.services.articles.announceDue(),
      t.services.articles.announceDue(),
      run(t),
      t.services.articles.announceDue(),
    ])
    expect(a + b + c + tick.announced).toBe(1)
    // Later ticks, and a restart's first tick (a new app on the same data), find nothing left to announce.
    await run(t)
    const restarted = await app({}, { database: t.database })
    extra.push(restarted)
    expect(await run(restarted)).toMatchObject({ announced: 0 })
    expect(receiver.events()).toEqual([
      expect.objectContaining({
        type: 'article.published',
        data: expect.objectContaining({ id: article.id }),
      }),
    ])
  })

  it('tags: created, updated, deleted; a tag made on the way through an article is not announced', async () => {
    await subscribe(['tag.created', 'tag.updated', 'tag.deleted'])
    const tag = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name: 'سياسة' },
      })
    ).json()
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/tags/${tag.id}`,
      headers: t.editorAuth,
      payload: { description: 'أخبار' },
    })
    await t.app.inject({ method: 'DELETE', url: `/v1/tags/${tag.id}`, headers: t.editorAuth })
    await createArticle(t, { status: 'draft', tags: ['سري'] })
    await run(t)
    expect(eventTypes()).toEqual(['tag.created', 'tag.updated', 'tag.deleted'])
    expect(receiver.events()[1]?.data).toEqual({
      id: tag.id,
      slug: tag.slug,
      name: 'سياسة',
      description: 'أخبار',
    })
  })

  it('comments: created and approved, with no e-mail address or IP of the commenter in any payload', async () => {
    await subscribe(['comment.created', 'comment.approved'])
    const article = await createArticle(t)
    const input = commentInput({ authorEmail: 'secret.reader@example.org' })
    const posted = await postComment(t, article.id, input, { remoteAddress: '203.0.113.77' })
    expect(posted.statusCode).toBe(201)
    await setCommentStatus(t, posted.json().id, 'approved')
    // Spam (the honeypot) is filed quietly.
    await postComment(t, article.id, commentInput({ honeypot: 'buy now' }))
    await run(t)
    expect(eventTypes()).toEqual(['comment.created', 'comment.approved'])
    expect(receiver.events()[0]?.data).toMatchObject({
      id: posted.json().id,
      articleId: article.id,
      status: 'pending',
    })
    for (const request of receiver.received) {
      expect(request.body).not.toContain('secret.reader')
      expect(request.body).not.toContain('203.0.113.77')
      expect(request.body).not.toMatch(/email|clientIp/i)
    }
  })

  it('a WordPress import sends one import.completed with its counts and nothing for the content', async () => {
    await subscribe()
    const report = await importText(t, arabicText())
    await run(t)
    expect(eventTypes()).toEqual(['import.completed'])
    expect(receiver.events()[0]?.data).toMatchObject({
      items: report.items,
      counts: { post: { created: report.counts.post.created } },
    })
    expect(receiver.received[0]?.body).not.toMatch(/@/)
    // A dry run sends nothing.
    await importText(t, arabicText(), { dryRun: true })
    await run(t)
    expect(receiver.received).toHaveLength(1)
  })

  it('a write that is rolled back records nothing: 412 and 409 leave the outbox empty', async () => {
    await subscribe()
    const article = await createArticle(t)
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'موجود' } })
    const before = await t.count('webhook_events')
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      headers: { ...t.editorAuth, 'if-match': '"stale"' },
      payload: { title: 'لن يحدث' },
    })
    expect(stale.statusCode).toBe(412)
    const taken = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'موجود' },
    })
    expect(taken.statusCode).toBe(409)
    const slugTaken = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'x', body: 'y', status: 'published', slug: article.slug },
    })
    expect(slugTaken.statusCode).toBe(409)
    expect(await t.count('webhook_events')).toBe(before)
    await run(t)
    expect(eventTypes()).toEqual(['article.published', 'tag.created'])
  })

  it('no webhook, no outbox rows', async () => {
    await createArticle(t)
    expect(await t.count('webhook_events')).toBe(0)
  })
})

describe('address rules (WEBHOOKS_ALLOW_PRIVATE off)', () => {
  it('refuses http, loopback, private, link-local, metadata and localhost URLs at create time: 400', async () => {
    const strict = await app({ WEBHOOKS_ALLOW_PRIVATE: 'false' })
    extra.push(strict)
    for (const url of [
      'http://hooks.example.com/',
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00:ec2::254]/',
      'https://100.64.0.1/',
      'https://localhost:8443/hook',
    ]) {
      const res = await strict.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: strict.adminAuth,
        payload: { url, events: ['tag.created'] },
      })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().errors).toEqual([{ path: 'url', message: expect.any(String) }])
      expect(res.body).not.toContain(url)
    }
    expect(await strict.count('webhooks')).toBe(0)
    const ok = await strict.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: strict.adminAuth,
      payload: { url: 'https://hooks.example.com/sahifa', events: ['tag.created'] },
    })
    expect(ok.statusCode).toBe(201)
  })

  it('refuses at send time an address it resolves to a private range, and http: the delivery fails, nothing is sent', async () => {
    // Saved by a lenient node, sent by a strict one, on the same database.
    const strict = await app({ WEBHOOKS_ALLOW_PRIVATE: 'false' }, { database: t.database })
    extra.push(strict)
    const byName = await subscribe(['tag.created'], `https://localhost:${receiver.port}/hook`)
    const byAddress = await subscribe(['tag.created'], `https://127.0.0.1:${receiver.port}/hook`)
    const plain = await subscribe(['tag.created'], receiver.url)
    await t.app.inject({ method: 'POST', url: '/v1/tags', headers: t.editorAuth, payload: { name: 'خطر' } })
    expect(await run(strict)).toMatchObject({ attempted: 3 })
    expect(receiver.received).toHaveLength(0)
    for (const { id } of [byName, byAddress]) {
      const [delivery] = await deliveriesOf(id)
      expect(delivery).toMatchObject({ status: 'failed', lastStatusCode: null, nextAttemptAt: null })
      expect(delivery?.lastError).toMatch(/^refused: the host resolves to a loopback/)
    }
    expect((await deliveriesOf(plain.id))[0]).toMatchObject({
      status: 'failed',
      lastError: 'refused: the URL is not https',
    })
  })
})
