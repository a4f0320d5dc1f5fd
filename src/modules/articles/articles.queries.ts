/** Query pieces other modules share: who may see an article, and turning rows into summaries in few queries. */
import { and, asc, count, eq, gt, inArray, lte, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articles, articleTags, comments, tags } from '../../db/schema.js'
import { NotFoundError } from '../../lib/errors.js'
import { parseIdOrSlug } from '../../lib/slug.js'
import type { ArticleSummary } from './articles.schemas.js'

/** Published and its time has come: what the public may see. */
export function isLive(now: string): SQL {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now)) as SQL
}

/** Published with a future time. */
export function isScheduled(now: string): SQL {
  return and(eq(articles.status, 'published'), gt(articles.publishedAt, now)) as SQL
}

/** The article behind an id or slug when this caller may see it (drafts and scheduled: tokens only); else 404. */
export function findVisibleArticle(db: Db, idOrSlug: string, privileged: boolean) {
  const ref = parseIdOrSlug(idOrSlug)
  const row = db
    .select({
      id: articles.id,
      status: articles.status,
      publishedAt: articles.publishedAt,
      commentsEnabled: articles.commentsEnabled,
    })
    .from(articles)
    .where('id' in ref ? eq(articles.id, ref.id) : eq(articles.slug, ref.slug))
    .get()
  if (!row || (!privileged && !isLiveRow(row, new Date().toISOString()))) throw new NotFoundError('Article')
  return row
}

export function isLiveRow(row: { status: string; publishedAt: string | null }, now: string): boolean {
  return row.status === 'published' && row.publishedAt !== null && row.publishedAt <= now
}

/** The columns of the summary form: everything but the body and its HTML. */
export const summaryColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  excerpt: articles.excerpt,
  author: articles.author,
  coverImageUrl: articles.coverImageUrl,
  status: articles.status,
  publishedAt: articles.publishedAt,
  commentsEnabled: articles.commentsEnabled,
  readingTimeMinutes: articles.readingTimeMinutes,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
}

export type SummaryRow = Omit<
  typeof articles.$inferSelect,
  'body' | 'bodyFormat' | 'html' | 'excerptIsCustom'
>

type TagRef = ArticleSummary['tags'][number]

/** The tags of many articles in one query, each list in the editor's order. */
export function tagsByArticle(db: Db, articleIds: number[]): Map<number, TagRef[]> {
  const byArticle = new Map<number, TagRef[]>()
  if (articleIds.length === 0) return byArticle
  const rows = db
    .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(inArray(articleTags.articleId, articleIds))
    .orderBy(asc(articleTags.articleId), asc(articleTags.position))
    .all()
  for (const { articleId, ...tag } of rows) {
    const list = byArticle.get(articleId) ?? []
    list.push(tag)
    byArticle.set(articleId, list)
  }
  return byArticle
}

/** Approved comments per article, in one grouped query. */
export function commentCountsByArticle(db: Db, articleIds: number[]): Map<number, number> {
  if (articleIds.length === 0) return new Map()
  const rows = db
    .select({ articleId: comments.articleId, n: count() })
    .from(comments)
    .where(and(inArray(comments.articleId, articleIds), eq(comments.status, 'approved')))
    .groupBy(comments.articleId)
    .all()
  return new Map(rows.map((row) => [row.articleId, row.n]))
}

/** Rows to summaries with two extra queries per page, never one per article. */
export function toSummaries<R extends SummaryRow>(
  db: Db,
  rows: R[],
): (R & Pick<ArticleSummary, 'tags' | 'commentCount'>)[] {
  const ids = rows.map((row) => row.id)
  const tagLists = tagsByArticle(db, ids)
  const counts = commentCountsByArticle(db, ids)
  return rows.map((row) => ({
    ...row,
    tags: tagLists.get(row.id) ?? [],
    commentCount: counts.get(row.id) ?? 0,
  }))
}
