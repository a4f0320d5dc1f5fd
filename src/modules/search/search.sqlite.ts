/**
 * The SQLite SearchIndex: an FTS5 table of analyzed terms (migrations/sqlite/0001_search.sql) with copies of the
 * columns searches filter on. Synchronous inside; every read runs once no transaction is open.
 * docs/search.md explains the query plans and has the measurements behind the choices made here.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Executor, QueryBuilder } from '../../db/database.js'
import type { SqliteDatabase } from '../../db/sqlite/database.js'
import { plainText } from '../../lib/html.js'
import {
  ANALYZER_VERSION,
  ANALYZER_VERSION_KEY,
  analyzedFields,
  type IndexedArticle,
  type RankedIds,
  SEARCH_TUNING,
  type SearchFilter,
  type SearchIndex,
  type SearchTuning,
  tierExpressions,
} from './search.index.js'

/** An FTS5 string: the text in double quotes, inner quotes doubled. Nothing inside it is FTS5 syntax. */
export function quoteFtsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`
}

/** The MATCH expression for analyzed query terms: every one a quoted string, all ANDed. */
export function matchExpression(terms: string[]): string {
  return terms.map(quoteFtsString).join(' AND ')
}

// Up to this many matches, a sorted list is read match by match; beyond, in the sort's own index order.
const FEW_MATCHES = 2_000

// bm25 weights: title, excerpt, body, then the UNINDEXED copies (no terms). Spelled out rather than ORDER BY
// rank: faster, and the same as the table's `rank` setting.
const BM25 = sql.raw('bm25(articles_fts, 10.0, 5.0, 1.0, 0.0, 0.0, 0.0)')

function writeRow(qb: QueryBuilder, article: IndexedArticle): void {
  const fields = analyzedFields(article)
  qb.run(sql`DELETE FROM articles_fts WHERE rowid = ${article.id}`)
  qb.run(sql`INSERT INTO articles_fts (rowid, title, excerpt, body, status, published_at, author)
    VALUES (${article.id}, ${fields.title.join(' ')}, ${fields.excerpt.join(' ')}, ${fields.body.join(' ')},
      ${article.status}, ${article.publishedAt}, ${article.author})`)
}

function taggedIds(tag: string): SQL {
  return sql`SELECT article_tags.article_id FROM article_tags
    JOIN tags ON tags.id = article_tags.tag_id WHERE tags.slug = ${tag}`
}

/** The filter on the index row's own UNINDEXED copies: no fixed cost, a content-table lookup per match. */
function copiesFilter(filter: SearchFilter): SQL {
  const conditions: SQL[] = []
  // Tested first: the few tagged ids spare most matches the lookup of their copies.
  if (filter.tag !== undefined) conditions.push(sql`+articles_fts.rowid IN (${taggedIds(filter.tag)})`)
  if (filter.status === 'published') {
    conditions.push(sql`articles_fts.status = 'published' AND articles_fts.published_at <= ${filter.now}`)
  } else if (filter.status === 'scheduled') {
    conditions.push(sql`articles_fts.status = 'published' AND articles_fts.published_at > ${filter.now}`)
  } else if (filter.status === 'draft') {
    conditions.push(sql`articles_fts.status = 'draft'`)
  }
  if (filter.author !== undefined) conditions.push(sql`articles_fts.author = ${filter.author}`)
  return conditions.length === 0 ? sql`1` : sql.join(conditions, sql` AND `)
}

/**
 * The articles a reader may not see, read from the covering index on (status, published_at): one range seek
 * each. As one OR, SQLite planned `status = 'published'` alone whenever its statistics were approximate (as
 * PRAGMA optimize's limited ANALYZE writes them) and read every published article to find the scheduled few.
 */
function hiddenIds(now: string): SQL {
  return sql`SELECT id FROM articles WHERE status < 'published'
    UNION ALL SELECT id FROM articles WHERE status > 'published'
    UNION ALL SELECT id FROM articles WHERE status = 'published' AND published_at > ${now}
    UNION ALL SELECT id FROM articles WHERE status = 'published' AND published_at IS NULL`
}

/**
 * The filter as id sets read from covering indexes: `only`, the ids allowed (when author, tag or a non-public
 * status narrows the search), or `except`, the ids excluded (the public's view: every match but the hidden few).
 */
function idSets(filter: SearchFilter): { only?: SQL; except?: SQL } {
  const parts: SQL[] = []
  if (filter.status === 'scheduled') {
    parts.push(sql`SELECT id FROM articles WHERE status = 'published' AND published_at > ${filter.now}`)
  } else if (filter.status === 'draft') {
    parts.push(sql`SELECT id FROM articles WHERE status = 'draft'`)
  }
  if (filter.author !== undefined) parts.push(sql`SELECT id FROM articles WHERE author = ${filter.author}`)
  if (filter.tag !== undefined) parts.push(taggedIds(filter.tag))
  const hidden = filter.status === 'published' ? hiddenIds(filter.now) : undefined
  if (parts.length === 0) return { except: hidden }
  const only = sql.join(parts, sql` INTERSECT `)
  // Wrapped: compound operators bind left to right, and the hidden set is itself a UNION ALL.
  return { only: hidden === undefined ? only : sql`${only} EXCEPT SELECT id FROM (${hidden})` }
}

/** The unary + keeps SQLite from handing a set to FTS5 as rowid lookups (one MATCH per id). */
function setsFilter(filter: SearchFilter): SQL {
  const { only, except } = idSets(filter)
  if (only !== undefined) return sql`+articles_fts.rowid IN (${only})`
  if (except !== undefined) return sql`+articles_fts.rowid NOT IN (${except})`
  return sql`1`
}

/** How many articles match, counting no further than `cap` (any number when infinite): FTS5 stops walking there. */
function cappedCount(qb: QueryBuilder, match: string, cap: number): number {
  return qb.get<{ n: number }>(sql`SELECT count(*) AS n FROM (SELECT 1 FROM articles_fts
    WHERE articles_fts MATCH ${match} LIMIT ${Number.isFinite(cap) ? cap : -1})`).n
}

/**
 * How many articles match and pass the filter (exact), and whether the filter is best applied as id sets. A
 * capped count comes first: FTS5 walks the doclists alone and stops at setsFrom, so a common word is known to
 * be one without being counted twice.
 */
function countFiltered(
  qb: QueryBuilder,
  match: string,
  filter: SearchFilter,
  tuning: SearchTuning,
  knownTotal?: number,
) {
  const count = (condition: SQL) =>
    qb.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles_fts
      WHERE articles_fts MATCH ${match} AND ${condition}`).n
  // A kept total that reaches setsFrom answers without the capped count: the raw matches are at least as many.
  if (knownTotal !== undefined && knownTotal >= tuning.setsFrom) return { total: knownTotal, useSets: true }
  const capped = cappedCount(qb, match, tuning.setsFrom)
  const useSets = capped >= tuning.setsFrom
  if (knownTotal !== undefined) return { total: knownTotal, useSets }
  const { only, except } = idSets(filter)
  if (!useSets) {
    const unfiltered = capped === 0 || (only === undefined && except === undefined)
    return { total: unfiltered ? capped : count(copiesFilter(filter)), useSets }
  }
  if (only !== undefined) return { total: count(sql`+articles_fts.rowid IN (${only})`), useSets }
  if (except === undefined) return { total: count(sql`1`), useSets }
  // The public's count is all matches less the hidden ones, in one walk.
  const counts = qb.get<{ n: number; hidden: number }>(sql`SELECT count(*) AS n,
    count(*) FILTER (WHERE +articles_fts.rowid IN (${except})) AS hidden
    FROM articles_fts WHERE articles_fts MATCH ${match}`)
  return { total: counts.n - counts.hidden, useSets }
}

/** Whether some word of the query is in more than scoreUpTo articles: each count stops one past it. */
function isBroad(qb: QueryBuilder, terms: string[], tuning: SearchTuning): boolean {
  if (!Number.isFinite(tuning.scoreUpTo)) return false
  return [...new Set(terms)].some(
    (term) => cappedCount(qb, quoteFtsString(term), tuning.scoreUpTo + 1) > tuning.scoreUpTo,
  )
}

/** The tiers as MATCH expressions: every word in one of the tier's columns, and not in a better tier. */
function tierMatches(match: string): string[] {
  return tierExpressions(
    (tier) => (tier.length === 0 ? `(${match})` : `({${tier.join(' ')}} : (${match}))`),
    (tier, better) => `${tier} NOT ${better}`,
  )
}

/**
 * A broad query's page: each tier newest first, walked backwards by FTS5 only as far as the page reaches (the
 * filter on the copies, or on id sets once the walk is long). A tier the page starts past is counted, to know
 * where the next one starts.
 */
function tieredIds(
  qb: QueryBuilder,
  match: string,
  filter: SearchFilter,
  limit: number,
  offset: number,
  tuning: SearchTuning,
): number[] {
  const ids: number[] = []
  let skip = offset
  for (const tier of tierMatches(match)) {
    const count = limit - ids.length
    const condition = skip + count >= tuning.setsFrom ? setsFilter(filter) : copiesFilter(filter)
    const rows = qb.all<{ id: number }>(sql`SELECT rowid AS id FROM articles_fts
      WHERE articles_fts MATCH ${tier} AND ${condition} ORDER BY rowid DESC LIMIT ${count} OFFSET ${skip}`)
    ids.push(...rows.map((row) => row.id))
    if (ids.length === limit) break
    // This tier ends on this page (the next starts at its top) or before it.
    skip = rows.length > 0 || skip === 0 ? 0 : skip - countFiltered(qb, tier, filter, tuning).total
  }
  return ids
}

/** A page of matches best first (SearchIndex.ranked): by bm25 when every word is rare enough, else by tiers. */
function rankedIds(
  qb: QueryBuilder,
  terms: string[],
  filter: SearchFilter,
  limit: number,
  offset: number,
  tuning: SearchTuning,
  knownTotal?: number,
): RankedIds {
  const match = matchExpression(terms)
  const { total, useSets } = countFiltered(qb, match, filter, tuning, knownTotal)
  if (offset >= total) return { ids: [], total }
  // More matches than scoreUpTo: some word is in more articles than that, no need to count each.
  if (total > tuning.scoreUpTo || isBroad(qb, terms, tuning)) {
    return { ids: tieredIds(qb, match, filter, limit, offset, tuning), total }
  }
  const ids = qb.all<{ id: number }>(sql`SELECT rowid AS id FROM articles_fts
    WHERE articles_fts MATCH ${match} AND ${useSets ? setsFilter(filter) : copiesFilter(filter)}
    ORDER BY ${BM25}, rowid LIMIT ${limit} OFFSET ${offset}`)
  return { ids: ids.map((row) => row.id), total }
}

export function createSqliteSearchIndex(
  database: SqliteDatabase,
  tuning: SearchTuning = SEARCH_TUNING,
): SearchIndex {
  const { qb, sqlite } = database
  return {
    // The transaction the caller opened holds the connection: these run inside it.
    async index(_tx: Executor, article: IndexedArticle) {
      writeRow(qb, article)
    },

    async remove(_tx: Executor, id: number) {
      qb.run(sql`DELETE FROM articles_fts WHERE rowid = ${id}`)
    },

    rebuildIfNeeded: () =>
      database.read(() => {
        const state = qb.get<{ value: number } | undefined>(
          sql`SELECT value FROM search_index_state WHERE key = ${ANALYZER_VERSION_KEY}`,
        )
        if (state?.value === ANALYZER_VERSION) return 0
        return sqlite.transaction(() => {
          qb.run(sql`DELETE FROM articles_fts`)
          const rows = qb.all<Omit<IndexedArticle, 'text'> & { html: string }>(
            sql`SELECT id, title, excerpt, html, status, published_at AS publishedAt, author FROM articles`,
          )
          for (const row of rows) writeRow(qb, { ...row, text: plainText(row.html) })
          qb.run(sql`INSERT INTO search_index_state (key, value) VALUES (${ANALYZER_VERSION_KEY},
            ${ANALYZER_VERSION}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
          return rows.length
        })()
      }),

    // One read transaction: the count and the page see the same index.
    ranked: (terms, filter, limit, offset, knownTotal) =>
      database.read(() =>
        sqlite.transaction(() => rankedIds(qb, terms, filter, limit, offset, tuning, knownTotal))(),
      ),

    /**
     * Few matches: look each up by id. Many: the unary + keeps SQLite from reading every match's row (bodies
     * spill onto overflow pages) and has it walk the sort's covering index instead, testing ids against the
     * match list, and stop after one page.
     */
    matching: (terms) =>
      database.read(() => {
        const match = matchExpression(terms)
        const matches = sql`(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ${match})`
        // Capped: FTS5 stops walking the doclists once the answer is known to be "many".
        const n = cappedCount(qb, match, FEW_MATCHES + 1)
        return n <= FEW_MATCHES ? sql`articles.id IN ${matches}` : sql`+articles.id IN ${matches}`
      }),

    count: (terms, filter) =>
      database.read(() => countFiltered(qb, matchExpression(terms), filter, tuning).total),

    size: () => database.read(() => qb.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles_fts`).n),
  }
}
