/** Comments: the public list and submission with its spam checks, and the moderation queue for token holders. */
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js'
import { countedPage, type Page } from '../../lib/pagination.js'
import type { ChangeSignal } from '../../nodes/change-signal.js'
import type { ArticleService } from '../articles/articles.service.js'
import { commentData } from '../webhooks/webhooks.events.js'
import type { WebhookService } from '../webhooks/webhooks.service.js'
import type { CommentRepository } from './comments.repository.js'
import type {
  Comment,
  CommentStatus,
  CreateCommentInput,
  ListCommentsQuery,
  ModeratedComment,
  SubmittedComment,
  UpdateCommentInput,
} from './comments.schemas.js'

export interface CommentServiceDeps {
  database: Database
  repository: CommentRepository
  articles: Pick<ArticleService, 'findVisible'>
  clock: Clock
  changes: ChangeSignal
  /** The webhook outbox: events are recorded in the write's own transaction. */
  events: Pick<WebhookService, 'record'>
  /** COMMENTS_AUTO_APPROVE: new comments are approved at once instead of awaiting moderation. */
  autoApprove: boolean
}

export interface Submitter {
  /** A token holder may comment on articles the public cannot see yet. */
  privileged: boolean
  /** Kept for moderation only; never returned and never logged. */
  clientIp: string | null
}

function invalidParent(): BadRequestError {
  return new BadRequestError('The request body is not valid.', [
    { path: 'parentId', message: 'Not an approved comment of this article' },
  ])
}

export function createCommentService(deps: CommentServiceDeps) {
  const { database, repository, articles, clock, changes, events, autoApprove } = deps
  const changed = async <T extends { id: number }>(comment: T) => {
    await changes.publish({ topic: 'comments', id: comment.id })
    return comment
  }

  async function findOrFail(id: number, tx: Executor = database, lock = false) {
    const comment = await repository.find(id, tx, { lock })
    if (!comment) throw new NotFoundError('Comment')
    return comment
  }

  return {
    /** Approved comments of a visible article, oldest first, flat: threads are rebuilt from parentId. */
    async listForArticle(
      idOrSlug: string,
      privileged: boolean,
      query: { page: number; perPage: number },
    ): Promise<Page<Comment>> {
      const article = await articles.findVisible(idOrSlug, privileged)
      const criteria = { articleId: article.id, status: 'approved' } as const
      return countedPage(query, await repository.count(criteria), (window) =>
        repository.page<Comment>(criteria, 'oldest', false, window),
      )
    },

    /**
     * Files a new comment. A filled honeypot, or the repeat of a comment from another client IP, files it as spam,
     * and the answer shows the status an honest comment would have got, so the sender learns nothing. Submissions
     * to one article take turns (a lock on the article), so two equal posts cannot both pass the duplicate check,
     * on either engine.
     */
    async create(
      idOrSlug: string,
      input: CreateCommentInput,
      submitter: Submitter,
    ): Promise<SubmittedComment> {
      const comment = await database.transaction(async (tx) => {
        const article = await articles.findVisible(idOrSlug, submitter.privileged, tx)
        if (!article.commentsEnabled) throw new ForbiddenError('Comments are closed on this article.')
        await tx.lock(`comments:${article.id}`)
        const parentId = input.parentId ?? null
        if (parentId !== null) {
          const parent = await repository.find(parentId, tx)
          if (!parent || parent.articleId !== article.id || parent.status !== 'approved')
            throw invalidParent()
        }
        const ip = submitter.clientIp
        const duplicate = await repository.findDuplicate(article.id, input.authorEmail, input.body, ip, tx)
        if (duplicate === 'same-client') throw new ConflictError('This comment has been posted already.')

        const honestStatus: CommentStatus = autoApprove ? 'approved' : 'pending'
        // The repeat of a comment from elsewhere is answered as a new one: a 409 would confirm to a stranger
        // who wrote the first (guess an address, post its text), so it is filed as spam instead.
        const isBot =
          (input.honeypot !== undefined && input.honeypot.trim() !== '') || duplicate === 'other-client'
        const now = isoNow(clock)
        const row = await repository.insert(
          {
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
          },
          tx,
        )
        // Spam is filed quietly: no webhook hears of it, as no reader sees it.
        if (!isBot) await events.record(tx, 'comment.created', commentData(row))
        const { updatedAt: _internal, ...submitted } = row
        return { ...submitted, status: honestStatus }
      })
      return changed(comment)
    },

    /** The moderation queue: every status unless one is asked for, newest first. */
    async list(query: ListCommentsQuery): Promise<Page<ModeratedComment>> {
      const criteria = { status: query.status, articleId: query.articleId }
      return countedPage(query, await repository.count(criteria), (window) =>
        repository.page<ModeratedComment>(criteria, 'newest', true, window),
      )
    },

    get: (id: number): Promise<ModeratedComment> => findOrFail(id),

    /**
     * Changes status and body. `assertCurrent` sees the comment as it stands, locked against other writers, and
     * may throw (If-Match) before anything changes. commentCount is counted from approved rows on every read.
     */
    async update(
      id: number,
      patch: UpdateCommentInput,
      assertCurrent?: (current: ModeratedComment) => void,
    ): Promise<ModeratedComment> {
      const comment = await database.transaction(async (tx) => {
        const current = await findOrFail(id, tx, true)
        assertCurrent?.(current)
        if (patch.status === undefined && patch.body === undefined) return current
        const updated = await repository.update(
          id,
          {
            status: patch.status ?? current.status,
            body: patch.body ?? current.body,
            updatedAt: isoNow(clock),
          },
          tx,
        )
        if (updated.status === 'approved' && current.status !== 'approved')
          await events.record(tx, 'comment.approved', commentData(updated))
        return updated
      })
      return changed(comment)
    },

    /** Deletes a comment for good; its replies are kept and move up to its parent. */
    async remove(id: number): Promise<void> {
      const current = await database.transaction(async (tx) => {
        const current = await findOrFail(id, tx, true)
        await repository.remove(current, isoNow(clock), tx)
        return current
      })
      await changed(current)
    },

    count: (): Promise<number> => repository.count(),
  }
}

export type CommentService = ReturnType<typeof createCommentService>
