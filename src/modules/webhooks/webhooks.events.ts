/**
 * The event types and what each carries. Every payload is built here from named fields, never by spreading a row,
 * so a commenter's e-mail address or IP cannot end up in one.
 */

export const EVENT_TYPES = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
  'comment.created',
  'comment.approved',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'import.completed',
  'webhook.ping',
] as const

export type EventType = (typeof EVENT_TYPES)[number]

/** The `data` of an event: an object, `id` and `slug` first where the subject has them. */
export type EventData = Record<string, unknown>

interface ArticleLike {
  id: number
  slug: string
  title: string
  excerpt: string
  author: string | null
  coverImageUrl: string | null
  status: 'draft' | 'published'
  publishedAt: string | null
  updatedAt: string
  tags?: { slug: string }[]
}

export function articleData(article: ArticleLike): EventData {
  return {
    id: article.id,
    slug: article.slug,
    title: article.title,
    excerpt: article.excerpt,
    author: article.author,
    coverImageUrl: article.coverImageUrl,
    status: article.status,
    publishedAt: article.publishedAt,
    updatedAt: article.updatedAt,
    tags: (article.tags ?? []).map((tag) => tag.slug),
  }
}

interface CommentLike {
  id: number
  articleId: number
  parentId: number | null
  status: string
  authorName: string
  authorUrl: string | null
  body: string
  createdAt: string
}

/** What a moderator's tool needs; the e-mail address and the client IP are not taken, whatever the row holds. */
export function commentData(comment: CommentLike): EventData {
  return {
    id: comment.id,
    articleId: comment.articleId,
    parentId: comment.parentId,
    status: comment.status,
    authorName: comment.authorName,
    authorUrl: comment.authorUrl,
    body: comment.body,
    createdAt: comment.createdAt,
  }
}

interface TagLike {
  id: number
  slug: string
  name: string
  description: string
}

export function tagData(tag: TagLike): EventData {
  return { id: tag.id, slug: tag.slug, name: tag.name, description: tag.description }
}
