/** Related articles: the editor's ordered one-way links, and a fill by shared tags. */
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { BadRequestError, ConflictError, type FieldError, NotFoundError } from '../../lib/errors.js'
import type { ChangeSignal } from '../../nodes/change-signal.js'
import type { SummaryRow } from '../articles/articles.repository.js'
import type { ArticleService } from '../articles/articles.service.js'
import type { RelatedRepository } from './related.repository.js'
import { MAX_RELATED_LINKS, type RELATIONS, type RelatedList, type RelatedQuery } from './related.schemas.js'

type Relation = (typeof RELATIONS)[number]

export interface RelatedServiceDeps {
  database: Database
  repository: RelatedRepository
  articles: Pick<ArticleService, 'findVisible' | 'summarize'>
  clock: Clock
  changes: ChangeSignal
}

interface ListOptions extends RelatedQuery {
  privileged: boolean
}

const invalid = (message: string) =>
  new BadRequestError('The request body is not valid.', [{ path: 'articleId', message }])

export function createRelatedService({ database, repository, articles, clock, changes }: RelatedServiceDeps) {
  /** Writes one article's list in a transaction, then tells every node. */
  async function write<T extends { articleId: number }>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const result = await database.transaction(fn)
    await changes.publish({ topic: 'related', id: result.articleId })
    return result
  }

  /** The article whose list a write changes; writers of one list take turns until their transaction ends. */
  async function lockedBase(idOrSlug: string, tx: Executor) {
    const base = await articles.findVisible(idOrSlug, true, tx)
    await tx.lock(`related:${base.id}`)
    return base
  }

  async function listFor(
    articleId: number,
    options: ListOptions,
    tx: Executor = database,
  ): Promise<RelatedList> {
    const now = isoNow(clock)
    const manual = await repository.manual(articleId, options.limit, options.privileged ? null : now, tx)
    const rows: (SummaryRow & { relation: Relation })[] = manual.map((row) => ({
      ...row,
      relation: 'manual',
    }))
    if (options.fill === 'tags' && manual.length < options.limit) {
      // Every link the caller may see is in `manual` (the limit was not reached); the ones hidden from the
      // public are not live, and the fill only takes live articles, so excluding `manual` excludes every link.
      const excludeIds = manual.map((row) => row.id)
      const filled = await repository.tagFill(articleId, excludeIds, options.limit - manual.length, now)
      for (const row of filled) rows.push({ ...row, relation: 'tags' })
    }
    return { data: await articles.summarize(rows, tx) }
  }

  /** The list as write answers show it: every link, with the editor's visibility, no fill. */
  const allLinks = (articleId: number, tx: Executor) =>
    listFor(articleId, { limit: MAX_RELATED_LINKS, fill: 'none', privileged: true }, tx)

  return {
    /** GET: manual links first in their order, then the tag fill; drafts and scheduled links for tokens only. */
    async list(idOrSlug: string, query: RelatedQuery, privileged: boolean): Promise<RelatedList> {
      const base = await articles.findVisible(idOrSlug, privileged)
      return listFor(base.id, { ...query, privileged })
    },

    /** PUT: checks every id first, so a list with one bad id changes nothing. */
    async replace(idOrSlug: string, articleIds: number[]): Promise<RelatedList> {
      const { list } = await write(async (tx) => {
        const base = await lockedBase(idOrSlug, tx)
        const known = await repository.existingIds(articleIds, tx)
        const firstIndex = new Map<number, number>()
        const errors: FieldError[] = []
        articleIds.forEach((id, index) => {
          const path = `articleIds.${index}`
          if (id === base.id) errors.push({ path, message: 'An article cannot be related to itself.' })
          else if (firstIndex.has(id))
            errors.push({ path, message: `Repeats articleIds.${firstIndex.get(id)}.` })
          else if (!known.has(id)) errors.push({ path, message: 'No article has this id.' })
          if (!firstIndex.has(id)) firstIndex.set(id, index)
        })
        if (errors.length > 0) throw new BadRequestError('The request body is not valid.', errors)
        await repository.replace(base.id, articleIds, tx)
        return { articleId: base.id, list: await allLinks(base.id, tx) }
      })
      return list
    },

    /** POST: appends one link at the end. */
    append(idOrSlug: string, relatedId: number): Promise<{ articleId: number; list: RelatedList }> {
      return write(async (tx) => {
        const base = await lockedBase(idOrSlug, tx)
        if (relatedId === base.id) throw invalid('An article cannot be related to itself.')
        if (!(await repository.existingIds([relatedId], tx)).has(relatedId))
          throw invalid('No article has this id.')
        if (await repository.isLinked(base.id, relatedId, tx)) {
          throw new ConflictError('This article is linked already.', [
            { path: 'articleId', message: 'Linked already' },
          ])
        }
        const stats = await repository.stats(base.id, tx)
        if (stats.n >= MAX_RELATED_LINKS) {
          throw new ConflictError(`An article holds at most ${MAX_RELATED_LINKS} related links.`, [
            { path: 'articleId', message: 'The list is full' },
          ])
        }
        await repository.append(base.id, relatedId, (stats.last ?? -1) + 1, tx)
        return { articleId: base.id, list: await allLinks(base.id, tx) }
      })
    },

    /** DELETE: removes one link and closes the gap. */
    async remove(idOrSlug: string, relatedId: number): Promise<void> {
      await write(async (tx) => {
        const base = await lockedBase(idOrSlug, tx)
        if (!(await repository.remove(base.id, relatedId, tx))) throw new NotFoundError('Related link')
        return { articleId: base.id }
      })
    },
  }
}

export type RelatedService = ReturnType<typeof createRelatedService>
