/** The one home of search SQL: FTS5 index maintenance, the MATCH queries, and tag-name matching. */
import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articles, tags } from '../../db/schema.js'
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
}

/** Writes (or rewrites) one article's index row. Call it inside the transaction that changes the article. */
export function indexArticle(db: Db, article: IndexedArticle): void {
  unindexArticle(db, article.id)
  db.run(sql`INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (${article.id},
    ${analyzeDocument(article.title).join(' ')},
    ${analyzeDocument(article.excerpt).join(' ')},
    ${analyzeDocument(article.text).join(' ')})`)
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
      .select({ id: articles.id, title: articles.title, excerpt: articles.excerpt, html: articles.html })
      .from(articles)
      .all()
    for (const row of rows) indexArticle(db, { ...row, text: plainText(row.html) })
    db.run(sql`INSERT INTO search_index_state (key, value) VALUES (${VERSION_KEY}, ${ANALYZER_VERSION})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
    return rows.length
  })
}

/** A filter on articles: those matching the expression. For lists that keep their own order (`sort`). */
export function articleMatches(match: string): SQL {
  return sql`${articles.id} IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ${match})`
}

/**
 * One page of matching article ids, best first (bm25: title 10, excerpt 5, body 1; ties by id), and how many
 * match in all. `filter` is a condition on `articles` (visibility, tag, author).
 */
export function rankedArticleIds(
  db: Db,
  match: string,
  filter: SQL | undefined,
  limit: number,
  offset: number,
): { ids: number[]; total: number } {
  const where = filter ? sql`articles_fts MATCH ${match} AND ${filter}` : sql`articles_fts MATCH ${match}`
  const from = sql`articles_fts JOIN ${articles} ON ${articles.id} = articles_fts.rowid`
  const total = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${from} WHERE ${where}`).n
  const ids =
    offset >= total
      ? []
      : db
          .all<{ id: number }>(
            sql`SELECT ${articles.id} AS id FROM ${from} WHERE ${where}
              ORDER BY articles_fts.rank, ${articles.id} LIMIT ${limit} OFFSET ${offset}`,
          )
          .map((row) => row.id)
  return { ids, total }
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
