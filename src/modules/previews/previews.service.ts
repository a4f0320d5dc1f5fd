/** Preview links: random secrets stored as SHA-256 hashes, each opening one article, draft or not, until it expires. */
import { createHash, randomBytes } from 'node:crypto'
import type { Database } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { NotFoundError } from '../../lib/errors.js'
import { offsetMeta, type Page, type PageMeta } from '../../lib/pagination.js'
import type { Article } from '../articles/articles.schemas.js'
import type { ArticleService } from '../articles/articles.service.js'
import type { PreviewRepository } from './previews.repository.js'
import {
  type CreatedPreview,
  type CreatePreviewInput,
  DEFAULT_PREVIEW_SECONDS,
  type Preview,
} from './previews.schemas.js'

export interface PreviewServiceDeps {
  database: Database
  repository: PreviewRepository
  articles: Pick<ArticleService, 'findVisible' | 'get'>
  clock: Clock
}

// Distinct from API tokens' `sahifa_`, so a leaked secret says what it opens (and what it does not).
const SECRET_PREFIX = 'preview_'

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/** One answer for an unknown, revoked or expired secret: nothing about the article, not even that it exists. */
const noSuchPreview = () => new NotFoundError('Preview link')

export function createPreviewService({ database, repository, articles, clock }: PreviewServiceDeps) {
  /** Previews are managed with a token, so every article is visible here; an unknown one is a 404. */
  const articleOf = (idOrSlug: string) => articles.findVisible(idOrSlug, true)

  return {
    /** The returned `token` is the only time the secret exists outside the caller. */
    async create(idOrSlug: string, input: CreatePreviewInput, actor: string | null): Promise<CreatedPreview> {
      const secret = SECRET_PREFIX + randomBytes(32).toString('base64url')
      const preview = await database.transaction(async (tx) => {
        const article = await articles.findVisible(idOrSlug, true, tx)
        const now = clock.now()
        const seconds = input.expiresInSeconds ?? DEFAULT_PREVIEW_SECONDS
        await repository.removeExpired(article.id, now.toISOString(), tx)
        return repository.insert(
          {
            articleId: article.id,
            tokenHash: hashSecret(secret),
            tokenName: actor,
            expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
            createdAt: now.toISOString(),
          },
          tx,
        )
      })
      return { ...preview, token: secret, url: `/v1/preview/${secret}` }
    },

    /** The article's live links, newest first, without their secrets. */
    async list(idOrSlug: string, query: { page: number; perPage: number }): Promise<Page<Preview>> {
      const article = await articleOf(idOrSlug)
      const now = isoNow(clock)
      const total = await repository.countLive(article.id, now)
      const offset = (query.page - 1) * query.perPage
      const data =
        offset >= total ? [] : await repository.pageLive(article.id, now, { limit: query.perPage, offset })
      const meta: PageMeta = offsetMeta(query.page, query.perPage, total)
      return { data, meta }
    },

    async get(idOrSlug: string, id: number): Promise<Preview> {
      const article = await articleOf(idOrSlug)
      const preview = await repository.findLive(article.id, id, isoNow(clock))
      if (!preview) throw noSuchPreview()
      return preview
    },

    /** Revokes a live link at once; an expired one is gone already (404). */
    async remove(idOrSlug: string, id: number): Promise<void> {
      const article = await articleOf(idOrSlug)
      if (!(await repository.removeLive(article.id, id, isoNow(clock)))) throw noSuchPreview()
    },

    /** The article a secret opens, as it stands now, in full form; the lookup is by hash, so timing tells nothing. */
    async read(secret: string): Promise<Article> {
      const articleId = await repository.articleOf(hashSecret(secret), isoNow(clock))
      if (articleId === undefined) throw noSuchPreview()
      try {
        return await articles.get(String(articleId), true)
      } catch (error) {
        // Deleted since the lookup (its links go with it): the same 404 as any dead link.
        if (error instanceof NotFoundError) throw noSuchPreview()
        throw error
      }
    },
  }
}

export type PreviewService = ReturnType<typeof createPreviewService>
