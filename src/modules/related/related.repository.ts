/** The related links' queries and the tag fill, written once over Drizzle for both engines. */
import { and, count, desc, eq, gt, inArray, max, ne, notInArray, sql } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'
import type { SummaryRow } from '../articles/articles.repository.js'
import { isLive } from '../articles/articles.visibility.js'

export function createRelatedRepository(
  database: Database,
  summaryColumns: Record<keyof SummaryRow, unknown>,
) {
  const { articles, articleTags, relatedLinks } = database.tables
  const columns = summaryColumns as { [K in keyof SummaryRow]: (typeof articles)['_']['columns'][K] }

  return {
    /** The manual links in the editor's order; live ones only unless `privileged`. */
    manual(
      articleId: number,
      limit: number,
      now: string | null,
      tx: Executor = database,
    ): Promise<SummaryRow[]> {
      return tx.all(
        tx.qb
          .select(columns)
          .from(relatedLinks)
          .innerJoin(articles, eq(articles.id, relatedLinks.relatedId))
          .where(and(eq(relatedLinks.articleId, articleId), now === null ? undefined : isLive(articles, now)))
          .orderBy(database.asc(relatedLinks.position))
          .limit(limit),
      )
    },

    /**
     * The live articles sharing the most tags with `articleId`, newest first among equals, never the article
     * itself nor one of `excludeIds`. It walks from the article's own tags to the other articles carrying them,
     * then reads those by primary key, so its cost follows the sizes of the article's tags. On SQLite the CROSS
     * JOINs fix that join order (https://www.sqlite.org/optoverview.html#crossjoin); PostgreSQL plans it alike.
     * Grouped by articles.id so every selected column depends on the group, as PostgreSQL requires.
     */
    tagFill(articleId: number, excludeIds: number[], limit: number, now: string): Promise<SummaryRow[]> {
      const base = sql`article_tags AS base_tags`
      const shared = count()
      return database.all(
        database.qb
          .select(columns)
          .from(articleTags)
          .crossJoin(articles)
          .where(
            and(
              sql`${articleTags.tagId} IN (SELECT base_tags.tag_id FROM ${base} WHERE base_tags.article_id = ${articleId})`,
              ne(articleTags.articleId, articleId),
              eq(articles.id, articleTags.articleId),
              isLive(articles, now),
              excludeIds.length === 0 ? undefined : notInArray(articles.id, excludeIds),
            ),
          )
          .groupBy(articles.id)
          .orderBy(desc(shared), database.desc(articles.publishedAt), desc(articles.id))
          .limit(limit),
      )
    },

    async existingIds(ids: number[], tx: Executor): Promise<Set<number>> {
      if (ids.length === 0) return new Set()
      const rows = await tx.all(
        tx.qb.select({ id: articles.id }).from(articles).where(inArray(articles.id, ids)),
      )
      return new Set(rows.map((row) => row.id))
    },

    async isLinked(articleId: number, relatedId: number, tx: Executor): Promise<boolean> {
      const row = await tx.get(
        tx.qb
          .select({ position: relatedLinks.position })
          .from(relatedLinks)
          .where(and(eq(relatedLinks.articleId, articleId), eq(relatedLinks.relatedId, relatedId))),
      )
      return row !== undefined
    },

    async stats(articleId: number, tx: Executor): Promise<{ n: number; last: number | null }> {
      const row = await tx.get(
        tx.qb
          .select({ n: count(), last: max(relatedLinks.position) })
          .from(relatedLinks)
          .where(eq(relatedLinks.articleId, articleId)),
      )
      return { n: row?.n ?? 0, last: row?.last ?? null }
    },

    async replace(articleId: number, relatedIds: number[], tx: Executor): Promise<void> {
      await tx.run(tx.qb.delete(relatedLinks).where(eq(relatedLinks.articleId, articleId)))
      if (relatedIds.length === 0) return
      await tx.run(
        tx.qb
          .insert(relatedLinks)
          .values(relatedIds.map((relatedId, position) => ({ articleId, relatedId, position }))),
      )
    },

    append(articleId: number, relatedId: number, position: number, tx: Executor): Promise<void> {
      return tx.run(tx.qb.insert(relatedLinks).values({ articleId, relatedId, position }))
    },

    /** Removes one link and closes the gap, so positions stay 0…n-1; false when there was no such link. */
    async remove(articleId: number, relatedId: number, tx: Executor): Promise<boolean> {
      const [link] = await tx.all(
        tx.qb
          .delete(relatedLinks)
          .where(and(eq(relatedLinks.articleId, articleId), eq(relatedLinks.relatedId, relatedId)))
          .returning({ position: relatedLinks.position }),
      )
      if (!link) return false
      await tx.run(
        tx.qb
          .update(relatedLinks)
          .set({ position: sql`${relatedLinks.position} - 1` })
          .where(and(eq(relatedLinks.articleId, articleId), gt(relatedLinks.position, link.position))),
      )
      return true
    },
  }
}

export type RelatedRepository = ReturnType<typeof createRelatedRepository>
