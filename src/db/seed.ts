/** Loads the sample content in seeds/ through the services, so seeded articles get the same slugs and HTML. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { NotFoundError } from '../lib/errors.js'
import { CreateArticleBodySchema } from '../modules/articles/articles.schemas.js'
import { CreateCommentBodySchema } from '../modules/comments/comments.schemas.js'
import { CreateTagBodySchema } from '../modules/tags/tags.schemas.js'
import type { Services } from '../services.js'

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

type SeedServices = Pick<Services, 'articles' | 'tags' | 'comments'>

/**
 * Idempotent: does nothing when the database has any article. Never truncates. Each item goes through the
 * service that the API uses, in its own transaction; comments are filed as pending like any reader's, then
 * approved as a moderator would.
 */
export async function seedSampleContent(services: SeedServices, folder = seedsFolder): Promise<SeedResult> {
  const { articles, tags, comments } = services
  if ((await articles.count()) > 0) return { seeded: false, articles: 0, tags: 0, comments: 0 }
  const content = SeedFileSchema.parse(JSON.parse(readFileSync(join(folder, 'content.json'), 'utf8')))
  for (const tag of content.tags) {
    // Tags kept after every article was deleted are reused: a 409 here would stop the server from starting.
    const existing = await tags.get(tag.slug ?? tag.name, true).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null
      throw error
    })
    if (!existing) await tags.create(tag)
  }
  for (const { bodyFile, ...article } of content.articles) {
    await articles.create({ ...article, body: readFileSync(join(folder, 'bodies', bodyFile), 'utf8') })
  }
  const commentIds: number[] = []
  for (const { article, status, replyTo, ...input } of content.comments) {
    const parentId = replyTo === undefined ? null : commentIds[replyTo]
    if (parentId === undefined) throw new Error(`seed comment replies to unknown comment #${replyTo}`)
    const { id } = await comments.create(
      article,
      { ...input, parentId },
      { privileged: true, clientIp: null },
    )
    if (status === 'approved') await comments.update(id, { status })
    commentIds.push(id)
  }
  return {
    seeded: true,
    articles: content.articles.length,
    tags: content.tags.length,
    comments: content.comments.length,
  }
}
