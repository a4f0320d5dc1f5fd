/** The preview links' queries, written once over Drizzle for both engines. Only the secrets' hashes are stored. */
import { and, count, eq, gt, lte } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'
import type { Preview } from './previews.schemas.js'

export type NewPreviewRow = Database['tables']['articlePreviews']['$inferInsert']

export function createPreviewRepository(database: Database) {
  const { articlePreviews } = database.tables
  const columns = {
    id: articlePreviews.id,
    articleId: articlePreviews.articleId,
    tokenName: articlePreviews.tokenName,
    expiresAt: articlePreviews.expiresAt,
    createdAt: articlePreviews.createdAt,
  }
  const liveOf = (articleId: number, now: string) =>
    and(eq(articlePreviews.articleId, articleId), gt(articlePreviews.expiresAt, now))

  return {
    async insert(values: NewPreviewRow, tx: Executor): Promise<Preview> {
      const [row] = await tx.all(tx.qb.insert(articlePreviews).values(values).returning(columns))
      return row as Preview
    },

    /** Housekeeping on each new link: the article's expired ones go, so dead rows do not pile up. */
    removeExpired(articleId: number, now: string, tx: Executor): Promise<void> {
      return tx.run(
        tx.qb
          .delete(articlePreviews)
          .where(and(eq(articlePreviews.articleId, articleId), lte(articlePreviews.expiresAt, now))),
      )
    },

    /** The article a live secret opens; undefined for an unknown, revoked or expired one alike. */
    async articleOf(tokenHash: string, now: string): Promise<number | undefined> {
      const row = await database.get(
        database.qb
          .select({ articleId: articlePreviews.articleId })
          .from(articlePreviews)
          .where(and(eq(articlePreviews.tokenHash, tokenHash), gt(articlePreviews.expiresAt, now))),
      )
      return row?.articleId
    },

    findLive(articleId: number, id: number, now: string): Promise<Preview | undefined> {
      return database.get(
        database.qb
          .select(columns)
          .from(articlePreviews)
          .where(and(liveOf(articleId, now), eq(articlePreviews.id, id))),
      )
    },

    async countLive(articleId: number, now: string): Promise<number> {
      const row = await database.get(
        database.qb.select({ n: count() }).from(articlePreviews).where(liveOf(articleId, now)),
      )
      return row?.n ?? 0
    },

    /** Newest first. */
    pageLive(articleId: number, now: string, page: { limit: number; offset: number }): Promise<Preview[]> {
      return database.all(
        database.qb
          .select(columns)
          .from(articlePreviews)
          .where(liveOf(articleId, now))
          .orderBy(database.desc(articlePreviews.id))
          .limit(page.limit)
          .offset(page.offset),
      )
    },

    /** False when the article had no such live link. */
    async removeLive(articleId: number, id: number, now: string): Promise<boolean> {
      const deleted = await database.all(
        database.qb
          .delete(articlePreviews)
          .where(and(liveOf(articleId, now), eq(articlePreviews.id, id)))
          .returning({ id: articlePreviews.id }),
      )
      return deleted.length > 0
    },
  }
}

export type PreviewRepository = ReturnType<typeof createPreviewRepository>
