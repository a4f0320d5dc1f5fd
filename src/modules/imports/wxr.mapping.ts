/**
 * What a WordPress item means in Sahifa (the contract's mapping table, ../shared/spec/api.md "Leaving
 * WordPress"): pure functions from the reader's nodes to the services' inputs, with the reasons an item is skipped
 * and the warnings it carries. No I/O here.
 */
import sanitizeHtml from 'sanitize-html'
import { HttpUrlSchema } from '../../lib/schemas.js'
import { isIdLike, slugify } from '../../lib/slug.js'
import { decodePercentEncoded } from '../redirects/redirects.keys.js'
import { childrenNamed, textOf, type WxrNode } from './wxr.reader.js'

/** The title an item gets when it has neither a title nor a slug. */
export const UNTITLED = '(بدون عنوان)'
/** The name WordPress shows for a comment without one. */
export const ANONYMOUS = 'Anonymous'
/** Why a post in WordPress's trash is not imported. */
export const TRASHED = 'in the trash'
/** The most tags an article takes (CreateArticleBodySchema). */
export const MAX_TAGS = 50
/** The longest excerpt an article takes (CreateArticleBodySchema). */
export const MAX_EXCERPT = 1000

// The oldest and newest times Sahifa stores (the contract's Hardening section).
const MIN_TIME = Date.UTC(1970, 0, 1)
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** The site an export comes from, as records key it: its base blog URL, lower-cased, no trailing slash. */
export function siteKey(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '')
}

/** `2017-11-01 09:30:00` (WordPress's MySQL DATETIME) as ISO UTC; null for `0000-00-00 00:00:00` and nonsense. */
export function wpTime(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim())
  if (!match) return null
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[]
  const time = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second)
  const date = new Date(time)
  // 2017-02-30 rolls over to March in Date.UTC: such a date is not one WordPress wrote.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== (month as number) - 1) return null
  if (time < MIN_TIME || time > MAX_TIME) return null
  return date.toISOString()
}

const ESCAPED: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }

/**
 * Text without markup, every HTML entity decoded (`&#8217;`, `&nbsp;`, `&amp;`). sanitize-html decodes entities
 * as it parses and escapes only &, <, > and " again, which are undone here.
 */
function stripTags(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ['script', 'style'],
  }).replace(/&(amp|lt|gt|quot);/g, (entity) => ESCAPED[entity] ?? entity)
}

/** A title, a term's or a commenter's name: markup stripped, entities decoded, one line. */
export function plainLine(html: string): string {
  return stripTags(html).replace(/\s+/g, ' ').trim()
}

/** A comment's text: markup stripped, entities decoded, paragraphs and line breaks kept. */
export function plainComment(html: string): string {
  const marked = html
    .replace(/\r\n?/g, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*/gi, '\n\n')
  return stripTags(marked)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** A WordPress slug (`post_name`, a term's nicename) decoded: `%d8%a8…` → Arabic, normalized as Sahifa's. */
export function decodeSlug(value: string): string {
  return slugify(decodePercentEncoded(value.trim()))
}

// Block editor delimiters (`<!-- wp:paragraph -->`, `<!-- /wp:paragraph -->`) and the classic editor's markers.
const EDITOR_COMMENTS = /<!--\s*\/?wp:[\s\S]*?-->|<!--\s*(more|nextpage|noteaser)\b[\s\S]*?-->/g
const BLOCK_TAGS =
  'table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|' +
  'address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|' +
  'figcaption|details|menu|summary|iframe|video|audio|object|script'
const BLOCK_OPEN = new RegExp(`(<(?:${BLOCK_TAGS})[\\s/>])`, 'gi')
const BLOCK_CLOSE = new RegExp(`(</(?:${BLOCK_TAGS})>)`, 'gi')
const STARTS_WITH_BLOCK = new RegExp(`^</?(?:${BLOCK_TAGS})[\\s/>]`, 'i')

/**
 * WordPress's `wpautop`, in short: classic-editor content marks paragraphs with blank lines, not <p>, and shows
 * line breaks as <br>. Without this, a classic post would render as one paragraph.
 */
export function autoParagraphs(html: string): string {
  const pres: string[] = []
  let text = html.replace(/\r\n?/g, '\n').replace(/<pre[\s>][\s\S]*?<\/pre>/gi, (pre) => {
    pres.push(pre)
    return `\uE000${pres.length - 1}\uE000`
  })
  text = text.replace(BLOCK_OPEN, '\n\n$1').replace(BLOCK_CLOSE, '$1\n\n')
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((chunk) => chunk.trim())
    .filter(Boolean)
    .map((chunk) =>
      STARTS_WITH_BLOCK.test(chunk) || /^\uE000\d+\uE000$/.test(chunk)
        ? chunk
        : `<p>${chunk.replace(/\n/g, '<br />\n')}</p>`,
    )
  return paragraphs.join('\n').replace(/\uE000(\d+)\uE000/g, (_, index: string) => pres[Number(index)] ?? '')
}

/** `[caption …]<img …> Text[/caption]` → <figure> with its <figcaption>, as WordPress renders it. */
function captions(html: string): string {
  return html.replace(
    /\[caption([^\]]*)\]([\s\S]*?)\[\/caption\]/gi,
    (_, attributes: string, inner: string) => {
      const media = /^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)([\s\S]*)$/i.exec(inner)
      const given = /\bcaption="([^"]*)"/i.exec(attributes)?.[1]
      const image = media ? media[1] : inner
      const caption = (media?.[2] ?? '').trim() || given || ''
      return `<figure>${image}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
    },
  )
}

// Core shortcodes with no HTML of their own: left as text, and said so in the report.
const KEPT_SHORTCODES = /\[(gallery|audio|video|playlist|embed)\b/gi

/** `content:encoded` as an HTML body: editor comments dropped, captions as figures, classic paragraphs made. */
export function articleBody(content: string): { body: string; shortcodes: string[] } {
  const isBlocks = /<!--\s*wp:/.test(content)
  let body = captions(content.replace(EDITOR_COMMENTS, ''))
  if (!isBlocks) body = autoParagraphs(body)
  body = body.replace(/\n{3,}/g, '\n\n').trim()
  const shortcodes = [
    ...new Set([...body.matchAll(KEPT_SHORTCODES)].map((m) => (m[1] as string).toLowerCase())),
  ]
  return { body, shortcodes }
}

/** The terms a post is filed under, as its <category> elements name them. */
export interface TermRef {
  taxonomy: 'category' | 'post_tag'
  /** The nicename, decoded. */
  slug: string
  name: string
}

/** A term as the export's header declares it. */
export interface DeclaredTerm {
  id: number
  taxonomy: string
  slug: string
  name: string
}

/** A term's key in the header's map: taxonomy and decoded slug. */
export const termKey = (taxonomy: string, slug: string) => `${taxonomy}:${slug}`

/** `<wp:category>`, `<wp:tag>` and `<wp:term>` of the header. */
export function declaredTerm(node: WxrNode): DeclaredTerm | null {
  const id = Number(textOf(node, 'wp', 'term_id').trim())
  if (!Number.isSafeInteger(id) || id <= 0) return null
  if (node.name === 'category')
    return {
      id,
      taxonomy: 'category',
      slug: decodeSlug(textOf(node, 'wp', 'category_nicename')),
      name: plainLine(textOf(node, 'wp', 'cat_name')),
    }
  if (node.name === 'tag')
    return {
      id,
      taxonomy: 'post_tag',
      slug: decodeSlug(textOf(node, 'wp', 'tag_slug')),
      name: plainLine(textOf(node, 'wp', 'tag_name')),
    }
  return {
    id,
    taxonomy: textOf(node, 'wp', 'term_taxonomy').trim(),
    slug: decodeSlug(textOf(node, 'wp', 'term_slug')),
    name: plainLine(textOf(node, 'wp', 'term_name')),
  }
}

/** WordPress's post id of an item, or null when it has none that Sahifa can keep. */
export function wpIdOf(node: WxrNode, name = 'post_id'): number | null {
  const id = Number(textOf(node, 'wp', name).trim())
  return Number.isSafeInteger(id) && id > 0 ? id : null
}

function meta(item: WxrNode, key: string): string[] {
  return childrenNamed(item, 'wp', 'postmeta')
    .filter((node) => textOf(node, 'wp', 'meta_key').trim() === key)
    .map((node) => textOf(node, 'wp', 'meta_value').trim())
}

export interface MappedComment {
  wpId: number
  parentWpId: number | null
  values: {
    authorName: string
    authorEmail: string
    authorUrl: string | null
    body: string
    status: 'pending' | 'approved' | 'spam' | 'trash'
    clientIp: string | null
    /** null: the export gave no usable date (the import's time is taken). */
    createdAt: string | null
  }
  warnings: string[]
}

export type CommentMapping = { skip: string } | MappedComment

const APPROVED: Record<string, MappedComment['values']['status']> = {
  '1': 'approved',
  '0': 'pending',
  spam: 'spam',
  trash: 'trash',
  'post-trashed': 'trash',
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** A `<wp:comment>`: pingbacks and trackbacks are skipped; e-mail and IP are kept for moderation only. */
export function mapComment(node: WxrNode): CommentMapping {
  const wpId = wpIdOf(node, 'comment_id')
  if (wpId === null) return { skip: 'no comment id' }
  const type = textOf(node, 'wp', 'comment_type').trim().toLowerCase()
  if (type === 'pingback' || type === 'trackback') return { skip: type }
  const warnings: string[] = []
  const approved = textOf(node, 'wp', 'comment_approved').trim().toLowerCase()
  let status = APPROVED[approved]
  if (!status) {
    warnings.push('unknown approval status: filed as pending')
    status = 'pending'
  }
  const parent = Number(textOf(node, 'wp', 'comment_parent').trim() || '0')
  const email = textOf(node, 'wp', 'comment_author_email').trim()
  const ip = textOf(node, 'wp', 'comment_author_IP').trim()
  const url = textOf(node, 'wp', 'comment_author_url').trim()
  let authorUrl: string | null = null
  if (url && url !== 'http://' && url !== 'https://') {
    if (URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)) authorUrl = new URL(url).href
    else warnings.push('author URL is not an http(s) URL: dropped')
  }
  return {
    wpId,
    parentWpId: Number.isSafeInteger(parent) && parent > 0 ? parent : null,
    values: {
      authorName: plainLine(textOf(node, 'wp', 'comment_author')) || ANONYMOUS,
      authorEmail: EMAIL.test(email) && email.length <= 254 ? email : '',
      authorUrl,
      body: plainComment(textOf(node, 'wp', 'comment_content')),
      status,
      clientIp: ip ? ip.slice(0, 45) : null,
      createdAt: wpTime(textOf(node, 'wp', 'comment_date_gmt')) ?? wpTime(textOf(node, 'wp', 'comment_date')),
    },
    warnings,
  }
}

/** Comments with each parent before its replies (an export may list a reply first). */
export function parentsFirst<T extends { wpId: number; parentWpId: number | null }>(comments: T[]): T[] {
  const byId = new Map(comments.map((comment) => [comment.wpId, comment]))
  const done = new Set<number>()
  const ordered: T[] = []
  const visit = (comment: T, path: Set<number>) => {
    if (done.has(comment.wpId) || path.has(comment.wpId)) return
    path.add(comment.wpId)
    const parent = comment.parentWpId === null ? undefined : byId.get(comment.parentWpId)
    if (parent) visit(parent, path)
    done.add(comment.wpId)
    ordered.push(comment)
  }
  for (const comment of comments) visit(comment, new Set())
  return ordered
}

/** What a post item becomes: the article's fields before the services see them, and what rides along. */
export interface MappedPost {
  wpId: number
  guid: string
  link: string
  /** The WordPress slug decoded (undefined: none usable, derive from the title). */
  slug: string | undefined
  oldSlugs: string[]
  input: {
    title: string
    body: string
    bodyFormat: 'html'
    excerpt?: string
    author: string | null
    status: 'draft' | 'published'
    publishedAt: string | null
    commentsEnabled: boolean
    tags: string[]
  }
  /** null: the export gave no usable time (the import's time is taken). */
  createdAt: string | null
  updatedAt: string | null
  thumbnailWpId: number | null
  terms: TermRef[]
  comments: WxrNode[]
  warnings: string[]
}

export type ItemMapping =
  | { kind: 'post'; post: MappedPost }
  | { kind: 'attachment'; wpId: number; guid: string; url: string | null; warnings: string[] }
  | { kind: 'post' | 'attachment' | 'other'; wpId: number | null; skip: string; comments: WxrNode[] }

export interface MappingContext {
  /** Author logins to display names, from the header. */
  authors: Map<string, string>
}

function authorOf(login: string, authors: Map<string, string>): string | null {
  const written = login.trim()
  if (!written) return null
  // Two values in WordPress's own test export read `>themereviewteam` and `themereviewteam>`.
  const repaired = written.replace(/^[<>\s]+|[<>\s]+$/g, '')
  return authors.get(written) ?? authors.get(repaired) ?? written
}

/** A URL an article may take as its cover, by the API's own rule. */
function isHttpUrl(value: string): boolean {
  return HttpUrlSchema.safeParse(value).success
}

/** An `<item>` of the export: a post, an attachment (kept for its URL), or something Sahifa does not import. */
export function mapItem(item: WxrNode, context: MappingContext): ItemMapping {
  const type = textOf(item, 'wp', 'post_type').trim() || 'post'
  const wpId = wpIdOf(item)
  const comments = childrenNamed(item, 'wp', 'comment')
  const guid = textOf(item, '', 'guid').trim()
  if (type === 'attachment') {
    if (wpId === null) return { kind: 'attachment', wpId, skip: 'no post id', comments }
    const url = textOf(item, 'wp', 'attachment_url').trim() || guid
    const ok = isHttpUrl(url)
    return {
      kind: 'attachment',
      wpId,
      guid,
      url: ok ? url : null,
      warnings: ok ? [] : ['its URL is not an http(s) URL: cannot be a cover image'],
    }
  }
  if (type !== 'post') return { kind: 'other', wpId, skip: `post type ${type.slice(0, 40)}`, comments }
  if (wpId === null) return { kind: 'post', wpId, skip: 'no post id', comments }

  const warnings: string[] = []
  const wpStatus = textOf(item, 'wp', 'status').trim() || 'draft'
  if (wpStatus === 'trash') return { kind: 'post', wpId, skip: TRASHED, comments }
  if (wpStatus === 'auto-draft') return { kind: 'post', wpId, skip: 'an auto-draft', comments }
  const password = textOf(item, 'wp', 'post_password')
  let status: 'draft' | 'published' = wpStatus === 'publish' || wpStatus === 'future' ? 'published' : 'draft'
  if (!['publish', 'future', 'draft', 'pending', 'private'].includes(wpStatus))
    warnings.push(`status ${wpStatus.slice(0, 40)}: imported as a draft`)
  if (password !== '' && status === 'published') {
    warnings.push('password-protected: imported as a draft')
    status = 'draft'
  }

  const postDate = wpTime(textOf(item, 'wp', 'post_date'))
  const postDateGmt = wpTime(textOf(item, 'wp', 'post_date_gmt'))
  const modifiedGmt = wpTime(textOf(item, 'wp', 'post_modified_gmt'))
  let publishedAt: string | null = null
  if (status === 'published') {
    publishedAt = postDateGmt
    if (publishedAt === null && postDate !== null) {
      warnings.push('no GMT date: post_date taken as UTC')
      publishedAt = postDate
    }
  }
  // A never-published draft has 0000-00-00 as its GMT date; its modified time is still a real one.
  const createdAt = postDateGmt ?? modifiedGmt ?? postDate
  let updatedAt = modifiedGmt ?? createdAt
  if (createdAt !== null && updatedAt !== null && updatedAt < createdAt) updatedAt = createdAt

  const rawSlug = textOf(item, 'wp', 'post_name')
  let slug: string | undefined = decodeSlug(rawSlug) || undefined
  if (slug !== undefined && isIdLike(slug)) {
    warnings.push('its slug is only digits (it would read as an id): slug derived from the title')
    slug = undefined
  }
  let title = plainLine(textOf(item, '', 'title'))
  if (!title) title = slug ?? UNTITLED

  const { body: converted, shortcodes } = articleBody(textOf(item, 'content', 'encoded'))
  for (const name of shortcodes) warnings.push(`shortcode [${name}] kept as text`)
  // The contract wants a body; an empty WordPress post still is one.
  const body = converted || '<p></p>'
  let excerpt = plainComment(textOf(item, 'excerpt', 'encoded'))
  if (excerpt.length > MAX_EXCERPT) {
    warnings.push(`excerpt of ${excerpt.length} characters: cut at ${MAX_EXCERPT}`)
    excerpt = `${excerpt.slice(0, MAX_EXCERPT - 1)}…`
  }

  const terms: TermRef[] = []
  const tags: string[] = []
  const seen = new Set<string>()
  for (const node of childrenNamed(item, '', 'category')) {
    // WXR 1.0 (WordPress 2.x) names the tag taxonomy `tag`, as WordPress's own importer reads it.
    const domain = node.attributes.domain === 'tag' ? 'post_tag' : (node.attributes.domain ?? 'category')
    if (domain !== 'category' && domain !== 'post_tag') continue
    const name = plainLine(node.text)
    const tagSlug = slugify(name)
    if (!name) continue
    if (!tagSlug || isIdLike(tagSlug) || name.length > 100) {
      warnings.push(`term "${name.slice(0, 40)}" cannot be a tag (empty, digits only or too long): left out`)
      continue
    }
    terms.push({ taxonomy: domain, slug: decodeSlug(node.attributes.nicename ?? '') || tagSlug, name })
    if (seen.has(tagSlug)) continue
    seen.add(tagSlug)
    tags.push(name)
  }
  if (tags.length > MAX_TAGS) {
    warnings.push(`${tags.length} tags and categories: the first ${MAX_TAGS} kept`)
    tags.length = MAX_TAGS
  }

  const thumbnail = Number(meta(item, '_thumbnail_id')[0] ?? '')
  return {
    kind: 'post',
    post: {
      wpId,
      guid,
      link: textOf(item, '', 'link').trim(),
      slug,
      oldSlugs: [...new Set(meta(item, '_wp_old_slug').map(decodeSlug).filter(Boolean))],
      input: {
        title,
        body,
        bodyFormat: 'html',
        ...(excerpt ? { excerpt } : {}),
        author: authorOf(textOf(item, 'dc', 'creator'), context.authors),
        status,
        publishedAt,
        commentsEnabled: textOf(item, 'wp', 'comment_status').trim() !== 'closed',
        tags,
      },
      createdAt,
      updatedAt,
      thumbnailWpId: Number.isSafeInteger(thumbnail) && thumbnail > 0 ? thumbnail : null,
      terms: terms.filter((term) => tags.some((name) => slugify(name) === slugify(term.name))),
      comments,
      warnings,
    },
  }
}

/** `<wp:author>` of the header: login → display name. */
export function declaredAuthor(node: WxrNode): [string, string] | null {
  const login = textOf(node, 'wp', 'author_login').trim()
  if (!login) return null
  return [login, plainLine(textOf(node, 'wp', 'author_display_name')) || login]
}
