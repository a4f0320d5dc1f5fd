/** Arranging test data through the API itself, so tests exercise the same paths users do. */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { TestApp } from './app.js'

export const SAMPLE_TITLE = 'بوتين يتجاهل تهديدات ترامب ويبحث مع روحاني بطهران الاتفاق النووي والملف السوري'
export const SAMPLE_SLUG = 'بوتين-يتجاهل-تهديدات-ترامب-ويبحث-مع-روحاني-بطهران-الاتفاق-النووي-والملف-السوري'
export const SAMPLE_BODY = readFileSync(
  new URL('../../seeds/bodies/putin-in-iran.md', import.meta.url),
  'utf8',
)

export interface ArticleInput {
  title?: string
  body?: string
  [field: string]: unknown
}

let counter = 0

/** Creates an article through POST /v1/articles (published now unless told otherwise) and returns its JSON. */
export async function createArticle(t: TestApp, input: ArticleInput = {}) {
  counter += 1
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: t.editorAuth,
    payload: {
      title: `Article ${counter}`,
      body: `Body of article ${counter}.`,
      status: 'published',
      ...input,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

/** A time `minutes` from now, as the API writes times. */
export function minutesFromNow(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString()
}
