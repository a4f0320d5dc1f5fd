/** Loads the sample content in seeds/ through the services, so seeded articles get the same slugs and HTML. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { slugify } from '../lib/slug.js'
import { CreateArticleBodySchema } from '../modules/articles/articles.schemas.js'
import { createArticleService } from '../modules/articles/articles.service.js'
import { CreateCommentBodySchema } from '../modules/comments/comments.schemas.js'
import { createCommentService } from '../modules/comments/comments.service.js'
import { CreateTagBodySchema } from '../modules/tags/tags.schemas.js'
import { createTagService } from '../modules/tags/tags.service.js'
import type { Db } from './client.js'
import { tags as tagsTable } from './schema.js'

export const seedsFolder = fileURLToPath(new URL('../../seeds', import.meta.url))

const SeedFileSchema = z.object({
  tags: z.array(CreateTagBodySchema),
  articles: z.array(CreateArticleBodySchema.omit({ body: true }).extend({ bodyFile: z.string() })),
  // `article` is a slug; `replyTo` is the index of an earlier, approved comment in this list.
  comments: z
    .array(
      CreateCommentBodySchema.omit({ parentId: true, honeypot: true }).extend({
        article: z.string(),
        status: z.enum(['pending', 'approved']).default('pending'),
        replyTo: z.number().int().nonnegative().optional(),
      }),
    )
    .default([]),
})

export interface SeedResult {
  seeded: boolean
  articles: number
  tags: number
  comments: number
}

/** Idempotent: does nothing when the database has any article. Never truncates. */
export function seedSampleContent(db: Db, folder = seedsFolder): SeedResult {
  const articles = createArticleService(db)
  if (articles.count() > 0) return { seeded: false, articles: 0, tags: 0, comments: 0 }
  const content = SeedFileSchema.parse(JSON.parse(readFileSync(join(folder, 'content.json'), 'utf8')))
  const tags = createTagService(db)
  // Filed as pending like any reader's comment, then approved as a moderator would.
  const comments = createCommentService(db, { autoApprove: false })
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
    const commentIds: number[] = []
    for (const { article, status, replyTo, ...input } of content.comments) {
      const parentId = replyTo === undefined ? null : commentIds[replyTo]
      if (parentId === undefined) throw new Error(`seed comment replies to unknown comment #${replyTo}`)
      const { id } = comments.create(article, { ...input, parentId }, { privileged: true, clientIp: null })
      if (status === 'approved') comments.update(id, { status })
      commentIds.push(id)
    }
  })
  return {
    seeded: true,
    articles: content.articles.length,
    tags: content.tags.length,
    comments: content.comments.length,
  }
}
