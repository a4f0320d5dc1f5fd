/** Page and cursor pagination: the query schema, the `meta` block, and the X-Total-Count / Link headers. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { BadRequestError } from './errors.js'
import { digitsInteger } from './schemas.js'

/** The last page anyone may ask for: far past any real list, and it keeps the offset a small number. */
export const PAGE_MAX = 1_000_000

export const PageQuerySchema = z.object({
  page: digitsInteger((n) =>
    n.min(1, 'Pages start at 1').max(PAGE_MAX, `At most ${PAGE_MAX}`).default(1),
  ).meta({ description: `Page number, from 1 to ${PAGE_MAX.toLocaleString('en')}.`, example: 1 }),
  perPage: digitsInteger((n) => n.min(1, 'At least 1').max(100, 'At most 100').default(20)).meta({
    description: 'Items per page, 1 to 100.',
    example: 20,
  }),
})

/** Whether a page starts at or past the end of a list of `total` items: then no row needs reading. */
export function isPastEnd(offset: number, total: number): boolean {
  return offset >= total
}

export const PageMetaSchema = z
  .object({
    page: z.number().int().optional().meta({ description: 'Absent when the list was read with a cursor.' }),
    perPage: z.number().int(),
    total: z.number().int(),
    totalPages: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Absent when the list was read with a cursor.' }),
    nextCursor: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'Pass as `cursor` to continue after the last item; null on the last page.' }),
  })
  .meta({ id: 'PageMeta', example: { page: 1, perPage: 20, total: 57, totalPages: 3 } })

export type PageMeta = z.infer<typeof PageMetaSchema>

/** `{ data: [...], meta }`, the shape of every paginated list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), meta: PageMetaSchema })
}

export interface Page<T> {
  data: T[]
  meta: PageMeta
}

export function offsetMeta(
  page: number,
  perPage: number,
  total: number,
  nextCursor?: string | null,
): PageMeta {
  return {
    page,
    perPage,
    total,
    totalPages: Math.ceil(total / perPage),
    ...(nextCursor === undefined ? {} : { nextCursor }),
  }
}

/**
 * One page of an offset list whose total is known: the rows are read only when the page starts before the end,
 * so a page past the end costs the count alone.
 */
export async function countedPage<T>(
  query: { page: number; perPage: number },
  total: number,
  read: (window: { limit: number; offset: number }) => Promise<T[]>,
): Promise<Page<T>> {
  const offset = (query.page - 1) * query.perPage
  const data = isPastEnd(offset, total) ? [] : await read({ limit: query.perPage, offset })
  return { data, meta: offsetMeta(query.page, query.perPage, total) }
}

/**
 * Sets X-Total-Count and a Link header with next/prev (and first/last for page lists). The URLs are the route's
 * own path with its parameters percent-encoded, never the raw request URL, whose `>` or `,` would add targets.
 */
export function setPaginationHeaders(request: FastifyRequest, reply: FastifyReply, meta: PageMeta): void {
  reply.header('x-total-count', String(meta.total))
  const links: string[] = []
  const path = canonicalPath(request)
  const query = request.url.split('?', 2)[1] ?? ''
  const link = (changes: Record<string, string | null>, rel: string) =>
    links.push(`<${withQuery(path, query, changes)}>; rel="${rel}"`)
  if (meta.page === undefined) {
    if (meta.nextCursor) link({ cursor: meta.nextCursor, page: null }, 'next')
  } else {
    const totalPages = meta.totalPages ?? 0
    if (meta.page < totalPages) link({ page: String(meta.page + 1), cursor: null }, 'next')
    if (meta.page > 1 && totalPages > 0)
      link({ page: String(Math.min(meta.page - 1, totalPages)), cursor: null }, 'prev')
    if (totalPages > 0) {
      link({ page: '1', cursor: null }, 'first')
      link({ page: String(totalPages), cursor: null }, 'last')
    }
  }
  if (links.length > 0) reply.header('link', links.join(', '))
}

/** `/v1/articles/:idOrSlug/comments` with each parameter as the router read it, percent-encoded again. */
function canonicalPath(request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, unknown>
  return (request.routeOptions.url ?? '').replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(String(params[name] ?? '')),
  )
}

// URLSearchParams percent-encodes everything but letters, digits and `*-._`, so no query value can close a target.
function withQuery(path: string, query: string, changes: Record<string, string | null>): string {
  const params = new URLSearchParams(query)
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) params.delete(key)
    else params.set(key, value)
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

/** An opaque keyset position: the sort it belongs to, the sort key of the last item, and its id. */
export interface CursorPosition {
  sort: string
  value: string | number | null
  id: number
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.value, position.id])).toString('base64url')
}

export function decodeCursor(cursor: string, sort: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(parsed) && parsed.length === 3) {
      const [cursorSort, value, id] = parsed
      // A NUL could never be a stored sort key, and PostgreSQL refuses to compare text holding one.
      const valueOk =
        value === null ||
        (typeof value === 'string' && !value.includes('\u0000')) ||
        typeof value === 'number'
      if (cursorSort === sort && valueOk && Number.isSafeInteger(id)) return { sort, value, id }
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw new BadRequestError('The query string is not valid.', [
    { path: 'cursor', message: 'Not a cursor from a previous answer with the same sort.' },
  ])
}
