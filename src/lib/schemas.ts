/** Small zod building blocks shared by the modules' schemas. */
import { z } from 'zod'

export const IdOrSlugParamsSchema = z.object({
  idOrSlug: z.string().min(1).max(1000).meta({
    description: 'A numeric id, or a slug (Arabic slugs may be sent percent-encoded).',
    example: 'بوتين-في-إيران',
  }),
})

export const IdParamsSchema = z.object({
  id: z.coerce.number().int().positive().meta({ description: 'The numeric id.', example: 1 }),
})

export const TimestampSchema = z.iso.datetime().meta({ example: '2017-11-01T09:30:00.000Z' })

/** An ISO 8601 time with or without an offset, stored and answered in UTC. */
export const InputTimestampSchema = z.iso
  .datetime({ offset: true, message: 'Expected an ISO 8601 date-time such as 2017-11-01T09:30:00Z' })
  .transform((value) => new Date(value).toISOString())

export const HttpUrlSchema = z
  .url({ protocol: /^https?$/, message: 'Expected an absolute http(s) URL' })
  .max(2000)

/** A query-string boolean: true/false/1/0. */
export const QueryBooleanSchema = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')

export const NoContentSchema = z.undefined().meta({ description: 'No content.' })

/** A query-string filter; an empty value (`?tag=`) means no filter, as WordPress treats it. */
export function queryFilterSchema(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .optional()
    .transform((value) => value || undefined)
}

/** A slug an editor may give; normalized like a derived one (see lib/slug.ts). */
export function GivenSlugSchema(derivedFrom: string) {
  return z
    .string()
    .trim()
    .min(1)
    .max(400)
    .optional()
    .meta({ description: `Derived from the ${derivedFrom} when absent.` })
}
