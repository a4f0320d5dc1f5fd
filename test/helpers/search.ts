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

/** Every article has exactly one index row and the index has no row without an article. */
export function expectIndexInStep(t: TestApp): void {
  const articleIds = t.sqlite.prepare('SELECT id FROM articles ORDER BY id').pluck().all()
  const indexed = t.sqlite.prepare('SELECT rowid FROM articles_fts ORDER BY rowid').pluck().all()
  expect(indexed).toEqual(articleIds)
}
