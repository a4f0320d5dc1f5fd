/** The one home of search SQL: FTS5 index maintenance, the MATCH queries, and tag-name matching. */
import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articles, articleTags, tags } from '../../db/schema.js'
import { analyzeDocument } from '../../lib/arabic.js'
import { plainText } from '../../lib/html.js'
import { nameForms, namePrefixMatches, prefixForms } from './search.query.js'

/**
 * Bump when analyzeDocument() or the tokenizer options change: the next start re-indexes every article, since
 * terms built by the old analyzer would no longer meet the new one's queries.
 */
export const ANALYZER_VERSION = 1
const VERSION_KEY = 'articles_analyzer_version'

/** What the index needs of an article; `text` is the body as a reader sees it, never its HTML. */
export interface IndexedArticle {
  id: number
  title: string
  excerpt: string
  text: string
  status: string
  publishedAt: string | null
  author: string | null
}

/** The index row of an article: its analyzed text, and copies of the columns searches filter on. Pure. */
export function searchRow(article: IndexedArticle) {
  return {
    id: article.id,
    title: analyzeDocument(article.title).join(' '),
    excerpt: analyzeDocument(article.excerpt).join(' '),
    body: analyzeDocument(article.text).join(' '),
    status: article.status,
    publishedAt: article.publishedAt,
    author: article.author,
  }
}

export type SearchRow = ReturnType<typeof searchRow>

export function writeSearchRow(db: Db, row: SearchRow): void {
  unindexArticle(db, row.id)
  db.run(sql`INSERT INTO articles_fts (rowid, title, excerpt, body, status, published_at, author)
    VALUES (${row.id}, ${row.title}, ${row.excerpt}, ${row.body}, ${row.status}, ${row.publishedAt},
      ${row.author})`)
}

/**
 * Writes (or rewrites) one article's index row. Call it inside the transaction that changes the article, on
 * every write: status, publishedAt and author are copied into the row too.
 */
export function indexArticle(db: Db, article: IndexedArticle): void {
  writeSearchRow(db, searchRow(article))
}

export function unindexArticle(db: Db, id: number): void {
  db.run(sql`DELETE FROM articles_fts WHERE rowid = ${id}`)
}

/**
 * Indexes every article when the index was built by another analyzer version, or not at all (articles that
 * existed before migration 0001: SQL cannot run the JS analyzer, so the migration leaves version 0). Called by
 * bootstrap right after the migrations; a no-op on every later start. Returns how many articles it indexed.
 */
export function rebuildSearchIndexIfNeeded(db: Db): number {
  const state = db.get<{ value: number } | undefined>(
    sql`SELECT value FROM search_index_state WHERE key = ${VERSION_KEY}`,
  )
  if (state?.value === ANALYZER_VERSION) return 0
  return db.transaction(() => {
    db.run(sql`DELETE FROM articles_fts`)
    const rows = db
      .select({
        id: articles.id,
        title: articles.title,
        excerpt: articles.excerpt,
        html: articles.html,
        status: articles.status,
        publishedAt: articles.publishedAt,
        author: articles.author,
      })
      .from(articles)
      .all()
    for (const row of rows) indexArticle(db, { ...row, text: plainText(row.html) })
    db.run(sql`INSERT INTO search_index_state (key, value) VALUES (${VERSION_KEY}, ${ANALYZER_VERSION})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
    return rows.length
  })
}

// Up to this many matches, the sorted list is read match by match; beyond, in the sort's own index order.
const FEW_MATCHES = 2_000

/**
 * A filter on articles: those matching the expression, for lists that keep their own order (`sort`). Which
 * side drives is chosen by counting the raw matches (cheap: no ranking, no row reads). Few matches: look each
 * up by id. Many: the unary + keeps SQLite from looking up every match's row (body and HTML make each read
 * cost an overflow page; 250 ms for 38,000 matches) and has it walk the sort's covering index instead,
 * testing ids against the match list, and stop after one page (5 ms).
 */
export function articleMatches(db: Db, match: string): SQL {
  const matches = sql`(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ${match})`
  // Capped: FTS5 stops walking the doclists once the answer is known to be "many".
  const n = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (SELECT 1 FROM articles_fts
    WHERE articles_fts MATCH ${match} LIMIT ${FEW_MATCHES + 1})`).n
  return n <= FEW_MATCHES ? sql`${articles.id} IN ${matches}` : sql`+${articles.id} IN ${matches}`
}

/** Who is asking for what: the filters a ranked search applies. */
export interface SearchFilter {
  status: 'published' | 'scheduled' | 'draft' | 'all'
  now: string
  author?: string
  /** A tag slug, already normalized. */
  tag?: string
}

/** The filter on the index row's own UNINDEXED copies: no fixed cost, a content-table lookup per match. */
function copiesFilter(filter: SearchFilter): SQL {
  const conditions: SQL[] = []
  if (filter.tag !== undefined) {
    // Tested first: the few tagged ids spare most matches the lookup of their copies.
    conditions.push(sql`+articles_fts.rowid IN (${taggedIds(filter.tag)})`)
  }
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

function taggedIds(tag: string): SQL {
  return sql`SELECT ${articleTags.articleId} FROM ${articleTags}
    JOIN ${tags} ON ${tags.id} = ${articleTags.tagId} WHERE ${tags.slug} = ${tag}`
}

/**
 * The articles a reader may not see: drafts, scheduled, and published without a time. A few percent of a news
 * site, read from the covering index on (status, published_at) without touching a row.
 */
function hiddenIds(now: string): SQL {
  return sql`SELECT ${articles.id} FROM ${articles} WHERE ${articles.status} < 'published'
    OR ${articles.status} > 'published'
    OR (${articles.status} = 'published' AND (${articles.publishedAt} > ${now} OR ${articles.publishedAt} IS NULL))`
}

/**
 * The same filter as id sets read from the covering indexes of `articles` and `article_tags`: `only`, the ids
 * allowed (when author, tag or a non-public status narrows the search), or `except`, the ids excluded (the
 * public's view: every match but the hidden few). SQLite builds a set once per statement (about 1.4 ms for
 * 5,000 ids), then tests a match against it with a Bloom filter and a b-tree probe (about 0.1 µs) where the
 * copies cost about 0.6 µs: 4 against 25 ms for the public count of a word in 40,000 articles.
 */
function idSets(filter: SearchFilter): { only?: SQL; except?: SQL } {
  const parts: SQL[] = []
  if (filter.status === 'scheduled') {
    parts.push(sql`SELECT ${articles.id} FROM ${articles}
      WHERE ${articles.status} = 'published' AND ${articles.publishedAt} > ${filter.now}`)
  } else if (filter.status === 'draft') {
    parts.push(sql`SELECT ${articles.id} FROM ${articles} WHERE ${articles.status} = 'draft'`)
  }
  if (filter.author !== undefined) {
    parts.push(sql`SELECT ${articles.id} FROM ${articles} WHERE ${articles.author} = ${filter.author}`)
  }
  if (filter.tag !== undefined) parts.push(taggedIds(filter.tag))
  const hidden = filter.status === 'published' ? hiddenIds(filter.now) : undefined
  if (parts.length === 0) return { except: hidden }
  const only = sql.join(parts, sql` INTERSECT `)
  return { only: hidden === undefined ? only : sql`${only} EXCEPT ${hidden}` }
}

/** The unary + keeps SQLite from handing a set to FTS5 as rowid lookups (one MATCH per id: 64 ms for 5,000). */
function setsFilter(filter: SearchFilter): SQL {
  const { only, except } = idSets(filter)
  if (only !== undefined) return sql`+articles_fts.rowid IN (${only})`
  if (except !== undefined) return sql`+articles_fts.rowid NOT IN (${except})`
  return sql`1`
}

/** Where ranked search trades relevance or method for time; a parameter so tests can use small numbers. */
export interface SearchTuning {
  /**
   * Beyond this many matches, bm25 ranks only the newest this many (see rankedArticleIds). Scoring costs about
   * 1.5 µs a match: 5,000 candidates keep a page near 10 ms however common the words.
   */
  candidates: number
  /**
   * From this many raw matches (before any filter), statements test the filter against id sets rather than
   * the copies: the sets' fixed cost pays for itself after about 2,500 matches.
   */
  setsFrom: number
}

export const SEARCH_TUNING: SearchTuning = { candidates: 5_000, setsFrom: 3_000 }

// bm25 weights: title, excerpt, body, then the UNINDEXED copies (no terms). The same as the table's `rank`
// setting in migration 0001, but spelled out: ORDER BY bm25(…) measured about 40% faster than ORDER BY rank.
const BM25 = sql.raw('bm25(articles_fts, 10.0, 5.0, 1.0, 0.0, 0.0, 0.0)')

/**
 * How many articles match and pass the filter (exact), and whether the filter is best applied as id sets.
 * A capped count comes first: FTS5 walks the doclists alone and stops at setsFrom (0.1 ms), so a common word
 * is known to be one without being counted twice. Below setsFrom, that count is exact, and the copies filter
 * is cheaper than building sets.
 */
function countFiltered(db: Db, match: string, filter: SearchFilter, tuning: SearchTuning) {
  const count = (condition: SQL) =>
    db.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles_fts
      WHERE articles_fts MATCH ${match} AND ${condition}`).n
  const capped = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (SELECT 1 FROM articles_fts
    WHERE articles_fts MATCH ${match} LIMIT ${Number.isFinite(tuning.setsFrom) ? tuning.setsFrom : -1})`).n
  const useSets = capped >= tuning.setsFrom
  const { only, except } = idSets(filter)
  if (!useSets) {
    const unfiltered = capped === 0 || (only === undefined && except === undefined)
    return { total: unfiltered ? capped : count(copiesFilter(filter)), useSets }
  }
  if (only !== undefined) return { total: count(sql`+articles_fts.rowid IN (${only})`), useSets }
  if (except === undefined) return { total: count(sql`1`), useSets }
  // The public's count is all matches less the hidden ones, in one walk: probing for the few hidden ids lets
  // the Bloom filter answer nearly every probe, twice as fast as probing for the many visible ones.
  const counts = db.get<{ n: number; hidden: number }>(sql`SELECT count(*) AS n,
    count(*) FILTER (WHERE +articles_fts.rowid IN (${except})) AS hidden
    FROM articles_fts WHERE articles_fts MATCH ${match}`)
  return { total: counts.n - counts.hidden, useSets }
}

/** How many articles match and pass the filter; for lists in their own order (`sort`). */
export function countMatches(
  db: Db,
  match: string,
  filter: SearchFilter,
  tuning: SearchTuning = SEARCH_TUNING,
): number {
  return countFiltered(db, match, filter, tuning).total
}

/**
 * One page of matching article ids, best first (bm25: title 10, excerpt 5, body 1; ties by id), and how many
 * match in all (exact). Nothing reads an article's row: its body and HTML spill onto overflow pages. Separate
 * queries beat one with `count(*) OVER ()`, which made SQLite materialize every ranked match.
 *
 * When more than `candidates` articles match (a word in a large share of the archive), only the newest
 * `candidates` of them are ranked: FTS5 walks its doclists backwards (rowids are article ids, so newest means
 * most recently created) and stops there, so bm25 never scores the older ones. Pages past the candidates go
 * on with the older matches, newest first, so every match still appears once and `total` counts them all.
 * The trade-off: for such words an older article that would score best is not on the first pages. With up
 * to `candidates` matches the ranking is the full one.
 */
export function rankedArticleIds(
  db: Db,
  match: string,
  filter: SearchFilter,
  limit: number,
  offset: number,
  tuning: SearchTuning = SEARCH_TUNING,
): { ids: number[]; total: number } {
  const ranked = (condition: SQL, count: number, skip: number) =>
    db
      .all<{ id: number }>(sql`SELECT rowid AS id FROM articles_fts WHERE ${condition}
        ORDER BY ${BM25}, rowid LIMIT ${count} OFFSET ${skip}`)
      .map((row) => row.id)
  // One read transaction: the count and the page see the same index.
  return db.transaction(() => {
    const { total, useSets } = countFiltered(db, match, filter, tuning)
    const where = sql`articles_fts MATCH ${match} AND ${useSets ? setsFilter(filter) : copiesFilter(filter)}`
    if (offset >= total) return { ids: [], total }
    if (total <= tuning.candidates) return { ids: ranked(where, limit, offset), total }
    // The newest candidates, scored as FTS5 walks its doclist backwards (rowids are article ids), then sorted
    // by score: one walk, where finding the oldest candidate first and ranking from it took two.
    const ids =
      offset < tuning.candidates
        ? db
            .all<{ id: number }>(sql`SELECT id FROM (SELECT rowid AS id, ${BM25} AS score FROM articles_fts
              WHERE ${where} ORDER BY rowid DESC LIMIT ${tuning.candidates})
              ORDER BY score, id LIMIT ${Math.min(limit, tuning.candidates - offset)} OFFSET ${offset}`)
            .map((row) => row.id)
        : []
    if (ids.length < limit) {
      // Past the candidates, the older matches, newest first.
      const older = db.all<{ id: number }>(sql`SELECT rowid AS id FROM articles_fts WHERE ${where}
        ORDER BY rowid DESC LIMIT ${limit - ids.length} OFFSET ${Math.max(offset, tuning.candidates)}`)
      ids.push(...older.map((row) => row.id))
    }
    return { ids, total }
  })
}

/** A filter on tags: those whose id is in the list, bound as one JSON parameter however long the list. */
export function tagIn(ids: number[]): SQL {
  return sql`${tags.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
}

// A name's forms depend on the name alone, so they are cached by name; the cap bounds memory.
const nameFormsCache = new Map<string, string[]>()
const NAME_CACHE_LIMIT = 50_000

function cachedNameForms(name: string): string[] {
  let forms = nameFormsCache.get(name)
  if (forms === undefined) {
    if (nameFormsCache.size >= NAME_CACHE_LIMIT) nameFormsCache.clear()
    forms = nameForms(name)
    nameFormsCache.set(name, forms)
  }
  return forms
}

/**
 * The ids of the tags whose name has, for every query word, a word that starts with it (both normalized, or
 * both stemmed): `اير` finds `إيران`. Tags are few (hundreds to thousands), so this scans their names in JS with
 * the one normalizer rather than keeping a second index in step. Null when the query has no word.
 */
export function matchingTagIds(db: Db, q: string): number[] | null {
  const query = prefixForms(q)
  if (query.length === 0) return null
  return db
    .select({ id: tags.id, name: tags.name })
    .from(tags)
    .all()
    .filter((tag) => namePrefixMatches(query, cachedNameForms(tag.name)))
    .map((tag) => tag.id)
}

/** How many rows the index holds; for consistency checks. */
export function indexedArticleCount(db: Db): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles_fts`).n
}
