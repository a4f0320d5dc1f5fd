/** The old-address lookup: its query and its answer. */
import { z } from 'zod'

export const RedirectQuerySchema = z.object({
  from: z
    .string()
    .trim()
    .min(1, 'Must not be empty')
    .max(2000, 'At most 2000 characters')
    .meta({
      description:
        'An old WordPress address, whole or as a path: the permalink (`/2017/11/01/<slug>/`), `/?p=123`, ' +
        '`/archives/123`, the post’s `guid`, or an address with one of its old slugs. Percent-encoded or not.',
      example: '/2017/11/01/%D8%A8%D9%88%D8%AA%D9%8A%D9%86-%D9%81%D9%8A-%D8%A5%D9%8A%D8%B1%D8%A7%D9%86/',
    }),
})

export type RedirectQuery = z.infer<typeof RedirectQuerySchema>

export const RedirectSchema = z
  .object({
    articleId: z.number().int().meta({ example: 1 }),
    slug: z.string().meta({ example: 'بوتين-في-إيران' }),
    location: z.string().meta({
      description: 'The article’s path in this API, its slug percent-encoded: where to send the old address.',
      example: '/v1/articles/%D8%A8%D9%88%D8%AA%D9%8A%D9%86-%D9%81%D9%8A-%D8%A5%D9%8A%D8%B1%D8%A7%D9%86',
    }),
  })
  .meta({
    id: 'Redirect',
    description: 'The live article an old WordPress address now names.',
  })

export type Redirect = z.infer<typeof RedirectSchema>
