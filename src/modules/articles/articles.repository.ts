/** The articles' queries, written once over Drizzle for both engines: rows, list pages, summaries, tag links. */
import {
  type AnyColumn,
  and,
  count,
  eq,
  getTableColumns,
  getTableName,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  min,
  or,
  type SQL,
  sql,
} from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import {
  type Database,
  type Executor,
  type Query,
  type QueryBuilder,
  type Statement,
  statement,
} from '../../db/database.js'
import type { CursorPosition } from '../../lib/pagination.js'
import type { IdOrSlug } from '../../lib/slug.js'
import type { ArticleSummary, ListArticlesQuery } from './articles.schemas.js'
import { isLive, isScheduled } from './articles.visibility.js'

const placeholder = (name: string) => sql.placeholder(name)

// Past every article's id (PostgreSQL's ids are 32-bit): with `now` as the cursor, every row at `now` is kept.
const BEYOND_EVERY_ID = 2_147_483_647

/**
 * How a list query takes its values: as placeholders, for a statement prepared once per shape, or as the values
 * themselves, for the few queries built each time (a search's page, counts).
 */
type Bind = <V>(name: string, value: V) => V
const asPlaceholder: Bind = (name) => placeholder(name) as never
const asValue: Bind = (_name, value) => value

export type ArticleRow = Database['tables']['articles']['$inferSelect']
export type NewArticleRow = Database['tables']['articles']['$inferInsert']
export type SummaryRow = Omit<
  ArticleRow,
  'body' | 'bodyFormat' | 'html' | 'excerptIsCustom' | 'publishedEventAt'
>
/** A summary row with its tags and approved comment count: an ArticleSummary as stored. */
export type ListedRow = SummaryRow & { tags: TagRef[]; commentCount: number }
export type ArticleSort = NonNullable<ListArticlesQuery['sort']>
export type StatusFilter = NonNullable<ListArticlesQuery['status']>
type TagRef = ArticleSummary['tags'][number]

/** Which rows of a list: a keyset position to start after, or an offset; `limit` rows at most. */
export interface PageWindow {
  position?: CursorPosition
  limit: number
  offset: number
}

/** What a list asks for, already decided by the service. */
export interface ListCriteria {
  status: StatusFilter
  now: string
  author?: string
  /** A tag slug, normalized. */
  tag?: string
  /**
   * A tag many articles carry: walk the list's own index and test each id against the tag's set, stopping after a
   * page, rather than read every tagged article and sort them (which SQLite's planner picks by itself).
   */
  tagIsCommon?: boolean
  /** A condition on articles.id from the SearchIndex. */
  matching?: SQL
}

/** `"table"."column"`, whatever the query around it. */
function qualified(column: AnyColumn): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`
}

export function createArticleRepository(database: Database) {
  const { articles, articleTags, tags, comments } = database.tables

  const summaryColumns = {
    id: articles.id,
    slug: articles.slug,
    title: articles.title,
    excerpt: articles.excerpt,
    author: articles.author,
    coverImageUrl: articles.coverImageUrl,
    status: articles.status,
    publishedAt: articles.publishedAt,
    commentsEnabled: articles.commentsEnabled,
    readingTimeMinutes: articles.readingTimeMinutes,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
  }

  // A row's tags (in the editor's order) and approved comment count, read in the row's own query: two queries
  // more per page cost more than the subqueries (about a third of a list read's SQL on SQLite).
  // Columns spelled with their table: Drizzle writes a one-table query's columns bare, and a bare "id" in these
  // subqueries would be their own table's.
  const q = qualified
  const rowExtras = {
    tags: database.jsonArray<TagRef>(
      { id: q(tags.id), slug: q(tags.slug), name: q(tags.name) },
      sql`FROM ${articleTags} JOIN ${tags} ON ${q(tags.id)} = ${q(articleTags.tagId)}
        WHERE ${q(articleTags.articleId)} = ${q(articles.id)}`,
      q(articleTags.position),
    ),
    commentCount: sql<number>`(SELECT count(*) FROM ${comments}
      WHERE ${q(comments.articleId)} = ${q(articles.id)} AND ${q(comments.status)} = 'approved')`.mapWith(
      Number,
    ),
  }
  const listedColumns = { ...summaryColumns, ...rowExtras }

  const sortColumns: Record<ArticleSort, { column: SQLiteColumn; descending: boolean }> = {
    '-publishedAt': { column: articles.publishedAt, descending: true },
    publishedAt: { column: articles.publishedAt, descending: false },
    '-updatedAt': { column: articles.updatedAt, descending: true },
    title: { column: articles.title, descending: false },
  }

  const byRef = (ref: IdOrSlug): SQL => ('id' in ref ? eq(articles.id, ref.id) : eq(articles.slug, ref.slug))

  /**
   * The WHERE of a list. Each shape of list is one prepared statement; a search's id condition cannot be prepared,
   * so those lists are built each time with their values.
   */
  function criteria(c: ListCriteria, bind: Bind, timeInCursor = false): SQL | undefined {
    const now = bind('now', c.now)
    const conditions: SQL[] = []
    if (timeInCursor) conditions.push(eq(articles.status, 'published'))
    else if (c.status === 'published') conditions.push(isLive(articles, now))
    else if (c.status === 'scheduled') conditions.push(isScheduled(articles, now))
    else if (c.status === 'draft') conditions.push(eq(articles.status, 'draft'))
    if (c.author !== undefined) conditions.push(eq(articles.author, bind('author', c.author)))
    if (c.tag !== undefined) {
      const tagged = database.qb
        .select({ id: articleTags.articleId })
        .from(articleTags)
        .innerJoin(tags, eq(tags.id, articleTags.tagId))
        .where(eq(tags.slug, bind('tag', c.tag)))
      // The unary + hides articles.id from the planner, so the tag's set cannot drive the query.
      conditions.push(c.tagIsCommon ? sql`+${articles.id} IN ${tagged}` : inArray(articles.id, tagged))
    }
    if (c.matching !== undefined) conditions.push(c.matching)
    return and(...conditions)
  }

  /**
   * Rows strictly after a keyset position. Where the sort key cannot be NULL (every published or scheduled article
   * has its time; updatedAt and title always have a value) it is one row-value comparison, which both engines read
   * as a range of the list's index; otherwise NULL sorts first as on SQLite (database.asc/desc).
   */
  function afterPosition(sort: ArticleSort, position: CursorPosition, c: ListCriteria, bind: Bind): SQL {
    const { column, descending } = sortColumns[sort]
    const valueIsNull = position.value === null
    const bound = cursorBound(c, sort, position)
    const value = bind('afterValue', bound.value)
    const id = bind('afterId', bound.id)
    const keyIsSet = column !== articles.publishedAt || c.status === 'published' || c.status === 'scheduled'
    if (keyIsSet && !valueIsNull) {
      return descending
        ? sql`(${column}, ${articles.id}) < (${value}, ${id})`
        : sql`(${column}, ${articles.id}) > (${value}, ${id})`
    }
    if (descending) {
      if (valueIsNull) return and(isNull(column), lt(articles.id, id)) as SQL
      return or(lt(column, value), and(eq(column, value), lt(articles.id, id)), isNull(column)) as SQL
    }
    if (valueIsNull) return or(and(isNull(column), gt(articles.id, id)), isNotNull(column)) as SQL
    return or(gt(column, value), and(eq(column, value), gt(articles.id, id))) as SQL
  }

  /**
   * Whether the cursor's bound also carries the list's time bound: a live list read newest first (or a scheduled
   * one oldest first) bounds published_at from the same side as its cursor. Given both, SQLite's planner may range
   * the index by `now` and skip every row before the cursor (12 ms for a page 5,000 deep at 100,000 articles); one
   * row value, min(cursor, now) (cursorBound), is the one range either engine can take.
   */
  function timeInCursor(c: ListCriteria, sort: ArticleSort, position: CursorPosition): boolean {
    if (sortColumns[sort].column !== articles.publishedAt || position.value === null) return false
    return sort === '-publishedAt' ? c.status === 'published' : c.status === 'scheduled'
  }

  /** The cursor's bound, moved to `now` (past every id) where the list's time bound is the tighter one. */
  function cursorBound(c: ListCriteria, sort: ArticleSort, position: CursorPosition) {
    const value = String(position.value)
    if (!timeInCursor(c, sort, position)) return { value, id: position.id }
    const nowIsTighter = sort === '-publishedAt' ? c.now < value : c.now >= value
    return nowIsTighter ? { value: c.now, id: BEYOND_EVERY_ID } : { value, id: position.id }
  }

  function pageQuery(qb: Database['qb'], c: ListCriteria, sort: ArticleSort, page: PageWindow, bind: Bind) {
    const { column, descending } = sortColumns[sort]
    const direction = descending ? database.desc : database.asc
    const filter = criteria(c, bind, page.position !== undefined && timeInCursor(c, sort, page.position))
    return qb
      .select(listedColumns)
      .from(articles)
      .where(page.position ? and(filter, afterPosition(sort, page.position, c, bind)) : filter)
      .orderBy(direction(column), direction(articles.id))
      .limit(bind('limit', page.limit))
      .offset(bind('offset', page.offset))
  }

  // One prepared statement per shape of list (status, sort, filters, cursor or not), made on first use.
  const pageStatements = new Map<string, Statement<ListedRow>>()
  function pageStatement(c: ListCriteria, sort: ArticleSort, page: PageWindow) {
    const after = !page.position ? '' : page.position.value === null ? 'after-null' : 'after'
    const shape = [
      c.status,
      sort,
      c.author === undefined ? '' : 'author',
      c.tag === undefined ? '' : 'tag',
      after,
    ]
    const name = `articles_page:${shape.join(':')}`
    let found = pageStatements.get(name)
    if (!found) {
      found = statement(name, (qb) => pageQuery(qb, c, sort, page, asPlaceholder))
      pageStatements.set(name, found)
    }
    return found
  }

  /** One article by id or by slug: two statements prepared once, the WHERE given to `build`. */
  function oneByRef<T>(name: string, build: (qb: QueryBuilder, where: SQL) => Query<T>) {
    const byId = statement(`${name}_by_id`, (qb) => build(qb, eq(articles.id, placeholder('id'))))
    const bySlug = statement(`${name}_by_slug`, (qb) => build(qb, eq(articles.slug, placeholder('slug'))))
    return (ref: IdOrSlug, tx: Executor) =>
      'id' in ref ? tx.one(byId, { id: ref.id }) : tx.one(bySlug, { slug: ref.slug })
  }
  const rowOf = oneByRef('articles', (qb, where) => qb.select().from(articles).where(where))
  // An article as a reader gets it: every column, its tags and its comment count.
  const viewColumns = { ...getTableColumns(articles), ...rowExtras }
  const viewOf = oneByRef('articles_view', (qb, where) => qb.select(viewColumns).from(articles).where(where))
  const stateColumns = {
    id: articles.id,
    status: articles.status,
    publishedAt: articles.publishedAt,
    commentsEnabled: articles.commentsEnabled,
  }
  const stateOf = oneByRef('articles_state', (qb, where) =>
    qb.select(stateColumns).from(articles).where(where),
  )
  // The id lists go in as one parameter (database.inIds), so one statement serves any number of articles.
  const tagsOfIds = statement('articles_tags_of', (qb) =>
    qb
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(database.inIds(articleTags.articleId, placeholder('ids')))
      .orderBy(database.asc(articleTags.articleId), database.asc(articleTags.position)),
  )
  const commentCountsOfIds = statement('articles_comment_counts', (qb) =>
    qb
      .select({ articleId: comments.articleId, n: count() })
      .from(comments)
      .where(and(database.inIds(comments.articleId, placeholder('ids')), eq(comments.status, 'approved')))
      .groupBy(comments.articleId),
  )
  const firstGoLive = statement('articles_next_go_live', (qb) =>
    qb
      .select({ at: min(articles.publishedAt) })
      .from(articles)
      .where(isScheduled(articles, placeholder('now') as unknown as string)),
  )

  function afterParams(c: ListCriteria, sort: ArticleSort, position: CursorPosition | undefined) {
    if (position === undefined) return {}
    if (position.value === null) return { afterId: position.id }
    const bound = cursorBound(c, sort, position)
    return { afterValue: bound.value, afterId: bound.id }
  }

  return {
    /** The sort key of a row, as a cursor stores it. */
    sortKey(sort: ArticleSort, row: SummaryRow): string | null {
      return sort === 'title' ? row.title : sort === '-updatedAt' ? row.updatedAt : row.publishedAt
    },

    find(ref: IdOrSlug, tx: Executor = database, options: { lock?: boolean } = {}) {
      if (options.lock) return tx.get(tx.forUpdate(tx.qb.select().from(articles).where(byRef(ref))))
      return rowOf(ref, tx)
    },

    /** The article with its tags and comment count, in one query: what a GET answers. */
    view(ref: IdOrSlug, tx: Executor = database) {
      return viewOf(ref, tx)
    },

    /** When the next scheduled article goes live after `now`: the moment the public's answers change unwritten. */
    async nextGoLive(now: string, tx: Executor = database): Promise<string | null> {
      return (await tx.one(firstGoLive, { now }))?.at ?? null
    },

    /** The few columns visibility and commenting need. */
    findState(ref: IdOrSlug, tx: Executor = database) {
      return stateOf(ref, tx)
    },

    async slugOwner(slug: string, tx: Executor): Promise<number | undefined> {
      const row = await tx.get(
        tx.qb.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)),
      )
      return row?.id
    },

    /** Published articles whose time has come and that article.published has not announced yet, oldest first. */
    async unannounced(now: string, limit: number): Promise<number[]> {
      const rows = await database.all(
        database.qb
          .select({ id: articles.id })
          .from(articles)
          .where(and(isLive(articles, now), isNull(articles.publishedEventAt)))
          .orderBy(database.asc(articles.publishedAt), database.asc(articles.id))
          .limit(limit),
      )
      return rows.map((row) => row.id)
    },

    /**
     * Marks a live, unannounced article announced, and returns it; undefined when it is no longer either (another
     * node took it, or an editor changed it). On PostgreSQL the second of two racing updates waits for the first
     * and then finds its condition false, so only one transaction goes on to record the event.
     */
    async claimAnnouncement(id: number, now: string, tx: Executor): Promise<ArticleRow | undefined> {
      const [row] = await tx.all(
        tx.qb
          .update(articles)
          .set({ publishedEventAt: now })
          .where(and(eq(articles.id, id), isLive(articles, now), isNull(articles.publishedEventAt)))
          .returning(),
      )
      return row
    },

    async insert(values: NewArticleRow, tx: Executor): Promise<ArticleRow> {
      const [row] = await tx.all(tx.qb.insert(articles).values(values).returning())
      return row as ArticleRow
    },

    async update(id: number, values: Partial<NewArticleRow>, tx: Executor): Promise<ArticleRow> {
      const [row] = await tx.all(tx.qb.update(articles).set(values).where(eq(articles.id, id)).returning())
      return row as ArticleRow
    },

    /** Comments, tag links and related links go with it (foreign keys cascade). */
    remove(id: number, tx: Executor): Promise<void> {
      return tx.run(tx.qb.delete(articles).where(eq(articles.id, id)))
    },

    async replaceTags(articleId: number, tagIds: number[], tx: Executor): Promise<void> {
      await tx.run(tx.qb.delete(articleTags).where(eq(articleTags.articleId, articleId)))
      if (tagIds.length === 0) return
      await tx.run(
        tx.qb.insert(articleTags).values(tagIds.map((tagId, position) => ({ articleId, tagId, position }))),
      )
    },

    async count(c?: ListCriteria, tx: Executor = database): Promise<number> {
      const row = await tx.get(
        tx.qb
          .select({ n: count() })
          .from(articles)
          .where(c ? criteria(c, asValue) : undefined),
      )
      return row?.n ?? 0
    },

    /** One page in the sort's order, one row more than asked so the caller knows whether more follow. */
    page(
      c: ListCriteria,
      sort: ArticleSort,
      page: PageWindow,
      tx: Executor = database,
    ): Promise<ListedRow[]> {
      if (c.matching !== undefined) return tx.all(pageQuery(tx.qb, c, sort, page, asValue))
      return tx.many(pageStatement(c, sort, page), {
        now: c.now,
        author: c.author,
        tag: c.tag,
        limit: page.limit,
        offset: page.offset,
        ...afterParams(c, sort, page.position),
      })
    },

    /** Summary rows with their tags and comment counts by id, in the order of `ids`. */
    async listedRows(ids: number[], tx: Executor = database): Promise<ListedRow[]> {
      if (ids.length === 0) return []
      const rows = await tx.all(tx.qb.select(listedColumns).from(articles).where(inArray(articles.id, ids)))
      const byId = new Map(rows.map((row) => [row.id, row]))
      return ids.flatMap((id) => byId.get(id) ?? [])
    },

    /** The columns of the summary form, for the related module's queries that list articles. */
    summaryColumns,

    /** The tags of many articles in one query, each list in the editor's order. */
    async tagsOf(articleIds: number[], tx: Executor = database): Promise<Map<number, TagRef[]>> {
      const byArticle = new Map<number, TagRef[]>()
      if (articleIds.length === 0) return byArticle
      const rows = await tx.many(tagsOfIds, { ids: JSON.stringify(articleIds) })
      for (const { articleId, ...tag } of rows) {
        const list = byArticle.get(articleId) ?? []
        list.push(tag)
        byArticle.set(articleId, list)
      }
      return byArticle
    },

    /** Approved comments per article, in one grouped query. */
    async commentCounts(articleIds: number[], tx: Executor = database): Promise<Map<number, number>> {
      if (articleIds.length === 0) return new Map()
      const rows = await tx.many(commentCountsOfIds, { ids: JSON.stringify(articleIds) })
      return new Map(rows.map((row) => [row.articleId, row.n]))
    },
  }
}

export type ArticleRepository = ReturnType<typeof createArticleRepository>
