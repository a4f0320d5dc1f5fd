/** Renders an article body to sanitized HTML, and derives its plain text, excerpt and reading time. */
import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

export type BodyFormat = 'markdown' | 'html'

// The targets that stay in this window or its ancestors; any other (`_blank`, `_BLANK`, a name) may open a new one.
const SAME_WINDOW_TARGETS = new Set(['_self', '_parent', '_top'])

// Raw HTML inside Markdown is allowed (WordPress content is full of it); the sanitizer below has the last word.
const markdown = new MarkdownIt({ html: true, linkify: true, breaks: false })

// @see https://github.com/apostrophecms/sanitize-html#default-options
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'figure',
    'figcaption',
    'picture',
    'source',
    'video',
    'audio',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'name', 'target', 'rel'],
    img: ['src', 'srcset', 'alt', 'title', 'width', 'height', 'loading'],
    source: ['src', 'srcset', 'type', 'media'],
    video: ['src', 'controls', 'poster', 'width', 'height'],
    audio: ['src', 'controls'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  // Links that may open a new window must not hand it the opener (reverse tabnabbing), whatever rel was written.
  // Browsers match target keywords ASCII case-insensitively and untrimmed, so ` _self` is a name: a new window.
  transformTags: {
    a: (tagName, attribs) =>
      attribs.target !== undefined && !SAME_WINDOW_TARGETS.has(attribs.target.toLowerCase())
        ? { tagName, attribs: { ...attribs, rel: 'noopener noreferrer' } }
        : { tagName, attribs },
  },
}

export function renderBody(body: string, format: BodyFormat): string {
  const raw = format === 'markdown' ? markdown.render(body) : body
  return sanitizeHtml(raw, SANITIZE_OPTIONS).trim()
}

const BLOCK_END = /<\/(p|div|h[1-6]|li|blockquote|pre|figure|figcaption|tr|table|ul|ol)>|<br\s*\/?>/gi
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
}

/** The text a reader sees, with blocks separated by spaces; input is already sanitized HTML. */
export function plainText(html: string): string {
  const spaced = html.replace(BLOCK_END, (tag) => `${tag} `)
  return sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} })
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, ' ')
    .trim()
}

const EXCERPT_LENGTH = 200

/** About 200 characters of plain text, cut at a word, with an ellipsis when cut. */
export function deriveExcerpt(text: string): string {
  const codePoints = Array.from(text)
  if (codePoints.length <= EXCERPT_LENGTH) return text
  const head = codePoints.slice(0, EXCERPT_LENGTH).join('')
  const lastSpace = head.lastIndexOf(' ')
  const cut = lastSpace > EXCERPT_LENGTH / 2 ? head.slice(0, lastSpace) : head
  return `${cut.replace(/[\s\p{P}]+$/u, '')}…`
}

// Typical silent reading speed; Arabic news prose reads at about the same words per minute as English.
const WORDS_PER_MINUTE = 200

export function readingTimeMinutes(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length
  return Math.max(1, Math.ceil(words / WORDS_PER_MINUTE))
}
