/** Route documentation helpers: security requirements and the problem answers each route lists. */
import { problemResponse } from './problem.js'

/** Readable by anyone; a token, when sent, must be valid and unlocks drafts. */
export const OPTIONAL_TOKEN: { [scheme: string]: string[] }[] = [{}, { bearerAuth: [] }]
/** Needs a token. */
export const TOKEN_REQUIRED: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }]

const DESCRIPTIONS: Record<number, string> = {
  400: 'The query, path or body fails validation; `errors` lists every bad field.',
  401: 'No valid token (or an invalid one was sent).',
  403: 'The token’s role may not do this.',
  404: 'No such resource, or not visible to this caller.',
  409: 'Conflicts with an existing resource (a taken slug, an existing link, a duplicate).',
  412: 'The If-Match ETag no longer matches: someone else changed the resource.',
  429: 'Too many requests; see Retry-After.',
  503: 'The database does not answer.',
}

/** `{ 404: problem, 409: problem, … }` for a route's `schema.response`. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, problemResponse(DESCRIPTIONS[status] ?? 'An error.')]),
  ) as Record<number, ReturnType<typeof problemResponse>>
}

/** The URL of a created resource, for the Location header. */
export function locationOf(collection: string, id: number): string {
  return `/v1/${collection}/${id}`
}
