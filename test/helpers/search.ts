/** Helpers for the search tests: list requests with a query string, and index consistency checks. */
import { expect } from 'vitest'
import type { TestApp } from './app.js'

/** GET a list with the given query parameters (URL-encoded here) and return the parsed answer. */
export async function list(
  t: TestApp,
  path: '/v1/articles' | '/v1/tags',
  params: Record<string, string | number>,
  headers: Record<string, string> = {},
) {
  const query = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString()
  return t.app.inject({ method: 'GET', url: query ? `${path}?${query}` : path, headers })
}

/** The ids an article search answers with, in order; fails the test on anything but 200. */
export async function searchIds(
  t: TestApp,
  params: Record<string, string | number>,
  headers: Record<string, string> = {},
): Promise<number[]> {
  const res = await list(t, '/v1/articles', params, headers)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data.map((article: { id: number }) => article.id)
}

/**
 * Every article has exactly one index row and the index has no row without an article: the index's own size
 * (the SearchIndex port), and the ids of its rows (FTS5 rowids on SQLite, article_search on PostgreSQL).
 */
export async function expectIndexInStep(t: TestApp): Promise<void> {
  const articleIds = (await t.query<{ id: number }>('SELECT id FROM articles ORDER BY id')).map(
    (row) => row.id,
  )
  expect(await t.services.search.size()).toBe(articleIds.length)
  const indexed =
    t.database.engine === 'sqlite'
      ? await t.query<{ id: number }>('SELECT rowid AS id FROM articles_fts ORDER BY rowid')
      : await t.query<{ id: number }>('SELECT article_id AS id FROM article_search ORDER BY article_id')
  expect(indexed.map((row) => row.id)).toEqual(articleIds)
}
