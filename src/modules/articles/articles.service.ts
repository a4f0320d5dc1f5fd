/** Articles: listing (pages and keyset cursors), lookup by id or slug, and writes with slugs, HTML and tags. */
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, or, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'
import { articles, articleTags, tags } from '../../db/schema.js'
import { BadRequestError, ConflictError, NotFoundError } from '../../lib/errors.js'
import { deriveExcerpt, plainText, readingTimeMinutes, renderBody } from '../../lib/html.js'
import {
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  offsetMeta,
  type Page,
} from '../../lib/pagination.js'
import { firstFreeSlug, givenSlug, type IdOrSlug, parseIdOrSlug, slugify } from '../../lib/slug.js'
import { buildMatchExpression } from '../search/search.query.js'
import {
  articleMatches,
  countMatches,
  indexArticle,
  rankedArticleIds,
  type SearchFilter,
  unindexArticle,
} from '../search/search.repository.js'
import { findOrCreateTagIds } from '../tags/tags.service.js'
import {
  isLive,
  isLiveRow,
  isScheduled,
  type SummaryRow,
  summaryColumns,
  toSummaries,
} from './articles.queries.js'
import type {
  Article,
  ArticleSummary,
  CreateArticleInput,
  ListArticlesQuery,
  UpdateArticleInput,
} from './articles.schemas.js'

type ArticleRow = typeof articles.$inferSelect
type Sort = NonNullable<ListArticlesQuery['sort']>

interface SortSpec {
  column: SQLiteColumn
  descending: boolean
  key: (row: SummaryRow) => string | null
}

const SORTS: Record<Sort, SortSpec> = {
  '-publishedAt': { column: articles.publishedAt, descending: true, key: (row) => row.publishedAt },
  publishedAt: { column: articles.publishedAt, descending: false, key: (row) => row.publishedAt },
  '-updatedAt': { column: articles.updatedAt, descending: true, key: (row) => row.updatedAt },
  title: { column: articles.title, descending: false, key: (row) => row.title },
}

/** Rows strictly after a keyset position. SQLite sorts NULL first, so a nullable key needs its own branches. */
function afterPosition(spec: SortSpec, position: CursorPosition): SQL {
  const { column, descending } = spec
  const value = position.value === null ? null : String(position.value)
  if (descending) {
    if (value === null) return and(isNull(column), lt(articles.id, position.id)) as SQL
    return or(lt(column, value), and(eq(column, value), lt(articles.id, position.id)), isNull(column)) as SQL
  }
  if (value === null) return or(and(isNull(column), gt(articles.id, position.id)), isNotNull(column)) as SQL
  return or(gt(column, value), and(eq(column, value), gt(articles.id, position.id))) as SQL
}

function byRef(ref: IdOrSlug): SQL {
  return 'id' in ref ? eq(articles.id, ref.id) : eq(articles.slug, ref.slug)
}

/**
 * HTML, excerpt and reading time follow the body; an excerpt the editor wrote is kept. `text` is the plain text
 * the search index takes (not a column).
 */
function derivedFields(body: string, bodyFormat: 'markdown' | 'html', customExcerpt: string | null) {
  const html = renderBody(body, bodyFormat)
  const text = plainText(html)
  return {
    text,
    columns: {
      html,
      excerpt: customExcerpt ?? deriveExcerpt(text),
      excerptIsCustom: customExcerpt !== null,
      readingTimeMinutes: readingTimeMinutes(text),
    },
  }
}

/** `''` and null both mean "derive it", as WordPress treats an empty excerpt. */
function customExcerpt(value: string | null | undefined): string | null {
  return value ? value : null
}

function emptyPage(query: ListArticlesQuery): Page<ArticleSummary> {
  return { data: [], meta: offsetMeta(query.page, query.perPage, 0) }
}

export function createArticleService(db: Db) {
  function findRow(idOrSlug: string): ArticleRow | undefined {
    return db
      .select()
      .from(articles)
      .where(byRef(parseIdOrSlug(idOrSlug)))
      .get()
  }

  function toArticle(row: ArticleRow): Article {
    const [summary] = toSummaries(db, [row])
    const { excerptIsCustom: _internal, ...article } = summary as typeof summary & ArticleRow
    return article
  }

  /** A given slug must be free; a derived one takes the first free of base, base-2, base-3, … */
  function chooseSlug(given: string | undefined, title: string, exceptId?: number): string {
    const taken = (slug: string) => {
      const row = db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)).get()
      return row !== undefined && row.id !== exceptId
    }
    if (given === undefined) return firstFreeSlug(slugify(title) || 'untitled', taken)
    const slug = givenSlug(given, 'slug')
    if (taken(slug))
      throw new ConflictError('That slug is taken by another article.', [{ path: 'slug', message: 'Taken' }])
    return slug
  }

  function replaceTags(articleId: number, names: string[]): void {
    const tagIds = findOrCreateTagIds(db, names)
    db.delete(articleTags).where(eq(articleTags.articleId, articleId)).run()
    if (tagIds.length > 0) {
      db.insert(articleTags)
        .values(tagIds.map((tagId, position) => ({ articleId, tagId, position })))
        .run()
    }
  }

  /** Best match first; FTS5 ranks every match, so this pages by offset (no cursor). */
  function rankedPage(match: string, filter: SearchFilter, query: ListArticlesQuery): Page<ArticleSummary> {
    const offset = (query.page - 1) * query.perPage
    const { ids, total } = rankedArticleIds(db, match, filter, query.perPage, offset)
    const rows =
      ids.length === 0 ? [] : db.select(summaryColumns).from(articles).where(inArray(articles.id, ids)).all()
    const byId = new Map(rows.map((row) => [row.id, row]))
    const ordered = ids.flatMap((id) => byId.get(id) ?? [])
    return { data: toSummaries(db, ordered), meta: offsetMeta(query.page, query.perPage, total) }
  }

  return {
    /** The row behind an id or slug, whatever its status; undefined when there is none. */
    findRow,

    /** One article in full form; drafts and scheduled ones only for token holders. */
    get(idOrSlug: string, privileged: boolean): Article {
      const row = findRow(idOrSlug)
      if (!row || (!privileged && !isLiveRow(row, new Date().toISOString())))
        throw new NotFoundError('Article')
      return toArticle(row)
    },

    /** The route has already refused `status` other than `published` to callers without a token. */
    list(query: ListArticlesQuery): Page<ArticleSummary> {
      const now = new Date().toISOString()
      const q = query.q?.trim() ? query.q : undefined
      // A query with no word in it (only punctuation, say) matches nothing rather than everything.
      const match = q === undefined ? null : buildMatchExpression(q)
      if (q !== undefined && match === null) return emptyPage(query)
      if (match !== null && query.sort === undefined && query.cursor !== undefined) {
        throw new BadRequestError('The query string is not valid.', [
          {
            path: 'cursor',
            message: 'Not available with q ordered by relevance: use page, or give a sort.',
          },
        ])
      }
      const sortName: Sort = query.sort ?? '-publishedAt'
      const spec = SORTS[sortName]
      const status = query.status ?? 'published'
      const conditions: SQL[] = []
      if (status === 'published') conditions.push(isLive(now))
      else if (status === 'scheduled') conditions.push(isScheduled(now))
      else if (status === 'draft') conditions.push(eq(articles.status, 'draft'))
      if (query.author !== undefined) conditions.push(eq(articles.author, query.author))
      if (query.tag !== undefined) {
        const tagIds = db
          .select({ id: tags.id })
          .from(tags)
          .where(eq(tags.slug, slugify(query.tag)))
        const taggedArticleIds = db
          .select({ id: articleTags.articleId })
          .from(articleTags)
          .where(inArray(articleTags.tagId, tagIds))
        conditions.push(inArray(articles.id, taggedArticleIds))
      }
      const searchFilter: SearchFilter = {
        status,
        now,
        author: query.author,
        tag: query.tag === undefined ? undefined : slugify(query.tag),
      }
      if (match !== null && query.sort === undefined) return rankedPage(match, searchFilter, query)
      if (match !== null) conditions.push(articleMatches(db, match))
      const filter = and(...conditions)
      // With q, the search index counts (exactly, and without walking every live article's index entry).
      const total =
        match !== null
          ? countMatches(db, match, searchFilter)
          : (db.select({ n: count() }).from(articles).where(filter).get()?.n ?? 0)

      const direction = spec.descending ? desc : asc
      const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sortName)
      const rows = db
        .select(summaryColumns)
        .from(articles)
        .where(position ? and(filter, afterPosition(spec, position)) : filter)
        .orderBy(direction(spec.column), direction(articles.id))
        .limit(query.perPage + 1)
        .offset(position ? 0 : (query.page - 1) * query.perPage)
        .all()

      const hasMore = rows.length > query.perPage
      const pageRows = hasMore ? rows.slice(0, query.perPage) : rows
      const last = pageRows.at(-1)
      const nextCursor =
        hasMore && last ? encodeCursor({ sort: sortName, value: spec.key(last), id: last.id }) : null
      const data = toSummaries(db, pageRows)
      const meta = position
        ? { perPage: query.perPage, total, nextCursor }
        : offsetMeta(query.page, query.perPage, total, nextCursor)
      return { data, meta }
    },

    create(input: CreateArticleInput): Article {
      return db.transaction(() => {
        const now = new Date().toISOString()
        const status = input.status ?? 'draft'
        const bodyFormat = input.bodyFormat ?? 'markdown'
        const derived = derivedFields(input.body, bodyFormat, customExcerpt(input.excerpt))
        const row = db
          .insert(articles)
          .values({
            slug: chooseSlug(input.slug, input.title),
            title: input.title,
            body: input.body,
            bodyFormat,
            ...derived.columns,
            author: input.author ?? null,
            coverImageUrl: input.coverImageUrl ?? null,
            status,
            publishedAt: input.publishedAt ?? (status === 'published' ? now : null),
            commentsEnabled: input.commentsEnabled ?? true,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get()
        if (input.tags) replaceTags(row.id, input.tags)
        indexArticle(db, { ...row, text: derived.text })
        return toArticle(row)
      })
    },

    /**
     * Applies a patch. `assertCurrent` sees the article as it stands and may throw (If-Match) before anything
     * changes; it runs inside the same synchronous transaction, so no other write can slip in between.
     */
    update(idOrSlug: string, patch: UpdateArticleInput, assertCurrent?: (current: Article) => void): Article {
      return db.transaction(() => {
        const row = findRow(idOrSlug)
        if (!row) throw new NotFoundError('Article')
        assertCurrent?.(toArticle(row))
        const now = new Date().toISOString()
        const body = patch.body ?? row.body
        const bodyFormat = patch.bodyFormat ?? row.bodyFormat
        const excerpt =
          patch.excerpt !== undefined
            ? customExcerpt(patch.excerpt)
            : row.excerptIsCustom
              ? row.excerpt
              : null
        const status = patch.status ?? row.status
        const publishedAt = patch.publishedAt !== undefined ? patch.publishedAt : row.publishedAt
        const derived = derivedFields(body, bodyFormat, excerpt)
        const updated = db
          .update(articles)
          .set({
            slug: patch.slug !== undefined ? chooseSlug(patch.slug, row.title, row.id) : row.slug,
            title: patch.title ?? row.title,
            body,
            bodyFormat,
            ...derived.columns,
            author: patch.author !== undefined ? patch.author : row.author,
            coverImageUrl: patch.coverImageUrl !== undefined ? patch.coverImageUrl : row.coverImageUrl,
            status,
            publishedAt: publishedAt ?? (status === 'published' ? now : null),
            commentsEnabled: patch.commentsEnabled ?? row.commentsEnabled,
            updatedAt: now,
          })
          .where(eq(articles.id, row.id))
          .returning()
          .get()
        if (patch.tags) replaceTags(row.id, patch.tags)
        // Every update rewrites the index row: it holds the text and copies of status, publishedAt and author.
        // Tags are not indexed (a tag filter reads article_tags), so replacing them needs nothing more.
        indexArticle(db, { ...updated, text: derived.text })
        return toArticle(updated)
      })
    },

    /** Deletes the article; its comments, tag links and related links go with it (foreign keys cascade). */
    remove(idOrSlug: string): void {
      db.transaction(() => {
        const row = findRow(idOrSlug)
        if (!row) throw new NotFoundError('Article')
        unindexArticle(db, row.id)
        db.delete(articles).where(eq(articles.id, row.id)).run()
      })
    },

    count(): number {
      return db.select({ n: count() }).from(articles).get()?.n ?? 0
    },
  }
}

export type ArticleService = ReturnType<typeof createArticleService>
