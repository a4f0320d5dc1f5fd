/**
 * A unit test of the search indexes with small tuning numbers: the order of broad queries on both engines (the
 * engine TEST_ENGINE names), and, on SQLite, both of FTS5's filter methods, on the index copies and on id
 * sets (PostgreSQL has one method: there both settings of setsFrom run the same statement). Articles are created
 * through the real services on a migrated database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import type { PgDatabase } from '../../src/db/pg/database.js'
import type { SqliteDatabase } from '../../src/db/sqlite/database.js'
import { slugify } from '../../src/lib/slug.js'
import { createLogger } from '../../src/logger.js'
import {
  type RankedIds,
  SEARCH_TUNING,
  type SearchFilter,
  type SearchTuning,
} from '../../src/modules/search/search.index.js'
import { createPgSearchIndex } from '../../src/modules/search/search.pg.js'
import { queryTerms } from '../../src/modules/search/search.query.js'
import { createSqliteSearchIndex } from '../../src/modules/search/search.sqlite.js'
import { createServices, type Services } from '../../src/services.js'
import { minutesFromNow } from '../helpers/data.js'
import { migratedDatabase, urlOf } from '../helpers/engine.js'

let database: Database
let services: Services
beforeEach(async () => {
  database = await migratedDatabase()
  const config = loadConfig({ DATABASE_URL: urlOf(database), LOG_LEVEL: 'silent' })
  services = await createServices({ database, config, logger: createLogger(config) })
})
afterEach(async () => {
  await services.close()
  await database.close()
})

const TERMS = queryTerms('إيران')
const FULL: SearchTuning = { scoreUpTo: Number.POSITIVE_INFINITY, setsFrom: Number.POSITIVE_INFINITY }

/** The engine's own index with the given tuning. */
function searchIndex(tuning: SearchTuning) {
  return database.engine === 'sqlite'
    ? createSqliteSearchIndex(database as SqliteDatabase, tuning)
    : createPgSearchIndex(database as PgDatabase, tuning)
}

function rankedArticleIds(
  terms: string[],
  filter: SearchFilter,
  limit: number,
  offset: number,
  tuning: SearchTuning = SEARCH_TUNING,
  knownTotal?: number,
): Promise<RankedIds> {
  return searchIndex(tuning).ranked(terms, filter, limit, offset, knownTotal)
}

/** How many articles match and pass the filter, counted with the given tuning. */
function countMatches(terms: string[], filter: SearchFilter, tuning: SearchTuning): Promise<number> {
  return searchIndex(tuning).count(terms, filter)
}

interface Seeded {
  /** Ids of the live articles that mention إيران, oldest first. */
  live: number[]
  /** Of those, the ones with إيران in their title, and the others with it in their excerpt. */
  inTitle: number[]
  inExcerpt: number[]
  /** Of those, the ones that mention روسيا too. */
  withRussia: number[]
  draft: number[]
  scheduled: number[]
  /** Every article that mentions إيران, oldest first. */
  matches: { id: number; state: 'live' | 'draft' | 'scheduled'; author: string; tag: string }[]
}

/**
 * 24 articles that mention إيران, created oldest first: the oldest four have it in their title, so the full
 * ranking puts them first, and every third of the others in its excerpt; every sixth mentions روسيا too. Every
 * fifth is a draft and every seventh is scheduled. Authors and tags alternate. Six more articles do not mention
 * إيران, and say روسيا.
 */
async function seed(): Promise<Seeded> {
  const { articles } = services
  const seeded: Seeded = {
    live: [],
    inTitle: [],
    inExcerpt: [],
    withRussia: [],
    draft: [],
    scheduled: [],
    matches: [],
  }
  // Each create is its own transaction, in this order: ids (the index's keys) grow oldest to newest.
  for (let i = 0; i < 24; i++) {
    const filler = 'كلام عام عن السياسة والاقتصاد. '.repeat(1 + (i % 6))
    const draft = i % 5 === 4
    const scheduled = !draft && i % 7 === 6
    const author = i % 2 === 0 ? 'سارة' : 'علي'
    const tag = i % 3 === 0 ? 'سياسة' : 'اقتصاد'
    const inExcerpt = i >= 4 && i % 3 === 1
    const article = await articles.create({
      title: i < 4 ? `إيران ${i}` : `خبر ${i}`,
      excerpt: inExcerpt ? 'ملخص عن إيران' : 'ملخص',
      body: `${filler} إيران ${'إيران '.repeat(i % 3)} ${filler}${i % 6 === 0 ? ' روسيا' : ''}`,
      author,
      tags: [tag],
      status: draft ? 'draft' : 'published',
      publishedAt: scheduled ? minutesFromNow(60) : draft ? undefined : '2020-01-01T00:00:00.000Z',
    })
    const state = draft ? 'draft' : scheduled ? 'scheduled' : 'live'
    seeded[state].push(article.id)
    if (state === 'live') {
      if (i < 4) seeded.inTitle.push(article.id)
      else if (inExcerpt) seeded.inExcerpt.push(article.id)
      if (i % 6 === 0) seeded.withRussia.push(article.id)
    }
    seeded.matches.push({ id: article.id, state, author, tag })
  }
  for (let i = 0; i < 6; i++) {
    await articles.create({ title: `موسكو ${i}`, body: 'عن روسيا', status: 'published' })
  }
  return seeded
}

function publicFilter(): SearchFilter {
  return { status: 'published', now: new Date().toISOString() }
}

/** Every page, in order, of a search with the given tuning; `knownTotal` hands each page a kept total. */
async function allPages(
  filter: SearchFilter,
  perPage: number,
  tuning: SearchTuning,
  knownTotal?: number,
  terms = TERMS,
) {
  const ids: number[] = []
  const totals = new Set<number>()
  for (let page = 0; ; page++) {
    const result = await rankedArticleIds(terms, filter, perPage, page * perPage, tuning, knownTotal)
    totals.add(result.total)
    if (result.ids.length === 0) break
    ids.push(...result.ids)
  }
  return { ids, totals: [...totals] }
}

const newestFirst = (ids: number[]) => [...ids].sort((a, b) => b - a)

describe('the search index, ranked — bm25 for narrow queries, tiers for broad ones', () => {
  it('the default tuning ranks by bm25 a query whose words are each in up to 500 articles', async () => {
    expect(SEARCH_TUNING.scoreUpTo).toBe(500)
    const { live, inTitle } = await seed()
    const full = await rankedArticleIds(TERMS, publicFilter(), 100, 0, FULL)
    expect(await rankedArticleIds(TERMS, publicFilter(), 100, 0)).toEqual(full)
    expect(full.total).toBe(live.length)
    // The best match is one of the oldest four, which have the word in their title; the newest one is not.
    expect(inTitle).toContain(full.ids[0])
    expect(full.ids[1]).not.toBe(Math.max(...live))
  })

  it('a word in more articles than scoreUpTo: title matches, then excerpt ones, then the rest, newest first in each', async () => {
    const { live, inTitle, inExcerpt } = await seed()
    const rest = live.filter((id) => !inTitle.includes(id) && !inExcerpt.includes(id))
    const expected = [...newestFirst(inTitle), ...newestFirst(inExcerpt), ...newestFirst(rest)]
    for (const perPage of [1, 3, 5, 8, 20]) {
      for (const setsFrom of [0, Number.POSITIVE_INFINITY]) {
        const { ids, totals } = await allPages(publicFilter(), perPage, { scoreUpTo: 8, setsFrom })
        expect(ids, `perPage ${perPage}, setsFrom ${setsFrom}`).toEqual(expected)
        expect(totals).toEqual([live.length])
      }
    }
    // 24 raw matches: 23 is below them, 24 is not.
    expect((await rankedArticleIds(TERMS, publicFilter(), 30, 0, { ...FULL, scoreUpTo: 23 })).ids).toEqual(
      expected,
    )
    const full = await rankedArticleIds(TERMS, publicFilter(), 30, 0, FULL)
    expect(full.ids).not.toEqual(expected)
    expect(await rankedArticleIds(TERMS, publicFilter(), 30, 0, { ...FULL, scoreUpTo: 24 })).toEqual(full)
  })

  it('a page that starts past whole tiers starts in the right one', async () => {
    const { live, inTitle, inExcerpt } = await seed()
    const rest = newestFirst(live.filter((id) => !inTitle.includes(id) && !inExcerpt.includes(id)))
    const tuning = { scoreUpTo: 8, setsFrom: Number.POSITIVE_INFINITY }
    const skipped = inTitle.length + inExcerpt.length
    expect((await rankedArticleIds(TERMS, publicFilter(), 3, skipped + 2, tuning)).ids).toEqual(
      rest.slice(2, 5),
    )
    expect((await rankedArticleIds(TERMS, publicFilter(), 3, inTitle.length, tuning)).ids).toEqual(
      newestFirst(inExcerpt).slice(0, 3),
    )
  })

  it('one broad word makes a query broad, however few articles have every word', async () => {
    const { withRussia, inTitle } = await seed()
    const terms = queryTerms('إيران روسيا')
    // روسيا is in 10 articles, إيران in 24: the query matches the few that have both.
    const bm25 = await rankedArticleIds(terms, publicFilter(), 10, 0, { ...FULL, scoreUpTo: 24 })
    const tiers = await rankedArticleIds(terms, publicFilter(), 10, 0, { ...FULL, scoreUpTo: 12 })
    expect(bm25.total).toBe(withRussia.length)
    expect(inTitle).toContain(bm25.ids[0])
    // No match has both words in its title or excerpt: the one tier left is newest first.
    expect(tiers).toEqual({ ids: newestFirst(withRussia), total: withRussia.length })
    expect(bm25.ids).not.toEqual(tiers.ids)
  })

  it('an offset past the last match is an empty page with the exact total', async () => {
    const { live } = await seed()
    const result = await rankedArticleIds(TERMS, publicFilter(), 5, live.length, {
      ...SEARCH_TUNING,
      scoreUpTo: 4,
    })
    expect(result).toEqual({ ids: [], total: live.length })
  })
})

describe('the search index, ranked — the filter on the index copies and on id sets agree', () => {
  type Match = Seeded['matches'][number]
  const cases = (now: string): [SearchFilter, (m: Match) => boolean][] => [
    [{ status: 'published', now }, (m) => m.state === 'live'],
    [{ status: 'published', now, author: 'سارة' }, (m) => m.state === 'live' && m.author === 'سارة'],
    [{ status: 'published', now, tag: slugify('سياسة') }, (m) => m.state === 'live' && m.tag === 'سياسة'],
    [
      { status: 'published', now, author: 'علي', tag: slugify('اقتصاد') },
      (m) => m.state === 'live' && m.author === 'علي' && m.tag === 'اقتصاد',
    ],
    [{ status: 'published', now, tag: 'لا-وجود' }, () => false],
    [{ status: 'draft', now }, (m) => m.state === 'draft'],
    [{ status: 'scheduled', now, author: 'سارة' }, (m) => m.state === 'scheduled' && m.author === 'سارة'],
    [{ status: 'scheduled', now }, (m) => m.state === 'scheduled'],
    [{ status: 'all', now }, () => true],
    [{ status: 'all', now, author: 'علي' }, (m) => m.author === 'علي'],
  ]

  it.each([Number.POSITIVE_INFINITY, 8, 3])(
    'with scoreUpTo %s, each finds exactly its articles',
    async (scoreUpTo) => {
      const { matches } = await seed()
      for (const [filter, wanted] of cases(new Date().toISOString())) {
        const label = JSON.stringify(filter)
        const copies = await allPages(filter, 3, { scoreUpTo, setsFrom: Number.POSITIVE_INFINITY })
        const sets = await allPages(filter, 3, { scoreUpTo, setsFrom: 0 })
        expect(sets, label).toEqual(copies)
        const expected = matches.filter(wanted).map((m) => m.id)
        expect(
          [...copies.ids].sort((a, b) => a - b),
          label,
        ).toEqual(expected)
        expect(copies.totals, label).toEqual([expected.length])
        // With the total kept, on either side of setsFrom: the same pages.
        for (const setsFrom of [0, expected.length + 1]) {
          const kept = await allPages(filter, 3, { scoreUpTo, setsFrom }, expected.length)
          expect(kept, label).toEqual(copies)
        }
        for (const setsFrom of [0, Number.POSITIVE_INFINITY]) {
          expect(await countMatches(TERMS, filter, { scoreUpTo, setsFrom }), label).toBe(expected.length)
        }
      }
    },
  )

  it('a query that matches nothing answers no ids and a zero total either way', async () => {
    await seed()
    const nothing = queryTerms('بكين')
    for (const setsFrom of [0, Number.POSITIVE_INFINITY]) {
      expect(await rankedArticleIds(nothing, publicFilter(), 5, 0, { scoreUpTo: 3, setsFrom })).toEqual({
        ids: [],
        total: 0,
      })
    }
  })
})
