/** Helpers for the related-articles tests: calling the routes and reading the link table as stored. */
import { expect } from 'vitest'
import type { TestApp } from './app.js'

export function relatedUrl(idOrSlug: number | string, query = ''): string {
  return `/v1/articles/${encodeURIComponent(String(idOrSlug))}/related${query}`
}

/** GET the related list; `auth` defaults to none (the public). */
export async function getRelated(
  t: TestApp,
  idOrSlug: number | string,
  query = '',
  auth: Record<string, string> = {},
) {
  const res = await t.app.inject({ method: 'GET', url: relatedUrl(idOrSlug, query), headers: auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { data: { id: number; relation: string; status: string }[] }
}

/** The ids of a related list answer, in order. */
export function idsOf(list: { data: { id: number }[] }): number[] {
  return list.data.map((item) => item.id)
}

/** PUT a whole list as an editor and expect it to be accepted. */
export async function putRelated(t: TestApp, idOrSlug: number | string, articleIds: number[]) {
  const res = await t.app.inject({
    method: 'PUT',
    url: relatedUrl(idOrSlug),
    headers: t.editorAuth,
    payload: { articleIds },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** The stored links of an article as [relatedId, position] pairs, by position: what "nothing changed" compares. */
export async function storedLinks(t: TestApp, articleId: number): Promise<[number, number][]> {
  const rows = await t.query<{ related_id: number; position: number }>(
    'SELECT related_id, position FROM related_links WHERE article_id = ? ORDER BY position',
    articleId,
  )
  return rows.map((row) => [row.related_id, row.position])
}

/** Every link touching an article, from or to it. */
export async function linksTouching(t: TestApp, articleId: number): Promise<number> {
  const [row] = await t.query<{ n: number }>(
    'SELECT count(*) AS n FROM related_links WHERE article_id = ? OR related_id = ?',
    articleId,
    articleId,
  )
  return (row as { n: number }).n
}
