/** Loads the sample content in seeds/ through the services, so seeded articles get the same slugs and HTML. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { slugify } from '../lib/slug.js'
import { CreateArticleBodySchema } from '../modules/articles/articles.schemas.js'
import { createArticleService } from '../modules/articles/articles.service.js'
import { CreateTagBodySchema } from '../modules/tags/tags.schemas.js'
import { createTagService } from '../modules/tags/tags.service.js'
import type { Db } from './client.js'
import { tags as tagsTable } from './schema.js'

export const seedsFolder = fileURLToPath(new URL('../../seeds', import.meta.url))

const SeedFileSchema = z.object({
  tags: z.array(CreateTagBodySchema),
  articles: z.array(CreateArticleBodySchema.omit({ body: true }).extend({ bodyFile: z.string() })),
})

export interface SeedResult {
  seeded: boolean
  articles: number
  tags: number
}

/** Idempotent: does nothing when the database has any article. Never truncates. */
export function seedSampleContent(db: Db, folder = seedsFolder): SeedResult {
  const articles = createArticleService(db)
  if (articles.count() > 0) return { seeded: false, articles: 0, tags: 0 }
  const content = SeedFileSchema.parse(JSON.parse(readFileSync(join(folder, 'content.json'), 'utf8')))
  const tags = createTagService(db)
  db.transaction(() => {
    for (const tag of content.tags) {
      // Tags kept after every article was deleted are reused: a 409 here would stop the server from starting.
      const slug = slugify(tag.slug ?? tag.name)
      if (!db.select({ id: tagsTable.id }).from(tagsTable).where(eq(tagsTable.slug, slug)).get())
        tags.create(tag)
    }
    for (const { bodyFile, ...article } of content.articles) {
      articles.create({ ...article, body: readFileSync(join(folder, 'bodies', bodyFile), 'utf8') })
    }
  })
  return { seeded: true, articles: content.articles.length, tags: content.tags.length }
}
