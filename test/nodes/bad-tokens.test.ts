/**
 * The invalid-token counters are shared by the nodes, as the comment limit's are: a client that used up its
 * failures on one node is held on the other, through the rate_limits table or through Redis. `npm run test:pg` only.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { openPg } from '../../src/db/pg/database.js'
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../helpers/app.js'
import { TEST_REDIS_URL, urlOf } from '../helpers/engine.js'
import { expectProblem } from '../helpers/http.js'

/** An address no earlier run has used, so counters left in Redis cannot interfere. */
function freshIp(): string {
  const [a, b, c] = randomBytes(3)
  return `10.${a}.${b}.${c}`
}

const opened: { a?: TestApp; b?: TestApp; second?: ReturnType<typeof openPg> } = {}

afterEach(async () => {
  const { a, b, second } = opened
  opened.a = opened.b = opened.second = undefined
  await b?.app.close()
  await second?.close()
  await a?.app.close()
})

for (const shared of ['postgres', 'redis'] as const) {
  describe(`two nodes sharing ${shared === 'redis' ? 'Redis' : 'PostgreSQL only'}`, () => {
    it('hold a client on one node once it used up its invalid tokens on the other', async () => {
      const env: Record<string, string> = {
        RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '2',
        ...(shared === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}),
      }
      const a = await buildTestApp({ env })
      opened.a = a
      if (a.database.engine !== 'pg')
        throw new Error('the multi-node tests run on PostgreSQL (npm run test:pg)')
      opened.second = openPg(urlOf(a.database), { max: 4 })
      const b = await buildTestApp({ env, database: opened.second })
      opened.b = b

      const client = freshIp()
      const guess = (node: TestApp, token = 'sahifa_wrong-guess-0123456789abcdef') =>
        node.app.inject({
          url: '/v1/tokens',
          remoteAddress: client,
          headers: { authorization: `Bearer ${token}` },
        })
      expectProblem(await guess(a), 401)
      expectProblem(await guess(b), 401)
      const held = expectProblem(await guess(a), 429)
      expect(held.detail).toContain('invalid tokens')
      expectProblem(await guess(b, ADMIN_TOKEN), 429)
      // Another client reaches either node.
      const other = freshIp()
      for (const node of [a, b]) {
        const res = await node.app.inject({
          url: '/v1/tokens',
          remoteAddress: other,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        })
        expect(res.statusCode).toBe(200)
      }
    })
  })
}
