import { BadRequestError } from './errors.js'
import { ID_MAX } from './schemas.js'

/** Slugs per the contract: kept in their own script (Arabic stays Arabic), decoded, at most 120 code points. */

const TASHKEEL_AND_TATWEEL = /[\u064B-\u065F\u0670\u0640]/g
// Anything that is not a letter, a digit or a combining mark: spaces, punctuation (Arabic ، ؛ ؟ too), symbols.
const SEPARATOR_RUN = /[^\p{L}\p{N}\p{M}]+/gu
const MAX_SLUG_CODE_POINTS = 120

/** Normalizes a title or a given slug into slug form; may return '' when nothing usable is left. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFC')
    .replace(TASHKEEL_AND_TATWEEL, '')
    .toLowerCase()
    .replace(SEPARATOR_RUN, '-')
    .replace(/^-+|-+$/g, '')
  return truncateAtHyphen(slug, MAX_SLUG_CODE_POINTS)
}

function truncateAtHyphen(slug: string, max: number): string {
  const codePoints = Array.from(slug)
  if (codePoints.length <= max) return slug
  const head = codePoints.slice(0, max)
  // Cut at a word boundary when the limit falls inside a word.
  if (codePoints[max] !== '-') {
    const lastHyphen = head.lastIndexOf('-')
    if (lastHyphen > 0) head.length = lastHyphen
  }
  return head.join('').replace(/-+$/, '')
}

/** `{idOrSlug}` is an id when it is all ASCII digits, so a slug must never be. */
export function isIdLike(value: string): boolean {
  return /^[0-9]+$/.test(value)
}

export type IdOrSlug = { id: number } | { slug: string }

/** Reads a path parameter: an id, or a slug given encoded or decoded, normalized like a stored slug. */
export function parseIdOrSlug(value: string): IdOrSlug {
  if (isIdLike(value)) {
    // An id past any that can be stored names nothing; 0 says so without overflowing PostgreSQL's integer.
    const id = Number(value)
    return { id: id <= ID_MAX ? id : 0 }
  }
  let decoded = value
  if (value.includes('%')) {
    try {
      decoded = decodeURIComponent(value)
    } catch {
      // Not percent-encoding after all: look it up as written.
    }
  }
  return { slug: slugify(decoded) }
}

/** The first free of `base`, `base-2`, `base-3`, … (an id-like base starts at -2). */
export function firstFreeSlug(base: string, taken: (slug: string) => boolean): string {
  if (!isIdLike(base) && !taken(base)) return base
  let n = 2
  while (taken(`${base}-${n}`)) n++
  return `${base}-${n}`
}

/** A slug (or a name that becomes one) as an editor gave it, normalized; a 400 naming `path` when unusable. */
export function givenSlug(value: string, path: string): string {
  const slug = slugify(value)
  if (!slug || isIdLike(slug)) {
    throw new BadRequestError('The request body is not valid.', [
      { path, message: 'A slug needs at least one letter (a slug of digits alone would read as an id).' },
    ])
  }
  return slug
}
