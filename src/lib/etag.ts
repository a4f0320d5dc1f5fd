/** Strong ETags over the exact bytes served, and the If-None-Match / If-Match comparisons (RFC 9110). */
import { createHash } from 'node:crypto'

export function strongEtag(payload: string | Buffer): string {
  return `"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`
}

function listed(header: string): string[] {
  return header.split(',').map((tag) => tag.trim())
}

/** If-None-Match uses the weak comparison: a W/ prefix is ignored. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return listed(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag)
}

/** If-Match uses the strong comparison: a weak tag never matches. */
export function ifMatch(header: string, etag: string): boolean {
  return listed(header).some((tag) => tag === '*' || tag === etag)
}
