/** The comments' queries, written once over Drizzle for both engines. E-mail and IP are written, never selected. */
import { and, count, eq, ne, type SQL, sql } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'
import type { CommentStatus, ModeratedComment } from './comments.schemas.js'

type NewCommentRow = Database['tables']['comments']['$inferInsert']

export interface CommentListCriteria {
  articleId?: number
  status?: CommentStatus
}

export function createCommentRepository(database: Database) {
  const { comments } = database.tables

  // Explicit picks: the e-mail and client IP columns are never selected for an answer.
  const publicColumns = {
    id: comments.id,
    articleId: comments.articleId,
    parentId: comments.parentId,
    authorName: comments.authorName,
    authorUrl: comments.authorUrl,
    body: comments.body,
    createdAt: comments.createdAt,
  }
  const moderatedColumns = { ...publicColumns, status: comments.status, updatedAt: comments.updatedAt }

  function where(criteria: CommentListCriteria): SQL | undefined {
    const conditions: SQL[] = []
    if (criteria.status !== undefined) conditions.push(eq(comments.status, criteria.status))
    if (criteria.articleId !== undefined) conditions.push(eq(comments.articleId, criteria.articleId))
    return and(...conditions)
  }

  return {
    find(id: number, tx: Executor = database, options: { lock?: boolean } = {}) {
      const query = tx.qb.select(moderatedColumns).from(comments).where(eq(comments.id, id))
      return tx.get<ModeratedComment>(options.lock ? tx.forUpdate(query) : query)
    },

    /**
     * Whether the same address has posted the same text to the article (trashed comments aside), and whether one
     * of those came from `clientIp`. Only the answer leaves the database, never the address or IP it compared.
     */
    async findDuplicate(
      articleId: number,
      email: string,
      body: string,
      clientIp: string | null,
      tx: Executor,
    ): Promise<'none' | 'same-client' | 'other-client'> {
      const row = await tx.get(
        tx.qb
          .select({
            n: count(),
            fromClient: sql<number>`count(case when ${comments.clientIp} = ${clientIp ?? ''} then 1 end)`,
          })
          .from(comments)
          .where(
            and(
              eq(comments.articleId, articleId),
              eq(comments.body, body),
              sql`lower(${comments.authorEmail}) = lower(${email})`,
              ne(comments.status, 'trash'),
            ),
          ),
      )
      if (!row || Number(row.n) === 0) return 'none'
      return Number(row.fromClient) > 0 ? 'same-client' : 'other-client'
    },

    async insert(values: NewCommentRow, tx: Executor): Promise<ModeratedComment> {
      const [row] = await tx.all(tx.qb.insert(comments).values(values).returning(moderatedColumns))
      return row as ModeratedComment
    },

    async update(
      id: number,
      values: Partial<Pick<NewCommentRow, 'status' | 'body' | 'updatedAt'>>,
      tx: Executor,
    ): Promise<ModeratedComment> {
      const [row] = await tx.all(
        tx.qb.update(comments).set(values).where(eq(comments.id, id)).returning(moderatedColumns),
      )
      return row as ModeratedComment
    },

    /** Deletes a comment; its replies move up to its parent (top level if it had none). */
    async remove(comment: { id: number; parentId: number | null }, now: string, tx: Executor): Promise<void> {
      await tx.run(
        tx.qb
          .update(comments)
          .set({ parentId: comment.parentId, updatedAt: now })
          .where(eq(comments.parentId, comment.id)),
      )
      await tx.run(tx.qb.delete(comments).where(eq(comments.id, comment.id)))
    },

    /** One page; `moderated` adds status and updatedAt, never anything private. */
    async page<T>(
      criteria: CommentListCriteria,
      order: 'oldest' | 'newest',
      moderated: boolean,
      page: { limit: number; offset: number },
    ): Promise<T[]> {
      const direction = order === 'oldest' ? database.asc : database.desc
      const rows = await database.all(
        database.qb
          .select(moderated ? moderatedColumns : publicColumns)
          .from(comments)
          .where(where(criteria))
          .orderBy(direction(comments.createdAt), direction(comments.id))
          .limit(page.limit)
          .offset(page.offset),
      )
      return rows as T[]
    },

    async count(criteria: CommentListCriteria = {}): Promise<number> {
      return (
        (await database.get(database.qb.select({ n: count() }).from(comments).where(where(criteria))))?.n ?? 0
      )
    },
  }
}

export type CommentRepository = ReturnType<typeof createCommentRepository>
