/**
 * The SearchIndex port: one implementation per engine (search.sqlite.ts: FTS5; search.pg.ts: tsvector + GIN),
 * both fed by the same JavaScript analyzer (src/lib/arabic.ts), so both engines find the same articles.
 */
import type { SQL } from 'drizzle-orm'
import type { Executor } from '../../db/database.js'
import { analyzeDocument } from '../../lib/arabic.js'

/**
 * Bump when analyzeDocument() or an index's tokenizer options change: the next start re-indexes every article,
 * since terms built by the old analyzer would no longer meet the new one's queries.
 */
export const ANALYZER_VERSION = 1
export const ANALYZER_VERSION_KEY = 'articles_analyzer_version'

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

/** Where ranked search trades relevance or method for time; a parameter so tests can use small numbers. */
export interface SearchTuning {
  /**
   * bm25 ranks a query while each of its words is in at most this many articles (any status). A query with a
   * more common word is broad: its order is where the words are (SearchIndex.ranked), which costs a page, not a
   * walk of every match. bm25 weighs a word by walking all of its articles, and scores each match.
   */
  scoreUpTo: number
  /** SQLite: from this many raw matches, statements test the filter against id sets rather than the row copies. */
  setsFrom: number
}

export const SEARCH_TUNING: SearchTuning = { scoreUpTo: 500, setsFrom: 3_000 }

/**
 * A broad query's order, best first: every word in the title; then every word in the title or the excerpt; then
 * the other matches. Newest (highest id) first within each. The same on both engines.
 */
export const BROAD_TIERS = [['title'], ['title', 'excerpt'], []] as const
export type Tier = (typeof BROAD_TIERS)[number]

/**
 * Each tier as an engine's match expression, so that the tiers do not overlap: `within(tier)` (every word in one
 * of its fields; anywhere for the last), less the tier before it (`without`).
 */
export function tierExpressions(
  within: (tier: Tier) => string,
  without: (tier: string, better: string) => string,
): string[] {
  return BROAD_TIERS.map((tier, i) => {
    const better = BROAD_TIERS[i - 1]
    return better === undefined ? within(tier) : without(within(tier), within(better))
  })
}

/** Who is asking for what: the filters a search applies. */
export interface SearchFilter {
  status: 'published' | 'scheduled' | 'draft' | 'all'
  now: string
  author?: string
  /** A tag slug, already normalized. */
  tag?: string
}

/** An article's analyzed fields: the terms each index stores. Pure. */
export function analyzedFields(article: IndexedArticle) {
  return {
    title: analyzeDocument(article.title),
    excerpt: analyzeDocument(article.excerpt),
    body: analyzeDocument(article.text),
  }
}

export interface SearchIndex {
  /** Writes (or rewrites) an article's entry, inside the transaction that changes the article; on every write. */
  index(tx: Executor, article: IndexedArticle): Promise<void>
  remove(tx: Executor, id: number): Promise<void>
  /** Indexes every article when the index was built by another analyzer version, or never; returns how many. */
  rebuildIfNeeded(): Promise<number>
  /**
   * One page of matching ids, best first, and how many match in all (exact). `terms` are queryTerms(q): every
   * one must match. A query whose words are each in at most `scoreUpTo` articles is ranked by bm25 (title 10,
   * excerpt 5, body 1; ties by id; ts_rank's equivalent on PostgreSQL); a broader one by BROAD_TIERS, newest first
   * within each. `knownTotal`, the total kept from an earlier read that still holds, spares the index its count:
   * the one part of a common word's search that walks every match.
   */
  ranked(
    terms: string[],
    filter: SearchFilter,
    limit: number,
    offset: number,
    knownTotal?: number,
  ): Promise<RankedIds>
  /** A condition on articles.id, true for the articles matching every term: for lists in their own order. */
  matching(terms: string[]): Promise<SQL>
  /** How many articles match every term and pass the filter. */
  count(terms: string[], filter: SearchFilter): Promise<number>
  /** How many articles the index holds; for consistency checks. */
  size(): Promise<number>
}

export interface RankedIds {
  ids: number[]
  total: number
}
