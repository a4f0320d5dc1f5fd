/** Arranging comments through the API: posting as a reader, moderating as an editor. */
import { expect } from 'vitest'
import type { TestApp } from './app.js'

let counter = 0

/** A valid comment body with a unique e-mail address and text, so no two collide as duplicates. */
export function commentInput(overrides: Record<string, unknown> = {}) {
  counter += 1
  return {
    authorName: 'قارئ',
    authorEmail: `reader${counter}@example.com`,
    body: `تعليق رقم ${counter}`,
    ...overrides,
  }
}

export interface PostOptions {
  headers?: Record<string, string>
  remoteAddress?: string
}

/** POST /v1/articles/:idOrSlug/comments, answer unchecked. */
export function postComment(
  t: TestApp,
  article: number | string,
  payload: unknown,
  options: PostOptions = {},
) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/articles/${encodeURIComponent(String(article))}/comments`,
    payload: payload as object,
    headers: options.headers,
    remoteAddress: options.remoteAddress,
  })
}

/** Posts a comment that must be accepted and returns its JSON. */
export async function createComment(t: TestApp, article: number | string, overrides = {}) {
  const res = await postComment(t, article, commentInput(overrides))
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

/** PATCHes a comment's status as an editor. */
export async function setCommentStatus(t: TestApp, id: number, status: string) {
  const res = await t.app.inject({
    method: 'PATCH',
    url: `/v1/comments/${id}`,
    headers: t.editorAuth,
    payload: { status },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** Posts a comment and approves it. */
export async function createApprovedComment(t: TestApp, article: number | string, overrides = {}) {
  const comment = await createComment(t, article, overrides)
  return setCommentStatus(t, comment.id, 'approved')
}

/** The article's commentCount as GET /v1/articles/:id answers it. */
export async function commentCountOf(t: TestApp, articleId: number): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/articles/${articleId}`, headers: t.editorAuth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().commentCount
}

/** Every comment row, straight from the table (e-mail and IP included), to check what was stored. */
export async function storedComments(t: TestApp): Promise<Record<string, unknown>[]> {
  return t.query('select * from comments order by id')
}
