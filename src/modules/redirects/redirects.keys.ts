/**
 * The old addresses of an imported post as lookup keys, and the keys to try for an address a frontend was asked
 * for. Both sides normalize the same way (percent-decoded, NFC, lower-cased, no trailing slash, no host), so
 * `https://old.example/2017/11/01/%D8%A8…/` and `/2017/11/01/ب…` find the same article.
 */
import { isIdLike, slugify } from '../../lib/slug.js'

/** Longer keys are not stored: no WordPress address is that long, and a key is a primary key. */
const MAX_KEY_LENGTH = 2000

// First path segments of WordPress addresses that are not posts: their last segment is not a post's slug.
const NOT_POSTS = new Set([
  'tag',
  'category',
  'author',
  'page',
  'feed',
  'search',
  'wp-content',
  'wp-admin',
  'wp-includes',
])

/**
 * Percent-decoding that survives what WordPress stores: a slug cut at 200 bytes can end inside an escape (`%d`) or
 * inside a character's bytes; what cannot be decoded is dropped rather than failing the whole text.
 */
export function decodePercentEncoded(text: string): string {
  if (!text.includes('%')) return text
  const bytes: number[] = []
  const encoder = new TextEncoder()
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3)
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16))
        i += 3
        continue
      }
      // A cut escape at the very end is dropped; a lone % elsewhere is text.
      if (i + 3 > text.length) break
    }
    const codePoint = text.codePointAt(i) as number
    const char = String.fromCodePoint(codePoint)
    bytes.push(...encoder.encode(char))
    i += char.length
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes)).replace(/\uFFFD/g, '')
}

function parse(address: string): URL | null {
  try {
    return new URL(address, 'http://localhost/')
  } catch {
    return null
  }
}

/** `/2017/11/01/slug` from any form of the address; null for the site's root. */
function normalizedPath(url: URL): string | null {
  let path = decodePercentEncoded(url.pathname).normalize('NFC').toLowerCase()
  path = path.replace(/\/{2,}/g, '/').replace(/\/+$/, '')
  // PATH_INFO permalinks (`/index.php/2017/…`) name the same post as the pretty ones.
  path = path.replace(/^\/index\.php(?=\/|$)/, '')
  if (path === '') return null
  return path.startsWith('/') ? path : `/${path}`
}

/** The slug an address names in its last segment, unless it is a tag, category, author… page. */
function slugIn(path: string): string | null {
  const segments = path.split('/').filter(Boolean)
  const last = segments.at(-1)
  if (!last || NOT_POSTS.has(segments[0] as string)) return null
  const slug = slugify(last)
  return slug && !isIdLike(slug) ? slug : null
}

const keep = (keys: (string | null)[]) => [
  ...new Set(keys.filter((key): key is string => key !== null && key.length <= MAX_KEY_LENGTH)),
]

export interface PostAddresses {
  wpId: number
  /** `<link>`: the permalink when it was exported. */
  link: string
  guid: string
  /** The post's WordPress slug and its old ones (`_wp_old_slug`), decoded and normalized. */
  slugs: string[]
}

/** The keys an imported post answers to. */
export function postKeys(post: PostAddresses): string[] {
  const keys: (string | null)[] = [`p:${post.wpId}`]
  const guid = post.guid.trim()
  if (guid) keys.push(`guid:${guid}`)
  for (const address of [post.link.trim(), guid]) {
    const url = address ? parse(address) : null
    // `https://example.com/?p=123` is p:123, not the site's root; a query names no permalink.
    const path = url && url.search === '' ? normalizedPath(url) : null
    if (path) keys.push(`path:${path}`)
  }
  for (const slug of post.slugs) if (slug) keys.push(`slug:${slug}`)
  return keep(keys)
}

/**
 * The keys to try for an old address, best first: the exact guid, `?p=123` and `/archives/123`, the whole
 * path, then the slug in its last segment. `slug` is that last candidate, to try as a current slug too.
 */
export function lookupKeys(from: string): { keys: string[]; slug: string | null } {
  const address = from.trim()
  const keys: (string | null)[] = [`guid:${address}`]
  const url = parse(address)
  if (!url) return { keys: keep(keys), slug: null }
  const p = url.searchParams.get('p')
  if (p && /^[0-9]{1,19}$/.test(p)) keys.push(`p:${Number(p)}`)
  const path = normalizedPath(url)
  const archive = path ? /(?:^|\/)archives\/([0-9]{1,19})$/.exec(path) : null
  if (archive) keys.push(`p:${Number(archive[1])}`)
  if (path) keys.push(`path:${path}`)
  const slug = path ? slugIn(path) : null
  if (slug) keys.push(`slug:${slug}`)
  return { keys: keep(keys), slug }
}
