/** The revisions' queries, written once over Drizzle for both engines. */
import { and, count, eq, inArray, lte, max } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'

export type RevisionRow = Database['tables']['articleRevisions']['$inferSelect']
export type NewRevisionRow = Database['tables']['articleRevisions']['$inferInsert']

export function createRevisionRepository(database: Database) {
  const { articleRevisions, tags } = database.tables
  const summaryColumns = {
    number: articleRevisions.number,
    articleId: articleRevisions.articleId,
    tokenName: articleRevisions.tokenName,
    createdAt: articleRevisions.createdAt,
  }

  return {
    /** The highest number the article has used; its writers hold the article's row lock, so none races. */
    async lastNumber(articleId: number, tx: Executor): Promise<number> {
      const row = await tx.get(
        tx.qb
          .select({ n: max(articleRevisions.number) })
          .from(articleRevisions)
          .where(eq(articleRevisions.articleId, articleId)),
      )
      return row?.n ?? 0
    },

    insert(values: NewRevisionRow, tx: Executor): Promise<void> {
      return tx.run(tx.qb.insert(articleRevisions).values(values))
    },

    /** Numbers run 1, 2, 3… without gaps but at the old end, so keeping the newest is one range delete. */
    pruneUpTo(articleId: number, number: number, tx: Executor): Promise<void> {
      return tx.run(
        tx.qb
          .delete(articleRevisions)
          .where(and(eq(articleRevisions.articleId, articleId), lte(articleRevisions.number, number))),
      )
    },

    find(articleId: number, number: number, tx: Executor = database): Promise<RevisionRow | undefined> {
      return tx.get(
        tx.qb
          .select()
          .from(articleRevisions)
          .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number))),
      )
    },

    /** Which of these tag slugs exist now. */
    async existingTagSlugs(slugs: string[], tx: Executor = database): Promise<Set<string>> {
      if (slugs.length === 0) return new Set()
      const rows = await tx.all(tx.qb.select({ slug: tags.slug }).from(tags).where(inArray(tags.slug, slugs)))
      return new Set(rows.map((row) => row.slug))
    },

    async count(articleId: number, tx: Executor = database): Promise<number> {
      const row = await tx.get(
        tx.qb.select({ n: count() }).from(articleRevisions).where(eq(articleRevisions.articleId, articleId)),
      )
      return row?.n ?? 0
    },

    /** Newest first, without the state: a page of a long history reads no bodies. */
    page(articleId: number, page: { limit: number; offset: number }, tx: Executor = database) {
      return tx.all(
        tx.qb
          .select(summaryColumns)
          .from(articleRevisions)
          .where(eq(articleRevisions.articleId, articleId))
          .orderBy(database.desc(articleRevisions.number))
          .limit(page.limit)
          .offset(page.offset),
      )
    },
  }
}

export type RevisionRepository = ReturnType<typeof createRevisionRepository>
