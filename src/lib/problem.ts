/** The one error body shape (RFC 9457 problem+json), as a zod schema for OpenAPI and serialization. */
import { z } from 'zod'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export const FieldErrorSchema = z.object({
  path: z.string().meta({ description: 'The offending field, dot-separated (`title`, `tags.2`).' }),
  message: z.string(),
})

export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: 'about:blank' }),
    title: z.string().meta({ example: 'Bad Request' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().meta({ example: 'The request body is not valid.' }),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem. It never repeats a value that was sent.',
  })

export type Problem = z.infer<typeof ProblemSchema>

export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function problem(status: number, detail: string, errors?: Problem['errors']): Problem {
  return {
    type: 'about:blank',
    title: STATUS_TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  }
}

/** A response entry documenting a problem+json answer, for a route's `schema.response`. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } }
}
