/**
 * Two app instances on one PostgreSQL database, as two nodes behind a load balancer: first sharing only the
 * database (LISTEN/NOTIFY, the rate_limits table), then with Redis too. Part of `npm run test:pg` only.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPg } from '../../src/db/pg/database.js'
import type { Change } from '../../src/nodes/change-signal.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { commentInput, postComment } from '../helpers/comments.js'
import { createArticle } from '../helpers/data.js'
import { TEST_REDIS_URL, urlOf } from '../helpers/engine.js'

const LIMIT = 3

/** A client address no earlier run has used, so counters left in Redis or the table cannot interfere. */
function freshIp(): string {
  const [a, b, c] = randomBytes(3)
  return `10.${a}.${b}.${c}`
}

for (const shared of ['postgres', 'redis'] as const) {
  describe(`two nodes sharing ${shared === 'redis' ? 'PostgreSQL and Redis' : 'PostgreSQL only'}`, () => {
    let a: TestApp
    let b: TestApp
    let second: ReturnType<typeof openPg> | undefined
    const env: Record<string, string> = {
      RATE_LIMIT_COMMENTS_PER_MINUTE: String(LIMIT),
      ...(shared === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}),
    }

    beforeAll(async () => {
      a = await buildTestApp({ env })
      if (a.database.engine !== 'pg')
        throw new Error('the multi-node test runs on PostgreSQL (npm run test:pg)')
      second = openPg(urlOf(a.database), { max: 4 })
      b = await buildTestApp({ env, database: second })
    })

    afterAll(async () => {
      await b?.app.close()
      await second?.close()
      await a?.app.close()
    })

    it('a write on one node is read on the other at once: same bytes, same ETag', async () => {
      const created = await createArticle(a, { title: 'بوتين في إيران', tags: ['إيران'] })
      const url = `/v1/articles/${encodeURIComponent(created.slug)}`
      const [fromA, fromB] = await Promise.all([a.app.inject({ url }), b.app.inject({ url })])
      expect(fromB.statusCode).toBe(200)
      expect(fromB.body).toBe(fromA.body)
      expect(fromB.headers.etag).toBe(fromA.headers.etag)

      const patched = await b.app.inject({
        method: 'PATCH',
        url,
        headers: b.editorAuth,
        payload: { title: 'بوتين في طهران' },
      })
      expect(patched.statusCode).toBe(200)
      const again = await a.app.inject({ url })
      expect(again.json().title).toBe('بوتين في طهران')
      expect(again.headers.etag).not.toBe(fromA.headers.etag)
    })

    it('two PATCHes with one If-Match on two nodes: one 200, one 412', async () => {
      const created = await createArticle(a)
      const url = `/v1/articles/${created.id}`
      const etag = (await a.app.inject({ url, headers: a.editorAuth })).headers.etag as string
      const patch = (node: TestApp, title: string) =>
        node.app.inject({
          method: 'PATCH',
          url,
          headers: { ...node.editorAuth, 'if-match': etag },
          payload: { title },
        })
      const answers = await Promise.all([patch(a, 'from a'), patch(b, 'from b')])
      expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 412])
      const winner = answers.find((res) => res.statusCode === 200)?.json().title
      expect((await b.app.inject({ url })).json().title).toBe(winner)
    })

    it('ten creates racing for one derived slug get distinct slugs, never a 500', async () => {
      // Ends in a letter, so no title reads as a derived '-n' suffix.
      const title = `سباق ${randomBytes(3).toString('hex')}x`
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).app.inject({
            method: 'POST',
            url: '/v1/articles',
            headers: (i % 2 === 0 ? a : b).editorAuth,
            payload: { title, body: 'نص', status: 'published' },
          }),
        ),
      )
      expect(answers.map((res) => res.statusCode)).toEqual(Array(10).fill(201))
      const slugs = answers.map((res) => res.json().slug).sort()
      const base = answers[0]?.json().slug.replace(/-\d+$/, '')
      expect(new Set(slugs).size).toBe(10)
      expect(slugs).toEqual([base, ...Array.from({ length: 9 }, (_, i) => `${base}-${i + 2}`)].sort())
    })

    it('two identical comments racing on two nodes: one 201, one 409', async () => {
      const article = await createArticle(a)
      const input = commentInput()
      const ip = freshIp()
      const answers = await Promise.all([
        postComment(a, article.id, input, { remoteAddress: ip }),
        postComment(b, article.id, input, { remoteAddress: ip }),
      ])
      expect(answers.map((res) => res.statusCode).sort()).toEqual([201, 409])
    })

    it('the comment limit is shared: the nodes together allow RATE_LIMIT_COMMENTS_PER_MINUTE', async () => {
      const article = await createArticle(a)
      const ip = freshIp()
      const statuses: number[] = []
      for (let i = 0; i < LIMIT + 2; i++) {
        const res = await postComment(i % 2 === 0 ? a : b, article.id, commentInput(), { remoteAddress: ip })
        statuses.push(res.statusCode)
        if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
      }
      expect(statuses).toEqual([...Array(LIMIT).fill(201), 429, 429])
      // Another client is not held back by this one's count.
      expect(
        (await postComment(b, article.id, commentInput(), { remoteAddress: freshIp() })).statusCode,
      ).toBe(201)
    })

    it('a token revoked on one node is refused by the other at once', async () => {
      const created = await a.app.inject({
        method: 'POST',
        url: '/v1/tokens',
        headers: a.adminAuth,
        payload: { name: 'desk', role: 'editor' },
      })
      const { id, token } = created.json()
      const auth = { authorization: `Bearer ${token}` }
      expect((await b.app.inject({ url: '/v1/comments', headers: auth })).statusCode).toBe(200)
      expect(
        (await a.app.inject({ method: 'DELETE', url: `/v1/tokens/${id}`, headers: a.adminAuth })).statusCode,
      ).toBe(204)
      expect((await b.app.inject({ url: '/v1/comments', headers: auth })).statusCode).toBe(401)
    })

    it('every node hears that something changed on another', async () => {
      const heard: Change[] = []
      const unsubscribe = b.services.changes.subscribe((change) => heard.push(change))
      try {
        const created = await createArticle(a)
        await expect.poll(() => heard.some((c) => c.topic === 'articles' && c.id === created.id)).toBe(true)
      } finally {
        unsubscribe()
      }
    })

    it('/health checks what the node depends on', async () => {
      const res = await b.app.inject({ url: '/health' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ status: 'ok' })
    })
  })
}
