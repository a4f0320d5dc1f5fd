/** Articles: the rules of listing, reading and writing, over the repository and the search index. No SQL here. */
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { BadRequestError, ConflictError, NotFoundError } from '../../lib/errors.js'
import { deriveExcerpt, plainText, readingTimeMinutes, renderBody } from '../../lib/html.js'
import { decodeCursor, encodeCursor, isPastEnd, offsetMeta, type Page } from '../../lib/pagination.js'
import { givenSlug, isIdLike, parseIdOrSlug, slugify } from '../../lib/slug.js'
import type { ChangeSignal } from '../../nodes/change-signal.js'
import { type Freshness, keptPerStamp, type Stamp } from '../../nodes/freshness.js'
import type { RevisionRecorder } from '../revisions/revisions.service.js'
import type { SearchFilter, SearchIndex } from '../search/search.index.js'
import { queryTerms } from '../search/search.query.js'
import type { TagService } from '../tags/tags.service.js'
import { articleData, type EventType } from '../webhooks/webhooks.events.js'
import type { WebhookService } from '../webhooks/webhooks.service.js'
import type {
  ArticleRepository,
  ArticleRow,
  ArticleSort,
  ListCriteria,
  SummaryRow,
} from './articles.repository.js'
import type {
  Article,
  ArticleSummary,
  CreateArticleInput,
  ListArticlesQuery,
  UpdateArticleInput,
} from './articles.schemas.js'
import { canSee, isLiveRow } from './articles.visibility.js'

export interface ArticleServiceDeps {
  database: Database
  repository: ArticleRepository
  search: SearchIndex
  tags: Pick<TagService, 'resolveNames'>
  /** Stores each create and each change as a revision, in the write's own transaction. */
  revisions: Pick<RevisionRecorder, 'record'>
  clock: Clock
  changes: ChangeSignal
  /** When a cached list total stops being right. */
  freshness: Freshness
  /** The webhook outbox: events are recorded in the write's own transaction. */
  events: Pick<WebhookService, 'record'>
}

/**
 * How a write runs. `actor` names the token that makes it (for the revision). An import also passes `tx`, so that
 * the write is part of its own transaction (one WordPress item: article, comments, records), and the times its
 * source gave; it then publishes the change itself, once that transaction has committed.
 */
export interface WriteOptions {
  actor?: string | null
  tx?: Executor
  createdAt?: string
  updatedAt?: string
  /** No webhook event (an import, which sends one import.completed at its end); the announcement is still kept. */
  silent?: boolean
}

/** Batch size of one announcement tick; the rest wait for the next. */
const ANNOUNCE_BATCH = 100

/**
 * The event a write causes, from whether the article is live after it and whether its going live was announced:
 * published when it goes live (or is found live and unannounced), updated while it stays live, unpublished when
 * it goes back to draft or into the future. The marker follows, so the scheduled tick cannot announce it twice.
 */
function eventOf(live: boolean, announced: boolean): EventType | null {
  if (live) return announced ? 'article.updated' : 'article.published'
  return announced ? 'article.unpublished' : null
}

/**
 * A tag on at least 1 in this many of a list's articles is walked in the list's order (ListCriteria.tagIsCommon):
 * a page then reads about this many index entries per article shown; a rarer tag's articles are cheaper read first.
 */
const COMMON_TAG_SHARE = 50

/** Totals of distinct lists (status, author, tag) kept at once. */
const TOTALS_KEPT = 10_000

/** A derived slug lost a race for `base-n` to a concurrent writer: try the next free one. */
const SLUG_ATTEMPTS = 20

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

export function createArticleService({
  database,
  repository,
  search,
  tags,
  revisions,
  clock,
  changes,
  freshness,
  events,
}: ArticleServiceDeps) {
  const changed = (id: number) => changes.publish({ topic: 'articles', id })

  // List totals, kept until the next write or go-live: counting every live article on each read costs more than
  // the page itself once a site has many. Shared by readers that miss together: on a cold node, 32 PostgreSQL
  // readers each counting 100,000 articles at once took over 5 s, and the requests held that long left V8
  // tenuring their objects (v8-flags.ts).
  const totals = keptPerStamp<number>(TOTALS_KEPT)
  function totalOf(criteria: ListCriteria, stamp: Stamp): Promise<number> {
    const key = JSON.stringify([criteria.status, criteria.author ?? null, criteria.tag ?? null])
    return totals.get(key, stamp, () => repository.count(criteria))
  }
  // A search's total is kept the same way: counting every match of a common word costs more than ranking a page.
  const searchKey = (terms: string[], filter: SearchFilter) =>
    JSON.stringify(['q', terms, filter.status, filter.author ?? null, filter.tag ?? null])
  function searchTotalOf(terms: string[], filter: SearchFilter, stamp: Stamp): Promise<number> {
    return totals.get(searchKey(terms, filter), stamp, () => search.count(terms, filter))
  }

  /** Rows to summaries with two extra queries per page, never one per article. */
  async function summarize<R extends SummaryRow>(rows: R[], tx: Executor = database) {
    const ids = rows.map((row) => row.id)
    const [tagLists, counts] = [await repository.tagsOf(ids, tx), await repository.commentCounts(ids, tx)]
    return rows.map((row) => ({
      ...row,
      tags: tagLists.get(row.id) ?? [],
      commentCount: counts.get(row.id) ?? 0,
    }))
  }

  async function toArticle(row: ArticleRow, tx: Executor = database): Promise<Article> {
    const [summary] = await summarize([row], tx)
    const {
      excerptIsCustom: _internal,
      publishedEventAt: _announced,
      ...article
    } = summary as typeof summary & ArticleRow
    return article
  }

  /** A given slug must be free; a derived one takes the first free of base, base-2, base-3, … */
  async function chooseSlug(tx: Executor, given: string | undefined, title: string, exceptId?: number) {
    const taken = async (slug: string) => {
      const owner = await repository.slugOwner(slug, tx)
      return owner !== undefined && owner !== exceptId
    }
    if (given === undefined) {
      const base = slugify(title) || 'untitled'
      // Writers deriving from the same base take turns; the unique index still backs this up (see create).
      await tx.lock(`article-slug:${base}`)
      if (!isIdLike(base) && !(await taken(base))) return base
      let n = 2
      while (await taken(`${base}-${n}`)) n++
      return `${base}-${n}`
    }
    const slug = givenSlug(given, 'slug')
    if (await taken(slug))
      throw new ConflictError('That slug is taken by another article.', [{ path: 'slug', message: 'Taken' }])
    return slug
  }

  async function rankedPage(terms: string[], filter: SearchFilter, query: ListArticlesQuery, stamp: Stamp) {
    const key = searchKey(terms, filter)
    const offset = (query.page - 1) * query.perPage
    const kept = totals.peek(key, stamp)
    // Without a kept total, the ranking counts its matches as it goes.
    const { ids, total } = await search.ranked(terms, filter, query.perPage, offset, kept && (await kept))
    if (!kept) totals.keep(key, stamp, Promise.resolve(total))
    return { data: await repository.listedRows(ids), meta: offsetMeta(query.page, query.perPage, total) }
  }

  /**
   * The article behind an id or slug when this caller may see it (drafts and scheduled: tokens only); else 404.
   * For the modules that hang off an article (comments, related).
   */
  async function findVisible(idOrSlug: string, privileged: boolean, tx: Executor = database) {
    const row = await repository.findState(parseIdOrSlug(idOrSlug), tx)
    if (!row || !canSee(row, privileged, isoNow(clock))) throw new NotFoundError('Article')
    return row
  }

  /** `actor` is the name of the token that writes, for the revision (null: the seeder, an import). */
  async function create(input: CreateArticleInput, options: WriteOptions = {}): Promise<Article> {
    // An import's write joins its transaction; no retry there: a lost slug race rolls the whole item back.
    if (options.tx) return insertArticle(options.tx, input, options.actor ?? null, options)
    for (let attempt = 1; ; attempt++) {
      try {
        const article = await database.transaction((tx) =>
          insertArticle(tx, input, options.actor ?? null, { silent: options.silent }),
        )
        await changed(article.id)
        return article
      } catch (error) {
        // Only a derived slug is retried: a given one that is taken is the 409 the contract promises.
        const lostRace = input.slug === undefined && database.isUniqueViolation(error)
        if (!lostRace || attempt >= SLUG_ATTEMPTS) throw error
      }
    }
  }

  async function insertArticle(
    tx: Executor,
    input: CreateArticleInput,
    actor: string | null,
    times: Pick<WriteOptions, 'createdAt' | 'updatedAt' | 'silent'> = {},
  ): Promise<Article> {
    const now = isoNow(clock)
    const status = input.status ?? 'draft'
    const bodyFormat = input.bodyFormat ?? 'markdown'
    const derived = derivedFields(input.body, bodyFormat, customExcerpt(input.excerpt))
    const publishedAt = input.publishedAt ?? (status === 'published' ? now : null)
    const live = isLiveRow({ status, publishedAt }, now)
    const row = await repository.insert(
      {
        slug: await chooseSlug(tx, input.slug, input.title),
        title: input.title,
        body: input.body,
        bodyFormat,
        ...derived.columns,
        author: input.author ?? null,
        coverImageUrl: input.coverImageUrl ?? null,
        status,
        publishedAt,
        commentsEnabled: input.commentsEnabled ?? true,
        publishedEventAt: live ? now : null,
        createdAt: times.createdAt ?? now,
        updatedAt: times.updatedAt ?? times.createdAt ?? now,
      },
      tx,
    )
    if (input.tags) await repository.replaceTags(row.id, await tags.resolveNames(input.tags, tx), tx)
    await search.index(tx, { ...row, text: derived.text })
    const article = await toArticle(row, tx)
    await revisions.record(tx, { after: { ...article, excerptIsCustom: row.excerptIsCustom }, actor })
    if (live && !times.silent) await events.record(tx, 'article.published', articleData(article))
    return article
  }

  return {
    findVisible,
    summarize,

    /** One article in full form; drafts and scheduled ones only for token holders. */
    async get(idOrSlug: string, privileged: boolean): Promise<Article> {
      const row = await repository.view(parseIdOrSlug(idOrSlug))
      if (!row || !canSee(row, privileged, isoNow(clock))) throw new NotFoundError('Article')
      const { excerptIsCustom: _internal, publishedEventAt: _announced, ...article } = row
      return article
    },

    /** The route has already refused `status` other than `published` to callers without a token. */
    async list(query: ListArticlesQuery): Promise<Page<ArticleSummary>> {
      const q = query.q?.trim() ? query.q : undefined
      // Taken before `now`, so that no article can go live between the two unseen by the kept total.
      const stamp = await freshness.stamp()
      const now = isoNow(clock)
      const terms = q === undefined ? null : queryTerms(q)
      // A query with no word in it (only punctuation, say) matches nothing rather than everything.
      if (terms !== null && terms.length === 0)
        return { data: [], meta: offsetMeta(query.page, query.perPage, 0) }
      if (terms !== null && query.sort === undefined && query.cursor !== undefined) {
        throw new BadRequestError('The query string is not valid.', [
          { path: 'cursor', message: 'Not available with q ordered by relevance: use page, or give a sort.' },
        ])
      }
      const status = query.status ?? 'published'
      const tag = query.tag === undefined ? undefined : slugify(query.tag)
      const filter: SearchFilter = { status, now, author: query.author, tag }
      if (terms !== null && query.sort === undefined) return rankedPage(terms, filter, query, stamp)

      const sort: ArticleSort = query.sort ?? '-publishedAt'
      const criteria: ListCriteria = { ...filter, matching: terms ? await search.matching(terms) : undefined }
      // With q, the search index counts (exactly, without walking every live article's index entry); kept as lists' are.
      const total =
        terms !== null ? await searchTotalOf(terms, filter, stamp) : await totalOf(criteria, stamp)
      if (criteria.tag !== undefined && terms === null) {
        const all = await totalOf({ status, now }, stamp)
        criteria.tagIsCommon = total * COMMON_TAG_SHARE >= all
      }
      const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort)
      const offset = position ? 0 : (query.page - 1) * query.perPage
      // A page past the end reads no row: the total has said so already.
      if (!position && isPastEnd(offset, total))
        return { data: [], meta: offsetMeta(query.page, query.perPage, total, null) }
      const rows = await repository.page(criteria, sort, { position, limit: query.perPage + 1, offset })
      const hasMore = rows.length > query.perPage
      const pageRows = hasMore ? rows.slice(0, query.perPage) : rows
      const last = pageRows.at(-1)
      const nextCursor =
        hasMore && last ? encodeCursor({ sort, value: repository.sortKey(sort, last), id: last.id }) : null
      const meta = position
        ? { perPage: query.perPage, total, nextCursor }
        : offsetMeta(query.page, query.perPage, total, nextCursor)
      return { data: pageRows, meta }
    },

    create,

    /**
     * Applies a patch. `assertCurrent` sees the article as it stands, locked against other writers, and may
     * throw (If-Match) before anything changes.
     */
    async update(
      idOrSlug: string,
      patch: UpdateArticleInput,
      assertCurrent?: (current: Article) => void,
      options: WriteOptions = {},
    ): Promise<Article> {
      const article = await (options.tx ?? database).transaction(async (tx) => {
        const row = await repository.find(parseIdOrSlug(idOrSlug), tx, { lock: true })
        if (!row) throw new NotFoundError('Article')
        const current = await toArticle(row, tx)
        assertCurrent?.(current)
        const now = isoNow(clock)
        const body = patch.body ?? row.body
        const bodyFormat = patch.bodyFormat ?? row.bodyFormat
        const excerpt =
          patch.excerpt !== undefined
            ? customExcerpt(patch.excerpt)
            : row.excerptIsCustom
              ? row.excerpt
              : null
        const status = patch.status ?? row.status
        const givenPublishedAt = patch.publishedAt !== undefined ? patch.publishedAt : row.publishedAt
        const publishedAt = givenPublishedAt ?? (status === 'published' ? now : null)
        const event = eventOf(isLiveRow({ status, publishedAt }, now), row.publishedEventAt !== null)
        const derived = derivedFields(body, bodyFormat, excerpt)
        const updated = await repository.update(
          row.id,
          {
            slug: patch.slug !== undefined ? await chooseSlug(tx, patch.slug, row.title, row.id) : row.slug,
            title: patch.title ?? row.title,
            body,
            bodyFormat,
            ...derived.columns,
            author: patch.author !== undefined ? patch.author : row.author,
            coverImageUrl: patch.coverImageUrl !== undefined ? patch.coverImageUrl : row.coverImageUrl,
            status,
            publishedAt,
            commentsEnabled: patch.commentsEnabled ?? row.commentsEnabled,
            publishedEventAt:
              event === 'article.published'
                ? now
                : event === 'article.unpublished'
                  ? null
                  : row.publishedEventAt,
            updatedAt: options.updatedAt ?? now,
          },
          tx,
        )
        if (patch.tags) await repository.replaceTags(row.id, await tags.resolveNames(patch.tags, tx), tx)
        // Every update rewrites the index entry: it may hold copies of status, publishedAt and author.
        await search.index(tx, { ...updated, text: derived.text })
        const after = await toArticle(updated, tx)
        // A revision only when a tracked field changed (the recorder compares); the same transaction as the change.
        await revisions.record(tx, {
          before: { ...current, excerptIsCustom: row.excerptIsCustom },
          after: { ...after, excerptIsCustom: updated.excerptIsCustom },
          actor: options.actor ?? null,
        })
        if (event && !options.silent) await events.record(tx, event, articleData(after))
        return after
      })
      if (!options.tx) await changed(article.id)
      return article
    },

    /** Deletes the article; its comments, tag links and related links go with it. */
    async remove(idOrSlug: string): Promise<void> {
      const id = await database.transaction(async (tx) => {
        const row = await repository.find(parseIdOrSlug(idOrSlug), tx, { lock: true })
        if (!row) throw new NotFoundError('Article')
        await search.remove(tx, row.id)
        await repository.remove(row.id, tx)
        await events.record(tx, 'article.deleted', articleData(row))
        return row.id
      })
      await changed(id)
    },

    /**
     * The scheduled tick: records article.published for every live article not announced yet (a scheduled time
     * that has come), each in its own transaction with the marker that makes it happen once. The number announced.
     */
    async announceDue(): Promise<number> {
      const now = isoNow(clock)
      let announced = 0
      for (const id of await repository.unannounced(now, ANNOUNCE_BATCH)) {
        const done = await database.transaction(async (tx) => {
          const row = await repository.claimAnnouncement(id, now, tx)
          if (row) await events.record(tx, 'article.published', articleData(await toArticle(row, tx)))
          return row !== undefined
        })
        if (done) {
          announced++
          await changed(id)
        }
      }
      return announced
    },

    count: (): Promise<number> => repository.count(),
  }
}

export type ArticleService = ReturnType<typeof createArticleService>
