/** The article and its list, create, patch and query shapes. Response schemas decide what leaves the server. */
import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import {
  GivenSlugSchema,
  HttpUrlSchema,
  InputTimestampSchema,
  queryFilterSchema,
  TimestampSchema,
} from '../../lib/schemas.js'
import { MAX_QUERY_LENGTH } from '../search/search.query.js'
import { TagRefSchema } from '../tags/tags.schemas.js'

export const ARTICLE_SORTS = ['-publishedAt', 'publishedAt', '-updatedAt', 'title'] as const
export const ARTICLE_STATUS_FILTERS = ['published', 'scheduled', 'draft', 'all'] as const

const summaryShape = {
  id: z.number().int().meta({ example: 1 }),
  slug: z.string().meta({ example: 'بوتين-في-إيران-مرآة-العالم' }),
  title: z.string().meta({ example: 'بوتين في إيران: مرآة العالم' }),
  excerpt: z.string(),
  author: z.string().nullable().meta({ example: 'محمد نور الدين' }),
  coverImageUrl: z.string().nullable().meta({ example: 'https://example.com/images/tehran.jpg' }),
  status: z.enum(['draft', 'published']),
  publishedAt: TimestampSchema.nullable().meta({
    description: 'A future time means scheduled: hidden from the public until then.',
  }),
  commentsEnabled: z.boolean(),
  commentCount: z.number().int().meta({ description: 'Approved comments.' }),
  readingTimeMinutes: z.number().int().min(1),
  tags: z.array(TagRefSchema).meta({ description: 'In the order the editor gave them.' }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
}

export const ArticleSummarySchema = z.object(summaryShape).meta({
  id: 'ArticleSummary',
  description: 'An article without its body, as lists show it.',
})

export const ArticleSchema = z
  .object({
    ...summaryShape,
    body: z.string().meta({ description: 'The source as written.' }),
    bodyFormat: z.enum(['markdown', 'html']),
    html: z.string().meta({ description: 'The body rendered to HTML and sanitized.' }),
  })
  .meta({ id: 'Article' })

export type Article = z.infer<typeof ArticleSchema>
export type ArticleSummary = z.infer<typeof ArticleSummarySchema>

export const ArticlePageSchema = pageOf(ArticleSummarySchema).meta({ id: 'ArticlePage' })

const TagNameSchema = z.string().trim().min(1).max(100)

export const CreateArticleBodySchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    body: z.string().min(1).max(500_000),
    slug: GivenSlugSchema('title'),
    // Kept exactly as given, spaces and line breaks included, as the contract says.
    excerpt: z
      .string()
      .max(1000)
      .nullable()
      .optional()
      .meta({ description: 'Kept as given; derived from the body when absent, empty or null.' }),
    bodyFormat: z.enum(['markdown', 'html']).optional().meta({ description: 'Default `markdown`.' }),
    author: z.string().trim().max(200).nullable().optional(),
    coverImageUrl: HttpUrlSchema.nullable().optional(),
    status: z.enum(['draft', 'published']).optional().meta({ description: 'Default `draft`.' }),
    publishedAt: InputTimestampSchema.nullable()
      .optional()
      .meta({ description: 'Set to now when published without one; a future time schedules the article.' }),
    commentsEnabled: z.boolean().optional(),
    tags: z
      .array(TagNameSchema)
      .max(50)
      .optional()
      .meta({ description: 'Tag names; each is matched to a tag by its slug, or created.' }),
  })
  .strict()
  .meta({
    id: 'CreateArticle',
    example: {
      title: 'بوتين في إيران: مرآة العالم',
      body: 'زار الرئيس الروسي **طهران** …',
      author: 'محمد نور الدين',
      status: 'published',
      tags: ['إيران', 'روسيا'],
    },
  })

export const UpdateArticleBodySchema = CreateArticleBodySchema.partial()
  .strict()
  .meta({
    id: 'UpdateArticle',
    example: { title: 'بوتين في إيران', tags: ['إيران'] },
  })

export type CreateArticleInput = z.infer<typeof CreateArticleBodySchema>
export type UpdateArticleInput = z.infer<typeof UpdateArticleBodySchema>

const SearchQuerySchema = z
  .string()
  .max(MAX_QUERY_LENGTH)
  .optional()
  .meta({
    description:
      'Search words, matched Arabic-normalized and stemmed (docs/search.md explains how); every word must match. ' +
      'Operators and punctuation are plain text. Empty means no search.',
    example: 'الاتفاق النووي',
  })

export const ListArticlesQuerySchema = PageQuerySchema.extend({
  cursor: z
    .string()
    .max(500)
    .optional()
    .meta({
      description:
        '`meta.nextCursor` of the previous answer: continues after it, at the same cost on any page. ' +
        'Not with `q` ordered by relevance (a 400): page with `page`, or give a `sort`.',
    }),
  tag: queryFilterSchema(400).meta({ description: 'A tag slug; empty means no filter.', example: 'إيران' }),
  // Compared as text in SQL, where PostgreSQL refuses a NUL; no stored byline can hold one (plugins/no-nul.ts).
  author: queryFilterSchema(200)
    .refine((value) => !value?.includes('\u0000'), 'Must not contain the NUL character (U+0000)')
    .meta({ description: 'The exact byline; empty means no filter.' }),
  q: SearchQuerySchema,
  sort: z
    .enum(ARTICLE_SORTS)
    .optional()
    .meta({ description: 'Default `-publishedAt`; with `q`, relevance (title first).' }),
  status: z.enum(ARTICLE_STATUS_FILTERS).optional().meta({
    description: 'Token holders only: `published` (live now, the default), `scheduled`, `draft`, `all`.',
  }),
})

export type ListArticlesQuery = z.infer<typeof ListArticlesQuerySchema>
