/** Related articles: the editor's ordered one-way links, and a fill by shared tags computed in one query. */
import { and, asc, count, desc, eq, gt, inArray, max, ne, notInArray, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'
import { articles, articleTags, relatedLinks } from '../../db/schema.js'
import { BadRequestError, ConflictError, type FieldError, NotFoundError } from '../../lib/errors.js'
import {
  findVisibleArticle,
  isLive,
  type SummaryRow,
  summaryColumns,
  toSummaries,
} from '../articles/articles.queries.js'
import { MAX_RELATED_LINKS, type RELATIONS, type RelatedList, type RelatedQuery } from './related.schemas.js'

type Relation = (typeof RELATIONS)[number]

const baseTags = alias(articleTags, 'base_tags')
const candidateTags = alias(articleTags, 'candidate_tags')

/**
 * The tag fill as one query: the live published articles sharing the most tags with `articleId`, newest first
 * among equals, never the article itself nor one of `excludeIds`. It walks from the article's own tags
 * (article_tags PK) to the other articles carrying them (article_tags_tag_idx) and only then reads those
 * articles by primary key, so its cost follows the sizes of the article's tags, not of the articles table.
 *
 * The joins are CROSS JOINs on purpose: in SQLite that fixes the join order (the left table is always the
 * outer loop, https://www.sqlite.org/optoverview.html#crossjoin). With inner joins and no ANALYZE statistics,
 * which a production database never gathers on its own, the planner guesses `status = 'published'` to be
 * selective and starts from articles_status_published_at_idx, reading every live article (see
 * scripts/explain-related.ts, which prints this query's plan on 10,000 articles).
 */
export function tagFillQuery(db: Db, articleId: number, excludeIds: number[], limit: number, now: string) {
  const shared = count()
  return db
    .select({ ...summaryColumns, shared })
    .from(baseTags)
    .crossJoin(candidateTags)
    .crossJoin(articles)
    .where(
      and(
        eq(baseTags.articleId, articleId),
        eq(candidateTags.tagId, baseTags.tagId),
        ne(candidateTags.articleId, baseTags.articleId),
        eq(articles.id, candidateTags.articleId),
        isLive(now),
        notInArray(articles.id, excludeIds),
      ),
    )
    .groupBy(candidateTags.articleId)
    .orderBy(desc(shared), desc(articles.publishedAt), desc(articles.id))
    .limit(limit)
}

interface ListOptions extends RelatedQuery {
  privileged: boolean
}

export function createRelatedService(db: Db) {
  /** The article a related list hangs off; 404 when missing or, for the public, not live. */
  const findBase = (idOrSlug: string, privileged: boolean) => findVisibleArticle(db, idOrSlug, privileged)

  function listFor(articleId: number, { limit, fill, privileged }: ListOptions): RelatedList {
    const now = new Date().toISOString()
    const visible: SQL | undefined = privileged ? undefined : isLive(now)
    const manual = db
      .select(summaryColumns)
      .from(relatedLinks)
      .innerJoin(articles, eq(articles.id, relatedLinks.relatedId))
      .where(and(eq(relatedLinks.articleId, articleId), visible))
      .orderBy(asc(relatedLinks.position))
      .limit(limit)
      .all()
    const rows: (SummaryRow & { relation: Relation })[] = manual.map((row) => ({
      ...row,
      relation: 'manual',
    }))
    if (fill === 'tags' && manual.length < limit) {
      // Every link the caller may see is in `manual` (the limit was not reached); the ones hidden from the
      // public are not live, and the fill only takes live articles, so excluding `manual` excludes every link.
      const excludeIds = manual.map((row) => row.id)
      const filled = tagFillQuery(db, articleId, excludeIds, limit - manual.length, now).all()
      for (const { shared: _rank, ...row } of filled) rows.push({ ...row, relation: 'tags' })
    }
    return { data: toSummaries(db, rows) }
  }

  /** The list as write answers show it: every link, with the editor's visibility, no fill. */
  function allLinks(articleId: number): RelatedList {
    return listFor(articleId, { limit: MAX_RELATED_LINKS, fill: 'none', privileged: true })
  }

  function existingIds(ids: number[]): Set<number> {
    if (ids.length === 0) return new Set()
    const rows = db.select({ id: articles.id }).from(articles).where(inArray(articles.id, ids)).all()
    return new Set(rows.map((row) => row.id))
  }

  return {
    /** GET: manual links first in their order, then the tag fill; drafts and scheduled links for tokens only. */
    list(idOrSlug: string, query: RelatedQuery, privileged: boolean): RelatedList {
      const base = findBase(idOrSlug, privileged)
      return listFor(base.id, { ...query, privileged })
    },

    /** PUT: checks every id first, so a list with one bad id changes nothing. */
    replace(idOrSlug: string, articleIds: number[]): RelatedList {
      return db.transaction(() => {
        const base = findBase(idOrSlug, true)
        const known = existingIds(articleIds)
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
        db.delete(relatedLinks).where(eq(relatedLinks.articleId, base.id)).run()
        if (articleIds.length > 0) {
          db.insert(relatedLinks)
            .values(articleIds.map((relatedId, position) => ({ articleId: base.id, relatedId, position })))
            .run()
        }
        return allLinks(base.id)
      })
    },

    /** POST: appends one link at the end. */
    append(idOrSlug: string, relatedId: number): { articleId: number; list: RelatedList } {
      return db.transaction(() => {
        const base = findBase(idOrSlug, true)
        const invalid = (message: string) =>
          new BadRequestError('The request body is not valid.', [{ path: 'articleId', message }])
        if (relatedId === base.id) throw invalid('An article cannot be related to itself.')
        if (!existingIds([relatedId]).has(relatedId)) throw invalid('No article has this id.')
        const linked = db
          .select({ position: relatedLinks.position })
          .from(relatedLinks)
          .where(and(eq(relatedLinks.articleId, base.id), eq(relatedLinks.relatedId, relatedId)))
          .get()
        if (linked) {
          throw new ConflictError('This article is linked already.', [
            { path: 'articleId', message: 'Linked already' },
          ])
        }
        const stats = db
          .select({ n: count(), last: max(relatedLinks.position) })
          .from(relatedLinks)
          .where(eq(relatedLinks.articleId, base.id))
          .get()
        if ((stats?.n ?? 0) >= MAX_RELATED_LINKS) {
          throw new ConflictError(`An article holds at most ${MAX_RELATED_LINKS} related links.`, [
            { path: 'articleId', message: 'The list is full' },
          ])
        }
        const position = (stats?.last ?? -1) + 1
        db.insert(relatedLinks).values({ articleId: base.id, relatedId, position }).run()
        return { articleId: base.id, list: allLinks(base.id) }
      })
    },

    /** DELETE: removes one link and closes the gap, so positions stay 0…n-1. */
    remove(idOrSlug: string, relatedId: number): void {
      db.transaction(() => {
        const base = findBase(idOrSlug, true)
        const link = db
          .delete(relatedLinks)
          .where(and(eq(relatedLinks.articleId, base.id), eq(relatedLinks.relatedId, relatedId)))
          .returning({ position: relatedLinks.position })
          .get()
        if (!link) throw new NotFoundError('Related link')
        db.update(relatedLinks)
          .set({ position: sql`${relatedLinks.position} - 1` })
          .where(and(eq(relatedLinks.articleId, base.id), gt(relatedLinks.position, link.position)))
          .run()
      })
    },
  }
}

export type RelatedService = ReturnType<typeof createRelatedService>
