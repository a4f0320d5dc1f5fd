/** A revision: an article's full editable state at one moment, who stored it and when. */
import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { digitsInteger, ID_MAX, IdOrSlugParamsSchema, TimestampSchema } from '../../lib/schemas.js'

/** What an editor can set on an article: restoring it is a PATCH with these fields. */
export const RevisionStateSchema = z
  .object({
    title: z.string().meta({ example: 'بوتين في إيران: مرآة العالم' }),
    slug: z.string().meta({ example: 'بوتين-في-إيران-مرآة-العالم' }),
    excerpt: z
      .string()
      .nullable()
      .meta({ description: 'As the editor gave it; null when it was derived from the body.', example: null }),
    body: z.string().meta({ example: 'زار الرئيس الروسي **طهران** …' }),
    bodyFormat: z.enum(['markdown', 'html']),
    author: z.string().nullable().meta({ example: 'محمد نور الدين' }),
    coverImageUrl: z.string().nullable().meta({ example: null }),
    status: z.enum(['draft', 'published']),
    publishedAt: TimestampSchema.nullable(),
    commentsEnabled: z.boolean(),
    tags: z.array(z.string()).meta({ description: 'Tag names, in order.', example: ['إيران', 'روسيا'] }),
  })
  .meta({ id: 'RevisionState' })

export type RevisionState = z.infer<typeof RevisionStateSchema>

const revisionShape = {
  number: z.number().int().min(1).meta({ description: '1, 2, 3… within the article.', example: 3 }),
  articleId: z.number().int().meta({ example: 1 }),
  tokenName: z.string().nullable().meta({
    description:
      'The name of the token that made the change; null for changes made without one (the seeder).',
    example: 'alice',
  }),
  createdAt: TimestampSchema,
}

export const RevisionSummarySchema = z.object(revisionShape).meta({
  id: 'RevisionSummary',
  description: 'A revision without its state, as the list shows it.',
})

export const RevisionSchema = z
  .object({ ...revisionShape, state: RevisionStateSchema })
  .meta({ id: 'Revision', description: 'A revision with the full editable state it stored.' })

export type Revision = z.infer<typeof RevisionSchema>
export type RevisionSummary = z.infer<typeof RevisionSummarySchema>

export const RevisionPageSchema = pageOf(RevisionSummarySchema).meta({
  id: 'RevisionPage',
  example: {
    data: [
      { number: 2, articleId: 1, tokenName: 'alice', createdAt: '2017-11-01T10:05:00.000Z' },
      { number: 1, articleId: 1, tokenName: 'alice', createdAt: '2017-11-01T09:30:00.000Z' },
    ],
    meta: { page: 1, perPage: 20, total: 2, totalPages: 1 },
  },
})

export const ListRevisionsQuerySchema = PageQuerySchema

export type ListRevisionsQuery = z.infer<typeof ListRevisionsQuerySchema>

export const RevisionParamsSchema = IdOrSlugParamsSchema.extend({
  // Numbers start at 1; 0 names no revision, so it is a 404 like any other missing one.
  n: digitsInteger((n) => n.min(0).max(ID_MAX)).meta({
    description: 'The revision number, ASCII digits.',
    example: 2,
  }),
})
