/** Preview links: a secret URL that shows an article as it now stands, draft or scheduled, until it expires. */
import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { IdOrSlugParamsSchema, IdSchema, TimestampSchema } from '../../lib/schemas.js'

export const MIN_PREVIEW_SECONDS = 10
export const MAX_PREVIEW_SECONDS = 30 * 24 * 60 * 60
export const DEFAULT_PREVIEW_SECONDS = 24 * 60 * 60

export const PreviewSchema = z
  .object({
    id: z.number().int().meta({ example: 4 }),
    articleId: z.number().int().meta({ example: 1 }),
    tokenName: z.string().nullable().meta({ description: 'The token that made the link.', example: 'alice' }),
    expiresAt: TimestampSchema,
    createdAt: TimestampSchema,
  })
  .meta({ id: 'Preview', description: 'A live preview link, without its secret.' })

export type Preview = z.infer<typeof PreviewSchema>

export const CreatedPreviewSchema = PreviewSchema.extend({
  token: z.string().meta({
    description:
      'The secret: shown this once, stored only as a hash. Anyone holding it can read the article.',
    example: 'preview_q0C4pU2f3m1V9yY0xk3p7w8Zb5nH6tR2aL1sD4gJ0eQ',
  }),
  url: z.string().meta({
    description: 'Where the article is read with the secret (no bearer token): `/v1/preview/{token}`.',
    example: '/v1/preview/preview_q0C4pU2f3m1V9yY0xk3p7w8Zb5nH6tR2aL1sD4gJ0eQ',
  }),
}).meta({ id: 'CreatedPreview' })

export type CreatedPreview = z.infer<typeof CreatedPreviewSchema>

export const PreviewPageSchema = pageOf(PreviewSchema).meta({ id: 'PreviewPage' })

export const CreatePreviewBodySchema = z
  .object({
    expiresInSeconds: z
      .number()
      .int()
      .min(MIN_PREVIEW_SECONDS)
      .max(MAX_PREVIEW_SECONDS)
      .optional()
      .meta({ description: 'From 10 seconds to 30 days; default 24 hours.', example: 3600 }),
  })
  .strict()
  .meta({ id: 'CreatePreview', example: { expiresInSeconds: 3600 } })

export type CreatePreviewInput = z.infer<typeof CreatePreviewBodySchema>

export const ListPreviewsQuerySchema = PageQuerySchema

export const PreviewParamsSchema = IdOrSlugParamsSchema.extend({
  id: IdSchema.meta({ description: 'The preview link’s id, ASCII digits.', example: 4 }),
})

export const PreviewTokenParamsSchema = z.object({
  previewToken: z.string().min(1).max(200).meta({
    description: 'The secret of a preview link.',
    example: 'preview_q0C4pU2f3m1V9yY0xk3p7w8Zb5nH6tR2aL1sD4gJ0eQ',
  }),
})
