/**
 * Reads a WordPress export (WXR) as a stream: bytes → UTF-8 text without the characters XML 1.0 forbids →
 * saxes (strict, namespace-aware) → one finished child of <channel> at a time (the site's fields, each author,
 * term and item). Nothing else of the document is kept, so memory stays bounded whatever the file's size.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream'
import { SaxesParser, type SaxesTagNS } from 'saxes'

/** The namespaces a WXR uses, by role: prefixes vary between exports, and so do the WordPress URIs. */
export type WxrNamespace = 'wp' | 'excerpt' | 'content' | 'dc' | 'wfw' | '' | 'other'

// WXR 1.0, 1.1 and 1.2 all occur, over http and https: `https://wordpress.org/export/1.2/`.
const WP_NAMESPACE = /^https?:\/\/(www\.)?wordpress\.org\/export\/[0-9.]+\/?$/i
const EXCERPT_NAMESPACE = /^https?:\/\/(www\.)?wordpress\.org\/export\/[0-9.]+\/excerpt\/?$/i
const CONTENT_NAMESPACE = /^https?:\/\/purl\.org\/rss\/1\.0\/modules\/content\/?$/i
const DC_NAMESPACE = /^https?:\/\/purl\.org\/dc\/elements\/1\.1\/?$/i
const WFW_NAMESPACE = /^https?:\/\/wellformedweb\.org\/CommentAPI\/?$/i

function namespaceOf(uri: string): WxrNamespace {
  if (uri === '') return ''
  if (WP_NAMESPACE.test(uri)) return 'wp'
  if (EXCERPT_NAMESPACE.test(uri)) return 'excerpt'
  if (CONTENT_NAMESPACE.test(uri)) return 'content'
  if (DC_NAMESPACE.test(uri)) return 'dc'
  if (WFW_NAMESPACE.test(uri)) return 'wfw'
  return 'other'
}

/** One element with its text (text and CDATA joined, so split CDATA reads as one) and its children. */
export interface WxrNode {
  ns: WxrNamespace
  name: string
  attributes: Record<string, string>
  text: string
  children: WxrNode[]
}

/** The first child named so, in that namespace. */
export function child(node: WxrNode, ns: WxrNamespace, name: string): WxrNode | undefined {
  return node.children.find((c) => c.ns === ns && c.name === name)
}

/** The text of the first child named so, or '' when there is none. */
export function textOf(node: WxrNode, ns: WxrNamespace, name: string): string {
  return child(node, ns, name)?.text ?? ''
}

export function childrenNamed(node: WxrNode, ns: WxrNamespace, name: string): WxrNode[] {
  return node.children.filter((c) => c.ns === ns && c.name === name)
}

/** The file is not a WordPress export, or its XML is broken: nothing after this point is read. */
export class WxrError extends Error {
  override name = 'WxrError'
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`)
  }
}

// XML 1.0 allows tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF. Text decoded from UTF-8 never
// holds a lone surrogate (a bad byte becomes U+FFFD), so the C0 controls and U+FFFE/U+FFFF are what is left.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/**
 * Bytes in, UTF-8 text out, without the characters XML 1.0 forbids (pasted Word text is full of them), which a
 * strict parser would otherwise stop at. Counts what it drops and the bytes it has read. Blank lines before the
 * XML declaration (a plugin's stray output, a common reason WordPress exports fail to import) are dropped too.
 */
export class XmlCharFilter extends Transform {
  bytesRead = 0
  dropped = 0
  #decoder = new TextDecoder('utf-8')
  #started = false

  constructor() {
    super({ readableObjectMode: true })
  }

  #clean(text: string): string {
    let out = text.replace(FORBIDDEN, () => {
      this.dropped++
      return ''
    })
    if (!this.#started) {
      out = out.replace(/^\s+/, '')
      if (out !== '') this.#started = true
    }
    return out
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesRead += chunk.length
    const text = this.#clean(this.#decoder.decode(chunk, { stream: true }))
    if (text !== '') this.push(text)
    callback()
  }

  override _flush(callback: TransformCallback): void {
    const text = this.#clean(this.#decoder.decode())
    if (text !== '') this.push(text)
    callback()
  }
}

/** A finished child of <channel>, and where the reader stands. */
export interface WxrEntry {
  node: WxrNode
}

export interface WxrReadStats {
  /** Bytes of the file read so far. */
  bytesRead: number
  /** Characters XML 1.0 forbids, dropped before parsing. */
  dropped: number
  /** <item> elements opened so far. */
  itemsSeen: number
}

/**
 * Yields every direct child of <channel> once it is complete, in document order; the consumer may await between
 * entries and the file is read no further meanwhile. Throws a WxrError when the file is not WXR (a root other than
 * <rss>, no WordPress export namespace) or when its XML is broken, after yielding what came complete before.
 */
export async function* readWxr(input: Readable, stats: WxrReadStats): AsyncGenerator<WxrEntry> {
  const filter = new XmlCharFilter()
  input.on('error', (error) => filter.destroy(error))
  const text = input.pipe(filter)
  const parser = new SaxesParser({ xmlns: true, position: true })
  const ready: WxrEntry[] = []
  // The open elements below <channel>: the entry being built and its open descendants.
  const stack: WxrNode[] = []
  let depth = 0
  let sawWordPress = false
  let inChannel = false

  const fail = (message: string): never => {
    throw new WxrError(message, parser.line)
  }

  parser.on('xmldecl', (decl) => {
    if (decl.encoding && !/^utf-?8$/i.test(decl.encoding))
      fail(`the export is encoded as ${decl.encoding.slice(0, 40)}; only UTF-8 is read`)
  })
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++
    const ns = namespaceOf(tag.uri)
    if (ns === 'wp') sawWordPress = true
    if (depth === 1) {
      if (tag.local !== 'rss' || ns !== '')
        fail(`not a WordPress export: the root element is <${tag.name.slice(0, 40)}>, not <rss>`)
      for (const uri of Object.values(tag.ns)) if (namespaceOf(uri) === 'wp') sawWordPress = true
      return
    }
    if (depth === 2) {
      inChannel = tag.local === 'channel' && ns === ''
      return
    }
    if (!inChannel) return
    if (depth === 3 && tag.local === 'item' && ns === '') {
      stats.itemsSeen++
      if (!sawWordPress) fail('not a WordPress export: no WordPress export namespace before the first <item>')
    }
    const attributes: Record<string, string> = {}
    for (const attribute of Object.values(tag.attributes)) attributes[attribute.local] = attribute.value
    const node: WxrNode = { ns, name: tag.local, attributes, text: '', children: [] }
    stack.at(-1)?.children.push(node)
    stack.push(node)
  })
  const addText = (value: string) => {
    const node = stack.at(-1)
    if (node) node.text += value
  }
  parser.on('text', addText)
  parser.on('cdata', addText)
  parser.on('closetag', () => {
    depth--
    if (depth === 1) inChannel = false
    if (stack.length === 0) return
    const node = stack.pop() as WxrNode
    if (stack.length === 0) ready.push({ node })
  })

  try {
    for await (const chunk of text) {
      try {
        parser.write(chunk as string)
      } finally {
        stats.bytesRead = filter.bytesRead
        stats.dropped = filter.dropped
      }
      // What came complete before a parse error is still handed over; the error follows.
      while (ready.length > 0) yield ready.shift() as WxrEntry
    }
    parser.close()
  } catch (error) {
    while (ready.length > 0) yield ready.shift() as WxrEntry
    if (error instanceof WxrError) throw error
    const message = error instanceof Error ? error.message : String(error)
    // saxes writes `line:column: message`.
    const match = /^(\d+):(\d+): (.*)$/s.exec(message)
    if (match) throw new WxrError(`the XML is broken: ${match[3]}`, Number(match[1]))
    throw new WxrError(`the file could not be read: ${message}`)
  }
  stats.dropped = filter.dropped
  while (ready.length > 0) yield ready.shift() as WxrEntry
  if (!sawWordPress) throw new WxrError('not a WordPress export: no WordPress export namespace')
}
