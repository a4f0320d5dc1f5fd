/**
 * Concurrent writers on one node, on the engine under test: the rules hold without a single-writer assumption
 * (SQLite's writer queue; PostgreSQL's row and advisory locks). test/nodes repeats them across two nodes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { commentInput, postComment } from '../helpers/comments.js'
import { createArticle } from '../helpers/data.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

describe('concurrent writers', () => {
  it('two PATCHes with one If-Match: one 200, one 412', async () => {
    const article = await createArticle(t)
    const url = `/v1/articles/${article.id}`
    const etag = (await t.app.inject({ url, headers: t.editorAuth })).headers.etag as string
    const answers = await Promise.all(
      ['one', 'two'].map((title) =>
        t.app.inject({
          method: 'PATCH',
          url,
          headers: { ...t.editorAuth, 'if-match': etag },
          payload: { title },
        }),
      ),
    )
    expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 412])
  })

  it('two tag PATCHes with one If-Match: one 200, one 412', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: t.editorAuth,
      payload: { name: 'اقتصاد' },
    })
    const url = `/v1/tags/${created.json().id}`
    const etag = (await t.app.inject({ url })).headers.etag as string
    const answers = await Promise.all(
      ['أ', 'ب'].map((description) =>
        t.app.inject({
          method: 'PATCH',
          url,
          headers: { ...t.editorAuth, 'if-match': etag },
          payload: { description },
        }),
      ),
    )
    expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 412])
  })

  it('ten creates racing for one derived slug get distinct slugs', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/articles',
          headers: t.editorAuth,
          payload: { title: 'خبر عاجل', body: 'نص', tags: ['عاجل'] },
        }),
      ),
    )
    expect(answers.map((res) => res.statusCode)).toEqual(Array(10).fill(201))
    const slugs = answers.map((res) => res.json().slug).sort()
    expect(slugs).toEqual(['خبر-عاجل', ...Array.from({ length: 9 }, (_, i) => `خبر-عاجل-${i + 2}`)].sort())
    // One tag, however many writers created it at once.
    expect(await t.count('tags')).toBe(1)
  })

  it('two identical comments racing: one 201, one 409', async () => {
    const article = await createArticle(t)
    const input = commentInput()
    const answers = await Promise.all([postComment(t, article.id, input), postComment(t, article.id, input)])
    expect(answers.map((res) => res.statusCode).sort()).toEqual([201, 409])
    expect(await t.count('comments')).toBe(1)
  })

  it('a read while a write is under way sees the state before or after it, never a 500', async () => {
    const article = await createArticle(t, { tags: ['أ'] })
    const url = `/v1/articles/${article.id}`
    const [patched, read] = await Promise.all([
      t.app.inject({ method: 'PATCH', url, headers: t.editorAuth, payload: { title: 'بعد', tags: ['ب'] } }),
      t.app.inject({ url }),
    ])
    expect(patched.statusCode).toBe(200)
    expect(read.statusCode).toBe(200)
    const seen = read.json()
    expect([JSON.stringify([article.title, ['أ']]), JSON.stringify(['بعد', ['ب']])]).toContain(
      JSON.stringify([seen.title, seen.tags.map((tag: { name: string }) => tag.name)]),
    )
  })
})
