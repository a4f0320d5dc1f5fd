/** Comments: the public list and submission with its spam checks, and the moderation queue for token holders. */
import { and, asc, count, desc, eq, ne, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { comments } from '../../db/schema.js'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js'
import { offsetMeta, type Page } from '../../lib/pagination.js'
import { findVisibleArticle } from '../articles/articles.queries.js'
import type {
  Comment,
  CommentStatus,
  CreateCommentInput,
  ListCommentsQuery,
  ModeratedComment,
  SubmittedComment,
  UpdateCommentInput,
} from './comments.schemas.js'

type CommentRow = typeof comments.$inferSelect

export interface CommentServiceOptions {
  /** COMMENTS_AUTO_APPROVE: new comments are approved at once instead of awaiting moderation. */
  autoApprove: boolean
}

export interface Submitter {
  /** A token holder may comment on articles the public cannot see yet. */
  privileged: boolean
  /** Kept for moderation only; never returned and never logged. */
  clientIp: string | null
}

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

function toModerated(row: CommentRow): ModeratedComment {
  return {
    id: row.id,
    articleId: row.articleId,
    parentId: row.parentId,
    authorName: row.authorName,
    authorUrl: row.authorUrl,
    body: row.body,
    createdAt: row.createdAt,
    status: row.status,
    updatedAt: row.updatedAt,
  }
}

function invalidParent(): BadRequestError {
  return new BadRequestError('The request body is not valid.', [
    { path: 'parentId', message: 'Not an approved comment of this article' },
  ])
}

export function createCommentService(db: Db, options: CommentServiceOptions) {
  const visibleArticle = (idOrSlug: string, privileged: boolean) =>
    findVisibleArticle(db, idOrSlug, privileged)

  function findRow(id: number): CommentRow {
    const row = db.select().from(comments).where(eq(comments.id, id)).get()
    if (!row) throw new NotFoundError('Comment')
    return row
  }

  /** One page and the total in two queries; `columns` decides the shape, so only picked columns are read. */
  function page<T>(
    filter: SQL | undefined,
    order: SQL[],
    columns: typeof publicColumns | typeof moderatedColumns,
    query: { page: number; perPage: number },
  ): Page<T> {
    const total = db.select({ n: count() }).from(comments).where(filter).get()?.n ?? 0
    const data = db
      .select(columns)
      .from(comments)
      .where(filter)
      .orderBy(...order)
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage)
      .all() as T[]
    return { data, meta: offsetMeta(query.page, query.perPage, total) }
  }

  return {
    /** Approved comments of a visible article, oldest first, flat: threads are rebuilt from parentId. */
    listForArticle(
      idOrSlug: string,
      privileged: boolean,
      query: { page: number; perPage: number },
    ): Page<Comment> {
      const article = visibleArticle(idOrSlug, privileged)
      return page<Comment>(
        and(eq(comments.articleId, article.id), eq(comments.status, 'approved')),
        [asc(comments.createdAt), asc(comments.id)],
        publicColumns,
        query,
      )
    },

    /**
     * Files a new comment. A filled honeypot files it as spam, and the answer shows the status an honest comment
     * would have got, so a bot learns nothing. Checks and insert share one synchronous transaction, so two equal
     * posts cannot both pass the duplicate check.
     */
    create(idOrSlug: string, input: CreateCommentInput, submitter: Submitter): SubmittedComment {
      return db.transaction(() => {
        const article = visibleArticle(idOrSlug, submitter.privileged)
        if (!article.commentsEnabled) throw new ForbiddenError('Comments are closed on this article.')
        const parentId = input.parentId ?? null
        if (parentId !== null) {
          const parent = db
            .select({ articleId: comments.articleId, status: comments.status })
            .from(comments)
            .where(eq(comments.id, parentId))
            .get()
          if (!parent || parent.articleId !== article.id || parent.status !== 'approved')
            throw invalidParent()
        }
        const duplicate = db
          .select({ id: comments.id })
          .from(comments)
          .where(
            and(
              eq(comments.articleId, article.id),
              eq(comments.body, input.body),
              sql`lower(${comments.authorEmail}) = lower(${input.authorEmail})`,
              ne(comments.status, 'trash'),
            ),
          )
          .get()
        if (duplicate) throw new ConflictError('This comment has been posted already.')

        const honestStatus: CommentStatus = options.autoApprove ? 'approved' : 'pending'
        const isBot = input.honeypot !== undefined && input.honeypot.trim() !== ''
        const now = new Date().toISOString()
        const row = db
          .insert(comments)
          .values({
            articleId: article.id,
            parentId,
            authorName: input.authorName,
            authorEmail: input.authorEmail,
            authorUrl: input.authorUrl ?? null,
            body: input.body,
            status: isBot ? 'spam' : honestStatus,
            clientIp: submitter.clientIp,
            createdAt: now,
            updatedAt: now,
          })
          .returning(moderatedColumns)
          .get()
        const { updatedAt: _internal, ...submitted } = row
        return { ...submitted, status: honestStatus }
      })
    },

    /** The moderation queue: every status unless one is asked for, newest first. */
    list(query: ListCommentsQuery): Page<ModeratedComment> {
      const conditions: SQL[] = []
      if (query.status !== undefined) conditions.push(eq(comments.status, query.status))
      if (query.articleId !== undefined) conditions.push(eq(comments.articleId, query.articleId))
      return page<ModeratedComment>(
        and(...conditions),
        [desc(comments.createdAt), desc(comments.id)],
        moderatedColumns,
        query,
      )
    },

    get(id: number): ModeratedComment {
      return toModerated(findRow(id))
    },

    /**
     * Changes status and body. `assertCurrent` sees the comment as it stands and may throw (If-Match) before
     * anything changes. commentCount needs no upkeep: it is counted from approved rows on every read.
     */
    update(
      id: number,
      patch: UpdateCommentInput,
      assertCurrent?: (current: ModeratedComment) => void,
    ): ModeratedComment {
      return db.transaction(() => {
        const current = toModerated(findRow(id))
        assertCurrent?.(current)
        if (patch.status === undefined && patch.body === undefined) return current
        const updated = db
          .update(comments)
          .set({
            status: patch.status ?? current.status,
            body: patch.body ?? current.body,
            updatedAt: new Date().toISOString(),
          })
          .where(eq(comments.id, id))
          .returning()
          .get()
        return toModerated(updated)
      })
    },

    /** Deletes a comment for good; its replies are kept and move up to its parent (top level if it had none). */
    remove(id: number): void {
      db.transaction(() => {
        const row = findRow(id)
        db.update(comments)
          .set({ parentId: row.parentId, updatedAt: new Date().toISOString() })
          .where(eq(comments.parentId, id))
          .run()
        db.delete(comments).where(eq(comments.id, id)).run()
      })
    },

    count(): number {
      return db.select({ n: count() }).from(comments).get()?.n ?? 0
    },
  }
}

export type CommentService = ReturnType<typeof createCommentService>
