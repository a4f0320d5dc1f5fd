/** Page and cursor pagination: the query schema, the `meta` block, and the X-Total-Count / Link headers. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { BadRequestError } from './errors.js'

export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1).meta({ description: 'Page number, from 1.', example: 1 }),
  perPage: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({ description: 'Items per page, 1 to 100.', example: 20 }),
})

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

/** Sets X-Total-Count and a Link header with next/prev (and first/last for page lists) relative to this URL. */
export function setPaginationHeaders(request: FastifyRequest, reply: FastifyReply, meta: PageMeta): void {
  reply.header('x-total-count', String(meta.total))
  const links: string[] = []
  const link = (changes: Record<string, string | null>, rel: string) =>
    links.push(`<${withQuery(request.url, changes)}>; rel="${rel}"`)
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

function withQuery(url: string, changes: Record<string, string | null>): string {
  const [path, query = ''] = url.split('?', 2) as [string, string?]
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
      const valueOk = value === null || typeof value === 'string' || typeof value === 'number'
      if (cursorSort === sort && valueOk && Number.isSafeInteger(id)) return { sort, value, id }
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw new BadRequestError('The query string is not valid.', [
    { path: 'cursor', message: 'Not a cursor from a previous answer with the same sort.' },
  ])
}
