/** The old addresses of imported articles, written once over Drizzle for both engines. */
import { and, eq, inArray, ne } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'
import { isLive } from '../articles/articles.visibility.js'

export interface RedirectTarget {
  key: string
  articleId: number
  slug: string
}

export function createRedirectRepository(database: Database) {
  const { articleRedirects, articles } = database.tables

  return {
    /**
     * Points the keys at the article. A key that names another article already keeps it (the first import of an
     * address wins); those keys are returned.
     */
    async add(articleId: number, keys: string[], now: string, tx: Executor): Promise<string[]> {
      if (keys.length === 0) return []
      await tx.run(
        tx.qb
          .insert(articleRedirects)
          .values(keys.map((key) => ({ key, articleId, createdAt: now })))
          .onConflictDoNothing(),
      )
      const taken = await tx.all(
        tx.qb
          .select({ key: articleRedirects.key })
          .from(articleRedirects)
          .where(and(inArray(articleRedirects.key, keys), ne(articleRedirects.articleId, articleId))),
      )
      return taken.map((row) => row.key)
    },

    /** The live articles some of these keys name. */
    live(keys: string[], now: string): Promise<RedirectTarget[]> {
      return database.all(
        database.qb
          .select({ key: articleRedirects.key, articleId: articles.id, slug: articles.slug })
          .from(articleRedirects)
          .innerJoin(articles, eq(articles.id, articleRedirects.articleId))
          .where(and(inArray(articleRedirects.key, keys), isLive(articles, now))),
      )
    },

    /** The live article with this slug now. */
    liveBySlug(slug: string, now: string) {
      return database.get(
        database.qb
          .select({ articleId: articles.id, slug: articles.slug })
          .from(articles)
          .where(and(eq(articles.slug, slug), isLive(articles, now))),
      )
    },
  }
}

export type RedirectRepository = ReturnType<typeof createRedirectRepository>
