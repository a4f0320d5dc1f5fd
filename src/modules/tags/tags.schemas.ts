/** The tag, its reference form inside articles, and its list, create, patch and query shapes. */
import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { GivenSlugSchema, TimestampSchema } from '../../lib/schemas.js'
import { MAX_QUERY_LENGTH } from '../search/search.query.js'

export const TagRefSchema = z
  .object({
    id: z.number().int().meta({ example: 3 }),
    slug: z.string().meta({ example: 'العطار-التركي' }),
    name: z.string().meta({ example: 'العطار التركي' }),
  })
  .meta({ id: 'TagRef' })

export const TagSchema = z
  .object({
    ...TagRefSchema.shape,
    description: z.string(),
    articleCount: z.number().int().meta({ description: 'Published articles the public can see.' }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'Tag' })

export type Tag = z.infer<typeof TagSchema>

export const TagPageSchema = pageOf(TagSchema).meta({ id: 'TagPage' })

export const CreateTagBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    slug: GivenSlugSchema('name'),
    description: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'CreateTag', example: { name: 'العطار التركي', description: 'مقالات الكاتب التركية' } })

export const UpdateTagBodySchema = CreateTagBodySchema.partial()
  .strict()
  .meta({ id: 'UpdateTag', example: { description: 'عمود أسبوعي' } })

export type CreateTagInput = z.infer<typeof CreateTagBodySchema>
export type UpdateTagInput = z.infer<typeof UpdateTagBodySchema>

export const ListTagsQuerySchema = PageQuerySchema.extend({
  q: z
    .string()
    .max(MAX_QUERY_LENGTH)
    .optional()
    .meta({
      description:
        'Names that have a word starting with each word given, Arabic-normalized (`اير` finds `إيران`). ' +
        'Empty means no filter.',
      example: 'اير',
    }),
  sort: z.enum(['name', '-articleCount']).default('name'),
})

export type ListTagsQuery = z.infer<typeof ListTagsQuerySchema>
