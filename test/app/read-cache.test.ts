/**
 * The read cache (plugins/read-cache.ts) and the kept list totals (articles.service.ts): public answers served from
 * memory until a change or a scheduled go-live, never to a token, bounded by READ_CACHE_MB. "From memory" is shown
 * by changing a row behind the app's back: a cached answer does not see it, anything read from the database does.
 * Totals are kept as promises, so readers that miss together share one count.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import { openDatabase } from '../../src/db/open.js'
import { createLogger } from '../../src/logger.js'
import { createServices } from '../../src/services.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { migratedDatabase, TEST_ENGINE, urlOf } from '../helpers/engine.js'
import { queriesDuring as recordQueries } from '../helpers/queries.js'

let t: TestApp
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  await t?.app.close()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers })

/** Renames an article in the database without going through the API: nothing is told of it. */
const renameBehindTheBack = (id: number, title: string) =>
  t.query('update articles set title = ? where id = ?', title, id)

/** How many queries the app's repositories send while `fn` runs (transactions count by their statements). */
const queriesDuring = async (fn: () => Promise<unknown>) => (await recordQueries(t.database, fn)).length

describe('the read cache', () => {
  it('serves a repeated public GET from memory, with the same bytes and headers, running no query', async () => {
    t = await buildTestApp()
    const article = await createArticle(t, { title: 'first', tags: ['one'] })
    for (const url of [`/v1/articles/${article.id}`, '/v1/articles?perPage=5', '/v1/tags']) {
      const first = await get(url)
      expect(first.statusCode).toBe(200)
      let second: Awaited<ReturnType<typeof get>> | undefined
      expect(await queriesDuring(async () => (second = await get(url)))).toBe(0)
      expect(second?.body).toBe(first.body)
      for (const header of ['etag', 'cache-control', 'content-type', 'x-total-count', 'link'])
        expect(second?.headers[header], header).toEqual(first.headers[header])
      // Set for every request, not stored with the answer.
      expect(second?.headers['x-request-id']).not.toBe(first.headers['x-request-id'])
      expect(second?.headers['x-content-type-options']).toBe('nosniff')
    }
    await renameBehindTheBack(article.id, 'renamed behind the back')
    expect((await get(`/v1/articles/${article.id}`)).json().title).toBe('first')
  })

  it('answers If-None-Match on a cached answer with 304, running no query', async () => {
    t = await buildTestApp()
    const article = await createArticle(t)
    const url = `/v1/articles/${article.id}`
    const etag = (await get(url)).headers.etag as string
    let answer: Awaited<ReturnType<typeof get>> | undefined
    expect(await queriesDuring(async () => (answer = await get(url, { 'if-none-match': etag })))).toBe(0)
    expect(answer?.statusCode).toBe(304)
    expect(answer?.body).toBe('')
    expect(answer?.headers.etag).toBe(etag)
  })

  it('never serves or keeps an answer to a token, nor one that is not public', async () => {
    t = await buildTestApp()
    const article = await createArticle(t, { title: 'first' })
    const url = `/v1/articles/${article.id}`
    await get(url)
    await renameBehindTheBack(article.id, 'second')
    const withToken = await get(url, t.editorAuth)
    expect(withToken.json().title).toBe('second')
    expect(withToken.headers['cache-control']).toBe('private, no-store')
    expect((await get(url)).json().title).toBe('first')

    // A draft read with a token first is not then served to the public.
    const draft = await createArticle(t, { status: 'draft' })
    expect((await get(`/v1/articles/${draft.id}`, t.editorAuth)).statusCode).toBe(200)
    expect((await get(`/v1/articles/${draft.id}`)).statusCode).toBe(404)

    // /health chooses no-store: it is asked of the database every time.
    expect((await get('/health')).headers['cache-control']).toContain('no-store')
  })

  it('is stale before a write through the API answers: article, list, comments count, tag, delete', async () => {
    t = await buildTestApp({ env: { COMMENTS_AUTO_APPROVE: 'true' } })
    const article = await createArticle(t, { title: 'before', tags: ['old name'] })
    const one = `/v1/articles/${article.id}`
    const list = '/v1/articles'
    const before = { one: await get(one), list: await get(list) }

    const patched = await t.app.inject({
      method: 'PATCH',
      url: one,
      headers: t.editorAuth,
      payload: { title: 'after' },
    })
    expect(patched.statusCode).toBe(200)
    const after = await get(one)
    expect(after.json().title).toBe('after')
    expect(after.headers.etag).not.toBe(before.one.headers.etag)
    expect((await get(list)).json().data[0].title).toBe('after')

    const comment = await t.app.inject({
      method: 'POST',
      url: `${one}/comments`,
      payload: { authorName: 'قارئ', authorEmail: 'reader@example.com', body: 'تعليق' },
    })
    expect(comment.statusCode).toBe(201)
    expect((await get(one)).json().commentCount).toBe(1)

    const tag = (await get(one)).json().tags[0]
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/v1/tags/${tag.id}`,
      headers: t.editorAuth,
      payload: { name: 'new name' },
    })
    expect(renamed.statusCode).toBe(200)
    expect((await get(one)).json().tags[0].name).toBe('new name')

    expect((await t.app.inject({ method: 'DELETE', url: one, headers: t.editorAuth })).statusCode).toBe(204)
    expect((await get(one)).statusCode).toBe(404)
    expect((await get(list)).headers['x-total-count']).toBe('0')
  })

  it('shows a scheduled article when its time comes, with no write', async () => {
    t = await buildTestApp()
    t.clock.set('2030-01-01T10:00:00.000Z')
    await createArticle(t, { title: 'live', publishedAt: '2030-01-01T09:00:00.000Z' })
    const scheduled = await createArticle(t, { title: 'at noon', publishedAt: '2030-01-01T12:00:00.000Z' })
    const url = `/v1/articles/${scheduled.id}`

    expect((await get('/v1/articles')).headers['x-total-count']).toBe('1')
    expect((await get(url)).statusCode).toBe(404)
    t.clock.set('2030-01-01T11:59:59.999Z')
    expect((await get('/v1/articles')).headers['x-total-count']).toBe('1')

    t.clock.set('2030-01-01T12:00:00.000Z')
    const list = await get('/v1/articles')
    expect(list.headers['x-total-count']).toBe('2')
    expect(list.json().data.map((a: { title: string }) => a.title)).toEqual(['at noon', 'live'])
    expect((await get(url)).statusCode).toBe(200)
  })

  it('sees a change another process or node made to the same database', async () => {
    let database: Database
    let url: string
    if (TEST_ENGINE === 'sqlite') {
      // In memory a database has one connection; a file has as many as processes open it.
      const dir = mkdtempSync(join(tmpdir(), 'sahifa-read-cache-'))
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
      url = join(dir, 'sahifa.db')
      database = await openDatabase(url)
      await database.migrate()
    } else {
      database = await migratedDatabase()
      url = urlOf(database)
    }
    t = await buildTestApp({ database })
    cleanups.push(() => database.close())
    const article = await createArticle(t, { title: 'first' })
    expect((await get(`/v1/articles/${article.id}`)).json().title).toBe('first')

    // Another process (an import beside the server, another node): its own connection, its own services.
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', SEED_SAMPLE: 'false' })
    const other = await openDatabase(url)
    const services = await createServices({ database: other, config, logger: createLogger(config) })
    try {
      await services.articles.update(String(article.id), { title: 'changed elsewhere' })
    } finally {
      await services.close()
      await other.close()
    }
    expect((await get(`/v1/articles/${article.id}`)).json().title).toBe('changed elsewhere')
  })

  it('keeps no more than READ_CACHE_MB: the least recently used answer goes first', async () => {
    // Room for two answers of these articles and not three (read-cache.ts counts the body, the key and 200 bytes).
    const body = 'x'.repeat(1000)
    const size = 2 * 200 + 2 * 2 * '/v1/articles/1'.length + 2 * 2600
    t = await buildTestApp({ env: { READ_CACHE_MB: String(size / 1024 / 1024) } })
    const articles = []
    for (let i = 0; i < 3; i++) articles.push(await createArticle(t, { title: `t${i}`, body }))
    for (const article of articles) {
      const length = (await get(`/v1/articles/${article.id}`)).rawPayload.length
      expect(length).toBeGreaterThan(2100)
      expect(length).toBeLessThanOrEqual(2600)
    }
    for (const article of articles) await renameBehindTheBack(article.id, 'renamed')
    expect((await get(`/v1/articles/${articles[2].id}`)).json().title).toBe('t2')
    expect((await get(`/v1/articles/${articles[1].id}`)).json().title).toBe('t1')
    expect((await get(`/v1/articles/${articles[0].id}`)).json().title).toBe('renamed')
  })

  it('is off with READ_CACHE_MB=0', async () => {
    t = await buildTestApp({ env: { READ_CACHE_MB: '0' } })
    const article = await createArticle(t, { title: 'first' })
    await get(`/v1/articles/${article.id}`)
    await renameBehindTheBack(article.id, 'second')
    expect((await get(`/v1/articles/${article.id}`)).json().title).toBe('second')
  })
})

describe('kept list totals (with the read cache off, so each list is read)', () => {
  it('stay exact through creates, deletes, filters and a go-live', async () => {
    t = await buildTestApp({ env: { READ_CACHE_MB: '0' } })
    t.clock.set('2030-01-01T10:00:00.000Z')
    const total = async (query = '') => Number((await get(`/v1/articles?${query}`)).headers['x-total-count'])
    const a = await createArticle(t, { author: 'هدى', tags: ['x'], publishedAt: '2030-01-01T09:00:00.000Z' })
    expect([await total(), await total('author=هدى'), await total('tag=x')]).toEqual([1, 1, 1])

    await createArticle(t, { author: 'هدى', tags: ['x'], publishedAt: '2030-01-01T09:30:00.000Z' })
    expect([await total(), await total('author=هدى'), await total('tag=x')]).toEqual([2, 2, 2])
    await createArticle(t, { tags: ['x'], publishedAt: '2030-01-01T11:00:00.000Z' })
    expect([await total(), await total('tag=x')]).toEqual([2, 2])
    expect(Number((await get('/v1/articles?status=scheduled', t.editorAuth)).headers['x-total-count'])).toBe(
      1,
    )

    t.clock.set('2030-01-01T11:00:00.000Z')
    expect([await total(), await total('tag=x')]).toEqual([3, 3])

    await t.app.inject({ method: 'DELETE', url: `/v1/articles/${a.id}`, headers: t.editorAuth })
    expect([await total(), await total('author=هدى'), await total('tag=x')]).toEqual([2, 1, 2])
  })

  it('are counted once for readers that miss together, then not again until a write', async () => {
    t = await buildTestApp({ env: { READ_CACHE_MB: '0' } })
    t.clock.set('2030-01-01T10:00:00.000Z')
    for (let i = 0; i < 3; i++)
      await createArticle(t, { tags: ['x'], publishedAt: '2030-01-01T09:00:00.000Z' })
    const counts = async (readers: number) => {
      const seen = await recordQueries(t.database, () =>
        Promise.all(
          Array.from({ length: readers }, async () => {
            const res = await get('/v1/articles?tag=x')
            expect(res.headers['x-total-count']).toBe('3')
          }),
        ),
      )
      return seen.filter((sql) => /^select count\(\*\) from "articles"/i.test(sql)).length
    }
    // The tag's total and every live article's (whether the tag is common): once each, not once per reader.
    expect(await counts(8)).toBe(2)
    expect(await counts(8)).toBe(0)
    await createArticle(t, { tags: ['y'], publishedAt: '2030-01-01T09:00:00.000Z' })
    expect(await counts(8)).toBe(2)
  })
})
