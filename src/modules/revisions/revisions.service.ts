/**
 * Revisions: the recorder the article service calls inside its own transactions (create, PATCH, restore), and the
 * service behind the routes (list, read, restore). Two factories because restore goes through the article service,
 * which itself needs the recorder: building them apart keeps the composition root free of cycles.
 */
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { NotFoundError } from '../../lib/errors.js'
import { countedPage, type Page } from '../../lib/pagination.js'
import type { Article, UpdateArticleInput } from '../articles/articles.schemas.js'
import type { ArticleService } from '../articles/articles.service.js'
import type { RevisionRepository, RevisionRow } from './revisions.repository.js'
import type { ListRevisionsQuery, Revision, RevisionState, RevisionSummary } from './revisions.schemas.js'

/** An article as its service holds it inside a write, with the flag that tells a given excerpt from a derived one. */
export type ArticleSnapshot = Article & { excerptIsCustom: boolean }

/**
 * The state as stored: the API's state plus the tags' slugs, so that a restore finds the very tags the article
 * had even when a tag's slug is not the one its name would give (a tag created with an explicit slug).
 */
type StoredState = RevisionState & { tagSlugs?: string[] }

/** The fields whose change makes a revision (the contract's list); the others ride along in the state. */
const TRACKED = ['title', 'body', 'excerpt', 'slug', 'coverImageUrl', 'author', 'status'] as const

function stateOf(article: ArticleSnapshot): StoredState {
  return {
    title: article.title,
    slug: article.slug,
    excerpt: article.excerptIsCustom ? article.excerpt : null,
    body: article.body,
    bodyFormat: article.bodyFormat,
    author: article.author,
    coverImageUrl: article.coverImageUrl,
    status: article.status,
    publishedAt: article.publishedAt,
    commentsEnabled: article.commentsEnabled,
    tags: article.tags.map((tag) => tag.name),
    tagSlugs: article.tags.map((tag) => tag.slug),
  }
}

const sameList = (a: string[] = [], b: string[] = []) =>
  a.length === b.length && a.every((value, index) => value === b[index])

function changed(before: StoredState, after: StoredState): boolean {
  return (
    TRACKED.some((field) => before[field] !== after[field]) ||
    !sameList(before.tags, after.tags) ||
    !sameList(before.tagSlugs, after.tagSlugs)
  )
}

function parseState(text: string): StoredState {
  return JSON.parse(text) as StoredState
}

export interface RevisionRecorderDeps {
  repository: RevisionRepository
  clock: Clock
  /** REVISIONS_KEEP: how many revisions an article keeps; older ones are pruned as new ones are stored. */
  keep: number
}

export function createRevisionRecorder({ repository, clock, keep }: RevisionRecorderDeps) {
  return {
    /**
     * Stores the article's state as its next revision, in the caller's transaction, unless `before` is given and
     * no tracked field changed. The caller holds the article's row (a new one, or locked for update), so numbers
     * cannot race.
     */
    async record(
      tx: Executor,
      change: { before?: ArticleSnapshot; after: ArticleSnapshot; actor: string | null },
    ): Promise<void> {
      const after = stateOf(change.after)
      if (change.before && !changed(stateOf(change.before), after)) return
      const articleId = change.after.id
      const number = (await repository.lastNumber(articleId, tx)) + 1
      await repository.insert(
        {
          articleId,
          number,
          state: JSON.stringify(after),
          tokenName: change.actor,
          createdAt: isoNow(clock),
        },
        tx,
      )
      if (number > keep) await repository.pruneUpTo(articleId, number - keep, tx)
    },
  }
}

export type RevisionRecorder = ReturnType<typeof createRevisionRecorder>

export interface RevisionServiceDeps {
  database: Database
  repository: RevisionRepository
  articles: Pick<ArticleService, 'findVisible' | 'update'>
}

function toRevision(row: RevisionRow): Revision {
  const { tagSlugs: _internal, ...state } = parseState(row.state)
  return {
    number: row.number,
    articleId: row.articleId,
    tokenName: row.tokenName,
    createdAt: row.createdAt,
    state,
  }
}

export function createRevisionService({ database, repository, articles }: RevisionServiceDeps) {
  /** Revisions are for token holders, so every article is visible here; an unknown one is a 404. */
  const articleOf = (idOrSlug: string) => articles.findVisible(idOrSlug, true)

  async function find(articleId: number, number: number): Promise<RevisionRow> {
    const row = await repository.find(articleId, number)
    if (!row) throw new NotFoundError('Revision')
    return row
  }

  /**
   * The tag names a restore sends, matched as on any PATCH (by slug): a tag that still exists is named by its
   * slug, which matches it exactly; one deleted since is named as it was, and made again.
   */
  async function tagNames(state: StoredState): Promise<string[]> {
    if (!state.tagSlugs) return state.tags
    const existing = await repository.existingTagSlugs(state.tagSlugs, database)
    return state.tags.map((name, index) => {
      const slug = state.tagSlugs?.[index]
      return slug !== undefined && existing.has(slug) ? slug : name
    })
  }

  return {
    /** Newest first. */
    async list(idOrSlug: string, query: ListRevisionsQuery): Promise<Page<RevisionSummary>> {
      const article = await articleOf(idOrSlug)
      const total = await repository.count(article.id)
      return countedPage(query, total, (window) => repository.page(article.id, window))
    },

    async get(idOrSlug: string, number: number): Promise<Revision> {
      const article = await articleOf(idOrSlug)
      return toRevision(await find(article.id, number))
    },

    /**
     * Applies revision `number` as a PATCH of every editable field would (slug rules, tag matching, If-Match
     * through `assertCurrent`), which stores the result as a new revision when it changes anything.
     */
    async restore(
      idOrSlug: string,
      number: number,
      options: { actor: string | null; assertCurrent?: (current: Article) => void },
    ): Promise<Article> {
      const article = await articleOf(idOrSlug)
      const stored = parseState((await find(article.id, number)).state)
      const { tagSlugs: _internal, ...state } = stored
      const patch: UpdateArticleInput = { ...state, tags: await tagNames(stored) }
      return articles.update(String(article.id), patch, options.assertCurrent, { actor: options.actor })
    },
  }
}

export type RevisionService = ReturnType<typeof createRevisionService>
