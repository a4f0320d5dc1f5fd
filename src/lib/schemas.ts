/** Small zod building blocks shared by the modules' schemas. */
import { z } from 'zod'

export const IdOrSlugParamsSchema = z.object({
  idOrSlug: z.string().min(1).max(1000).meta({
    description: 'A numeric id, or a slug (Arabic slugs may be sent percent-encoded).',
    example: 'بوتين-في-إيران',
  }),
})

/** The largest id either engine stores (PostgreSQL's `integer`): a larger one names nothing, and is a 400. */
export const ID_MAX = 2_147_483_647

const ASCII_DIGITS = /^[0-9]+$/

/**
 * A whole number sent as text (a path or query parameter), documented as an integer: ASCII digits only, so `1e0`,
 * `0x10`, ` 12` and `+1` are a 400, not the number z.coerce would read into them. A default goes inside `checks`:
 * outside, the document would not show it.
 */
export function digitsInteger<T extends z.ZodType>(checks: (number: z.ZodNumber) => T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && ASCII_DIGITS.test(value) ? Number(value) : value),
    checks(z.number({ message: 'Expected a whole number in ASCII digits' }).int('Expected a whole number')),
  )
}

const ID_RANGE = `Expected an id from 1 to ${ID_MAX}`
/** A resource id: 1 to ID_MAX, in ASCII digits. */
export const IdSchema = digitsInteger((n) => n.min(1, ID_RANGE).max(ID_MAX, ID_RANGE))

export const IdParamsSchema = z.object({
  id: IdSchema.meta({ description: 'The numeric id.', example: 1 }),
})

export const TimestampSchema = z.iso.datetime().meta({ example: '2017-11-01T09:30:00.000Z' })

// The times a four-digit UTC year can write: outside them toISOString() gives `+010000-…`, which sorts wrong.
const EARLIEST_TIME = Date.UTC(1970, 0, 1)
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** An ISO 8601 time with or without an offset, stored and answered in UTC; 1970 to 9999 once in UTC. */
export const InputTimestampSchema = z.iso
  .datetime({ offset: true, message: 'Expected an ISO 8601 date-time such as 2017-11-01T09:30:00Z' })
  .refine((value) => {
    // Only the range: a value that does not parse is the format check's to report.
    const time = Date.parse(value)
    return Number.isNaN(time) || (time >= EARLIEST_TIME && time <= LATEST_TIME)
  }, 'Must fall between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once its offset is applied')
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
