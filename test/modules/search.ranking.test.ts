/**
 * A unit test of the search indexes with small tuning numbers: the bounded ranking of common words on both engines
 * (the engine TEST_ENGINE names), and, on SQLite, both of FTS5's filter methods, on the index copies and on id
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
const FULL: SearchTuning = { candidates: Number.POSITIVE_INFINITY, setsFrom: Number.POSITIVE_INFINITY }

/** One page of a search on the engine's index with the given tuning (the default one when absent). */
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
  draft: number[]
  scheduled: number[]
  /** Every article that mentions إيران, oldest first. */
  matches: { id: number; state: 'live' | 'draft' | 'scheduled'; author: string; tag: string }[]
}

/**
 * 24 articles that mention إيران, created oldest first: the oldest four have it in their title, so the full
 * ranking puts them first; every fifth is a draft and every seventh is scheduled. Authors and tags alternate.
 * Six more articles do not mention it.
 */
async function seed(): Promise<Seeded> {
  const { articles } = services
  const seeded: Seeded = { live: [], draft: [], scheduled: [], matches: [] }
  // Each create is its own transaction, in this order: ids (the index's keys) grow oldest to newest.
  for (let i = 0; i < 24; i++) {
    const filler = 'كلام عام عن السياسة والاقتصاد. '.repeat(1 + (i % 6))
    const draft = i % 5 === 4
    const scheduled = !draft && i % 7 === 6
    const author = i % 2 === 0 ? 'سارة' : 'علي'
    const tag = i % 3 === 0 ? 'سياسة' : 'اقتصاد'
    const article = await articles.create({
      title: i < 4 ? `إيران ${i}` : `خبر ${i}`,
      body: `${filler} إيران ${'إيران '.repeat(i % 3)} ${filler}`,
      author,
      tags: [tag],
      status: draft ? 'draft' : 'published',
      publishedAt: scheduled ? minutesFromNow(60) : draft ? undefined : '2020-01-01T00:00:00.000Z',
    })
    const state = draft ? 'draft' : scheduled ? 'scheduled' : 'live'
    seeded[state].push(article.id)
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
async function allPages(filter: SearchFilter, perPage: number, tuning: SearchTuning, knownTotal?: number) {
  const ids: number[] = []
  const totals = new Set<number>()
  for (let page = 0; ; page++) {
    const result = await rankedArticleIds(TERMS, filter, perPage, page * perPage, tuning, knownTotal)
    totals.add(result.total)
    if (result.ids.length === 0) break
    ids.push(...result.ids)
  }
  return { ids, totals: [...totals] }
}

describe('the search index, ranked — bounded ranking of common words', () => {
  it('the default tuning ranks every match of a word in up to 5,000 articles', async () => {
    expect(SEARCH_TUNING.candidates).toBe(5_000)
    const { live } = await seed()
    const full = await rankedArticleIds(TERMS, publicFilter(), 100, 0, FULL)
    expect(await rankedArticleIds(TERMS, publicFilter(), 100, 0)).toEqual(full)
    expect(full.total).toBe(live.length)
    // The best match is one of the oldest four, which have the word in their title.
    expect(live.slice(0, 4)).toContain(full.ids[0])
  })

  it('with more matches than candidates, ranks the newest visible ones, then the rest newest first', async () => {
    const { live } = await seed()
    const candidates = 8
    const full = (await rankedArticleIds(TERMS, publicFilter(), 100, 0, FULL)).ids
    const newest = new Set(live.slice(-candidates))
    const expected = [...full.filter((id) => newest.has(id)), ...live.slice(0, -candidates).reverse()]
    for (const perPage of [1, 3, 5, 8, 20]) {
      const { ids, totals } = await allPages(publicFilter(), perPage, { ...SEARCH_TUNING, candidates })
      expect(ids).toEqual(expected)
      expect(totals).toEqual([live.length])
    }
    // The trade-off, for very common words only: the best match overall is an old one, not on page 1.
    const first = await rankedArticleIds(TERMS, publicFilter(), 5, 0, { ...SEARCH_TUNING, candidates })
    expect(first.ids).not.toContain(full[0])
    expect(first.total).toBe(live.length)
  })

  it('a page that straddles the candidates ends the ranking and starts the older matches', async () => {
    const { live } = await seed()
    const tuning = { ...SEARCH_TUNING, candidates: 8 }
    const page2 = (await rankedArticleIds(TERMS, publicFilter(), 5, 5, tuning)).ids
    const older = live.slice(0, -8).reverse()
    expect(page2).toHaveLength(5)
    expect(page2.slice(0, 3).every((id) => live.slice(-8).includes(id))).toBe(true)
    expect(page2.slice(3)).toEqual(older.slice(0, 2))
    expect((await rankedArticleIds(TERMS, publicFilter(), 5, 10, tuning)).ids).toEqual(older.slice(2, 7))
  })

  it('an offset past the last match is an empty page with the exact total', async () => {
    const { live } = await seed()
    const result = await rankedArticleIds(TERMS, publicFilter(), 5, live.length, {
      ...SEARCH_TUNING,
      candidates: 4,
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
    'with %s candidates, each finds exactly its articles',
    async (candidates) => {
      const { matches } = await seed()
      for (const [filter, wanted] of cases(new Date().toISOString())) {
        const label = JSON.stringify(filter)
        const copies = await allPages(filter, 3, { candidates, setsFrom: Number.POSITIVE_INFINITY })
        const sets = await allPages(filter, 3, { candidates, setsFrom: 0 })
        expect(sets, label).toEqual(copies)
        const expected = matches.filter(wanted).map((m) => m.id)
        expect(
          [...copies.ids].sort((a, b) => a - b),
          label,
        ).toEqual(expected)
        expect(copies.totals, label).toEqual([expected.length])
        // With the total kept, on either side of setsFrom: the same pages.
        for (const setsFrom of [0, expected.length + 1]) {
          const kept = await allPages(filter, 3, { candidates, setsFrom }, expected.length)
          expect(kept, label).toEqual(copies)
        }
        for (const setsFrom of [0, Number.POSITIVE_INFINITY]) {
          expect(await countMatches(TERMS, filter, { candidates, setsFrom }), label).toBe(expected.length)
        }
      }
    },
  )

  it('a query that matches nothing answers no ids and a zero total either way', async () => {
    await seed()
    const nothing = queryTerms('بكين')
    for (const setsFrom of [0, Number.POSITIVE_INFINITY]) {
      expect(await rankedArticleIds(nothing, publicFilter(), 5, 0, { candidates: 3, setsFrom })).toEqual({
        ids: [],
        total: 0,
      })
    }
  })
})
