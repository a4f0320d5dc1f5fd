/**
 * The PostgreSQL SearchIndex: one tsvector per article (article_search, GIN-indexed), written here from the JS
 * analyzer's terms as a tsvector literal, so PostgreSQL's parser and dictionaries never see the text (whatever
 * the database's locale); queries are tsquery literals of the same terms.
 */
import { gt, type SQL, sql } from 'drizzle-orm'
import { stemmer } from 'stemmer'
import type { Executor } from '../../db/database.js'
import type { PgDatabase } from '../../db/pg/database.js'
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

// PostgreSQL's tsvector limits: it clamps positions and drops positions past 256 itself, but fails the whole
// statement on a lexeme or a vector over its size.
const MAX_POSITION = 16_383
const MAX_POSITIONS_PER_LEXEME = 256
const MAX_LEXEME_BYTES = 2_047
const MAX_VECTOR_BYTES = 1_048_575

// FTS5's porter tokenizer leaves tokens of under 3 or over 64 bytes alone, and only rewrites an ASCII ending.
const PORTER_MIN_BYTES = 3
const PORTER_MAX_BYTES = 64
const LATIN_ENDING = /[a-z]$/

/**
 * ts_rank's weights, {D, C, B, A}: body 0.1, excerpt 0.5, title 1, as bm25's 10, 5, 1. With the title's
 * positions first, a term scores the sum of its weights divided by the square of their rank (about 1/1.645 for
 * one title occurrence, at most 0.5 with none, 0.1 for a body-only one): title, excerpt, body in that order.
 */
const RANK_WEIGHTS = sql.raw(`'{0, 0.1, 0.5, 1}'::float4[]`)

const REBUILD_BATCH = 200
const REBUILD_LOCK = `search_index_state:${ANALYZER_VERSION_KEY}`

/** What SQLite's porter tokenizer makes of an analyzed term (the JS analyzer leaves English inflection to it). */
export function porterStem(term: string): string {
  if (!LATIN_ENDING.test(term)) return term
  const bytes = Buffer.byteLength(term)
  return bytes < PORTER_MIN_BYTES || bytes > PORTER_MAX_BYTES ? term : stemmer(term)
}

/** A lexeme in tsvector and tsquery input syntax: in single quotes, quotes doubled and backslashes escaped. */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
}

interface Occurrences {
  positions: string[]
  last: number
}

/**
 * The article's tsvector literal: every term at its own position, title (weight A), then excerpt (B), then body
 * (C), as FTS5 counts them. Lexemes too long for PostgreSQL are left out: no query of 200 characters has one.
 */
export function documentVector(article: IndexedArticle): string {
  const fields = analyzedFields(article)
  const lexemes = new Map<string, Occurrences>()
  let bytes = 0
  let position = 0
  for (const [terms, weight] of [
    [fields.title, 'A'],
    [fields.excerpt, 'B'],
    [fields.body, 'C'],
  ] as const) {
    for (const term of terms) {
      position = Math.min(position + 1, MAX_POSITION)
      const lexeme = porterStem(term)
      let occurrences = lexemes.get(lexeme)
      if (occurrences === undefined) {
        const size = Buffer.byteLength(lexeme)
        if (size > MAX_LEXEME_BYTES || bytes + size > MAX_VECTOR_BYTES) continue
        bytes += size
        occurrences = { positions: [], last: 0 }
        lexemes.set(lexeme, occurrences)
      }
      // Past the last position every term shares it: keep the first, the heaviest weight.
      if (occurrences.last === position || occurrences.positions.length >= MAX_POSITIONS_PER_LEXEME) continue
      occurrences.positions.push(`${position}${weight}`)
      occurrences.last = position
    }
  }
  const entries: string[] = []
  for (const [lexeme, { positions }] of lexemes) entries.push(`${quoteLexeme(lexeme)}:${positions.join(',')}`)
  return entries.join(' ')
}

/**
 * The tsquery literal of analyzed query terms joined by `operator`, each limited to the given weights (title A,
 * excerpt B, body C; all when empty), or null when no document can match: no term, or one longer than any lexeme.
 */
export function queryLiteral(terms: string[], operator: '&' | '|', weights = ''): string | null {
  const lexemes = [...new Set(terms.map(porterStem))]
  if (lexemes.length === 0 || lexemes.some((lexeme) => Buffer.byteLength(lexeme) > MAX_LEXEME_BYTES)) {
    return null
  }
  const suffix = weights === '' ? '' : `:${weights}`
  return lexemes.map((lexeme) => `${quoteLexeme(lexeme)}${suffix}`).join(` ${operator} `)
}

const TIER_WEIGHTS: Record<string, string> = { title: 'A', excerpt: 'B' }

/** The tiers as tsqueries: every word in one of the tier's fields (weights), and not in a better tier. */
function tierQueries(terms: string[]): string[] {
  return tierExpressions(
    (tier) => `(${queryLiteral(terms, '&', tier.map((field) => TIER_WEIGHTS[field]).join(''))})`,
    (tier, better) => `${tier} & !${better}`,
  )
}

/** The matches of `query` (`s`, joined to the article as `a` when the filter needs it) that pass the filter. */
function matches(select: SQL, query: string, filter: SearchFilter): SQL {
  const conditions = [sql`s.document @@ ${query}::tsquery`]
  if (filter.status === 'published') {
    conditions.push(sql`a.status = 'published' AND a.published_at <= ${filter.now}`)
  } else if (filter.status === 'scheduled') {
    conditions.push(sql`a.status = 'published' AND a.published_at > ${filter.now}`)
  } else if (filter.status === 'draft') {
    conditions.push(sql`a.status = 'draft'`)
  }
  if (filter.author !== undefined) conditions.push(sql`a.author = ${filter.author}`)
  if (filter.tag !== undefined) {
    conditions.push(sql`s.article_id IN (SELECT article_tags.article_id FROM article_tags
      JOIN tags ON tags.id = article_tags.tag_id WHERE tags.slug = ${filter.tag})`)
  }
  // Every index row has its article (a cascading foreign key): the join only serves the filter.
  const from =
    filter.status === 'all' && filter.author === undefined
      ? sql`article_search s`
      : sql`article_search s JOIN articles a ON a.id = s.article_id`
  return sql`SELECT ${select} FROM ${from} WHERE ${sql.join(conditions, sql` AND `)}`
}

async function writeRow(tx: Executor, article: IndexedArticle): Promise<void> {
  await tx.rows(sql`INSERT INTO article_search (article_id, document)
    VALUES (${article.id}, ${documentVector(article)}::tsvector)
    ON CONFLICT (article_id) DO UPDATE SET document = excluded.document`)
}

/** Many rows in one statement: a JSON array of {article_id, document} is one parameter however long. */
async function writeRows(tx: Executor, articles: IndexedArticle[]): Promise<void> {
  const rows = articles.map((article) => ({ article_id: article.id, document: documentVector(article) }))
  await tx.rows(sql`INSERT INTO article_search (article_id, document)
    SELECT article_id, document FROM json_to_recordset(${JSON.stringify(rows)}::json)
      AS r(article_id integer, document tsvector)
    ON CONFLICT (article_id) DO UPDATE SET document = excluded.document`)
}

async function builtVersion(executor: Executor): Promise<number | undefined> {
  const [state] = await executor.rows<{ value: number }>(
    sql`SELECT value FROM search_index_state WHERE key = ${ANALYZER_VERSION_KEY}`,
  )
  return state?.value
}

async function countMatches(executor: Executor, query: string, filter: SearchFilter): Promise<number> {
  const [row] = await executor.rows<{ n: number }>(
    sql`SELECT count(*)::integer AS n FROM (${matches(sql`1`, query, filter)}) m`,
  )
  return row?.n ?? 0
}

/** Whether some word of the query is in more than scoreUpTo articles: each count stops one past it. */
async function isBroad(
  executor: Executor,
  terms: string[],
  tuning: Pick<SearchTuning, 'scoreUpTo'>,
): Promise<boolean> {
  if (!Number.isFinite(tuning.scoreUpTo)) return false
  const counts = [...new Set(terms)].map(
    (term) => sql`(SELECT count(*) FROM (SELECT 1 FROM article_search
      WHERE document @@ ${queryLiteral([term], '&')}::tsquery LIMIT ${tuning.scoreUpTo + 1}) t)`,
  )
  const [row] = await executor.rows<{ n: number }>(
    sql`SELECT greatest(${sql.join(counts, sql`, `)})::integer AS n`,
  )
  return (row?.n ?? 0) > tuning.scoreUpTo
}

/**
 * A broad query's page: each tier newest first (by the primary key, read backwards), as far as the page reaches.
 * A tier the page starts past is counted, to know where the next one starts.
 */
async function tieredIds(
  executor: Executor,
  terms: string[],
  filter: SearchFilter,
  limit: number,
  offset: number,
): Promise<number[]> {
  const ids: number[] = []
  let skip = offset
  for (const tier of tierQueries(terms)) {
    const rows = await executor.rows<{ id: number }>(sql`${matches(sql`s.article_id AS id`, tier, filter)}
      ORDER BY s.article_id DESC LIMIT ${limit - ids.length} OFFSET ${skip}`)
    ids.push(...rows.map((row) => row.id))
    if (ids.length === limit) break
    // This tier ends on this page (the next starts at its top) or before it.
    skip = rows.length > 0 || skip === 0 ? 0 : skip - (await countMatches(executor, tier, filter))
  }
  return ids
}

export function createPgSearchIndex(
  database: PgDatabase,
  tuning: Pick<SearchTuning, 'scoreUpTo'> = SEARCH_TUNING,
): SearchIndex {
  const { articles } = database.tables

  return {
    index: (tx, article) => writeRow(tx, article),

    async remove(tx, id) {
      await tx.rows(sql`DELETE FROM article_search WHERE article_id = ${id}`)
    },

    async rebuildIfNeeded() {
      if ((await builtVersion(database)) === ANALYZER_VERSION) return 0
      return database.transaction(async (tx) => {
        // Nodes that start together rebuild in turn, and the later ones find the work done.
        await tx.lock(REBUILD_LOCK)
        if ((await builtVersion(tx)) === ANALYZER_VERSION) return 0
        await tx.rows(sql`DELETE FROM article_search`)
        let indexed = 0
        let after = 0
        for (;;) {
          // In batches by id: bodies are large, and the table may be too.
          const rows = await tx.all(
            tx.qb
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
              .where(gt(articles.id, after))
              .orderBy(articles.id)
              .limit(REBUILD_BATCH),
          )
          const last = rows.at(-1)
          if (last === undefined) break
          await writeRows(
            tx,
            rows.map(({ html, ...row }) => ({ ...row, text: plainText(html) })),
          )
          indexed += rows.length
          after = last.id
        }
        await tx.rows(sql`INSERT INTO search_index_state (key, value) VALUES (${ANALYZER_VERSION_KEY},
          ${ANALYZER_VERSION}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
        return indexed
      })
    },

    /**
     * In one read-only snapshot, so the page and the total agree. bm25's order for a narrow query: each term is
     * scored alone (an OR query makes ts_rank average the terms' scores) and the scores add up, as bm25's do; an
     * AND query would have ts_rank score the terms' proximity instead. Equal scores mean the same weights in the
     * same order, which bm25 tells apart by the row's length, shorter first: ts_rank's normalization 2 divides by
     * it. A broad query walks its tiers newest first, as far as the page reaches. Only the total walks every
     * match, so a total kept from an earlier read (`knownTotal`) spares that walk.
     */
    ranked: (terms, filter, limit, offset, knownTotal) =>
      database.transaction(async (tx): Promise<RankedIds> => {
        const all = queryLiteral(terms, '&')
        const any = queryLiteral(terms, '|')
        if (all === null || any === null) return { ids: [], total: 0 }
        await tx.rows(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`)
        const total = knownTotal ?? (await countMatches(tx, all, filter))
        if (offset >= total) return { ids: [], total }
        if (total > tuning.scoreUpTo || (await isBroad(tx, terms, tuning))) {
          return { ids: await tieredIds(tx, terms, filter, limit, offset), total }
        }
        const rows = await tx.rows<{ id: number }>(sql`WITH
          r AS (SELECT s.article_id AS id, ts_rank(${RANK_WEIGHTS}, s.document, ${any}::tsquery) AS score,
            ts_rank(${RANK_WEIGHTS}, s.document, ${any}::tsquery, 2) AS density
            FROM article_search s WHERE s.article_id IN (${matches(sql`s.article_id`, all, filter)}))
          SELECT id FROM r ORDER BY score DESC, density DESC, id LIMIT ${limit} OFFSET ${offset}`)
        return { ids: rows.map((row) => row.id), total }
      }),

    // A semi-join: PostgreSQL reads the matching ids from the GIN index, or tests each id by its primary key.
    async matching(terms) {
      const all = queryLiteral(terms, '&')
      if (all === null) return sql`false`
      return sql`"articles"."id" IN (SELECT article_id FROM article_search WHERE document @@ ${all}::tsquery)`
    },

    async count(terms, filter) {
      const all = queryLiteral(terms, '&')
      return all === null ? 0 : countMatches(database, all, filter)
    },

    async size() {
      const [row] = await database.rows<{ n: number }>(sql`SELECT count(*)::integer AS n FROM article_search`)
      return row?.n ?? 0
    },
  }
}
