/** Who may see an article: the one rule, in SQL for queries and in JS for a row already read. */
import { and, eq, gt, lte, type SQL } from 'drizzle-orm'
import type { Tables } from '../../db/database.js'

type ArticlesTable = Tables['articles']

/** Published and its time has come: what the public may see. */
export function isLive(articles: ArticlesTable, now: string): SQL {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now)) as SQL
}

/** Published with a future time. */
export function isScheduled(articles: ArticlesTable, now: string): SQL {
  return and(eq(articles.status, 'published'), gt(articles.publishedAt, now)) as SQL
}

export function isLiveRow(row: { status: string; publishedAt: string | null }, now: string): boolean {
  return row.status === 'published' && row.publishedAt !== null && row.publishedAt <= now
}

/** Token holders see every article; the public, live ones. */
export function canSee(
  row: { status: string; publishedAt: string | null },
  privileged: boolean,
  now: string,
): boolean {
  return privileged || isLiveRow(row, now)
}
