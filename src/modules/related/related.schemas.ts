/** Related articles: the list item (a summary with its relation), the list, its query and the write bodies. */
import { z } from 'zod'
import { digitsInteger, ID_MAX, IdOrSlugParamsSchema, IdSchema } from '../../lib/schemas.js'
import { ArticleSummarySchema } from '../articles/articles.schemas.js'

/** The most links one article may hold: `limit` cannot show more than this, so more would be dead weight. */
export const MAX_RELATED_LINKS = 20
export const DEFAULT_RELATED_LIMIT = 5

export const RELATIONS = ['manual', 'tags'] as const

export const RelatedArticleSchema = ArticleSummarySchema.extend({
  relation: z.enum(RELATIONS).meta({
    description: '`manual`: linked by an editor; `tags`: chosen by the tag fill.',
  }),
}).meta({
  id: 'RelatedArticle',
  description: 'An article summary in a related list, with how it got there.',
})

export type RelatedArticle = z.infer<typeof RelatedArticleSchema>

export const RelatedListSchema = z
  .object({ data: z.array(RelatedArticleSchema) })
  .meta({ id: 'RelatedList', description: 'The manual links first, in their order, then the tag fill.' })

export type RelatedList = z.infer<typeof RelatedListSchema>

export const RelatedQuerySchema = z.object({
  limit: digitsInteger((n) => n.min(1).max(MAX_RELATED_LINKS).default(DEFAULT_RELATED_LIMIT)).meta({
    description: 'At most this many items, manual links included; 1 to 20.',
    example: 5,
  }),
  fill: z
    .enum(['none', 'tags'])
    .default('none')
    .meta({
      description:
        '`tags` fills the rest up to `limit` with live published articles sharing the most tags with this one, ' +
        'newest first among equals.',
    }),
})

export type RelatedQuery = z.infer<typeof RelatedQuerySchema>

const ArticleIdSchema = z.number().int().positive().max(ID_MAX).meta({ example: 7 })

export const ReplaceRelatedBodySchema = z
  .object({
    articleIds: z.array(ArticleIdSchema).max(MAX_RELATED_LINKS).meta({
      description: 'The whole ordered list of linked article ids (at most 20); `[]` removes every link.',
    }),
  })
  .strict()
  .meta({ id: 'ReplaceRelated', example: { articleIds: [7, 3] } })

export const AddRelatedBodySchema = z
  .object({ articleId: ArticleIdSchema })
  .strict()
  .meta({ id: 'AddRelated', example: { articleId: 7 } })

export const RelatedLinkParamsSchema = IdOrSlugParamsSchema.extend({
  relatedId: IdSchema.meta({ description: 'The id of the linked article.', example: 7 }),
})
