/** Old links: which live article an old WordPress address names, for a frontend that answers it with a 301. */
import { type Clock, isoNow } from '../../lib/clock.js'
import { NotFoundError } from '../../lib/errors.js'
import { lookupKeys } from './redirects.keys.js'
import type { RedirectRepository } from './redirects.repository.js'
import type { Redirect } from './redirects.schemas.js'

export interface RedirectServiceDeps {
  repository: RedirectRepository
  clock: Clock
}

const redirectTo = (target: { articleId: number; slug: string }): Redirect => ({
  articleId: target.articleId,
  slug: target.slug,
  location: `/v1/articles/${encodeURIComponent(target.slug)}`,
})

export function createRedirectService({ repository, clock }: RedirectServiceDeps) {
  return {
    /**
     * The best match, in the order lookupKeys gives (guid, post id, whole path, old slug), else an article whose
     * current slug is the address's last segment; only live articles, for everyone. Else 404.
     */
    async resolve(from: string): Promise<Redirect> {
      const now = isoNow(clock)
      const { keys, slug } = lookupKeys(from)
      const found = await repository.live(keys, now)
      for (const key of keys) {
        const target = found.find((row) => row.key === key)
        if (target) return redirectTo(target)
      }
      const current = slug ? await repository.liveBySlug(slug, now) : undefined
      if (current) return redirectTo(current)
      throw new NotFoundError('Redirect')
    },
  }
}

export type RedirectService = ReturnType<typeof createRedirectService>
