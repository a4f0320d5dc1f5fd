/**
 * The streaming reader and the mapping rules on their own (no database): namespaces, forbidden characters, split
 * CDATA, chunk boundaries, what is not WXR, broken XML, and the WordPress quirks of slugs, dates and content.
 */
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  articleBody,
  autoParagraphs,
  decodeSlug,
  mapComment,
  mapItem,
  parentsFirst,
  plainComment,
  plainLine,
  wpTime,
} from '../../src/modules/imports/wxr.mapping.js'
import { readWxr, textOf, type WxrNode, type WxrReadStats } from '../../src/modules/imports/wxr.reader.js'
import { lookupKeys, postKeys } from '../../src/modules/redirects/redirects.keys.js'
import { arabicText } from '../helpers/wxr.js'

const WP = 'http://wordpress.org/export/1.2/'

function wxr(items: string, namespace = WP, prefix = 'wp') {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:${prefix}="${namespace}" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <${prefix}:wxr_version>1.2</${prefix}:wxr_version>
  <${prefix}:base_blog_url>https://example.com</${prefix}:base_blog_url>
  ${items}
</channel>
</rss>`
}

async function read(text: string, chunkBytes = 1 << 20) {
  const bytes = Buffer.from(text, 'utf8')
  const chunks: Buffer[] = []
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes))
  const stats: WxrReadStats = { bytesRead: 0, dropped: 0, itemsSeen: 0 }
  const nodes: WxrNode[] = []
  let error: unknown = null
  try {
    for await (const { node } of readWxr(Readable.from(chunks), stats)) nodes.push(node)
  } catch (caught) {
    error = caught
  }
  return { nodes, stats, error: error as (Error & { line?: number }) | null }
}

const items = (nodes: WxrNode[]) => nodes.filter((node) => node.name === 'item')

describe('the WXR reader', () => {
  for (const namespace of [
    'http://wordpress.org/export/1.0/',
    'http://wordpress.org/export/1.1/',
    'https://wordpress.org/export/1.2/',
    'https://wordpress.org/export/1.1/',
  ]) {
    it(`reads the WordPress elements under ${namespace}, whatever their prefix`, async () => {
      const text = wxr(`<item><title>A</title><w:post_id>7</w:post_id></item>`, namespace, 'w')
      const { nodes, error } = await read(text)
      expect(error).toBeNull()
      const [item] = items(nodes)
      expect(item && textOf(item, 'wp', 'post_id')).toBe('7')
      expect(nodes.find((node) => node.name === 'base_blog_url')?.ns).toBe('wp')
    })
  }

  it('refuses a file whose root is not <rss>, naming the line', async () => {
    const { nodes, error } = await read('<?xml version="1.0"?>\n<html><body>hello</body></html>')
    expect(nodes).toEqual([])
    expect(error?.name).toBe('WxrError')
    expect(error?.message).toMatch(/^line 2: not a WordPress export: the root element is <html>/)
  })

  it('refuses a plain RSS feed: no WordPress export namespace', async () => {
    const feed = '<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>'
    const { nodes, error } = await read(feed)
    expect(items(nodes)).toEqual([])
    expect(error?.message).toMatch(/not a WordPress export: no WordPress export namespace/)
  })

  it('refuses an export in another namespace that merely looks alike', async () => {
    const { error } = await read(
      wxr('<item><wp:post_id>1</wp:post_id></item>', 'http://example.com/export/1.2/'),
    )
    expect(error?.message).toMatch(/no WordPress export namespace/)
  })

  it('hands over the items before XML that breaks off, then names the line it broke on', async () => {
    const full = wxr('<item><wp:post_id>1</wp:post_id></item>\n<item><wp:post_id>2</wp:post_id></item>')
    const cut = full.slice(0, full.lastIndexOf('<wp:post_id>2'))
    const { nodes, error } = await read(cut)
    expect(items(nodes).map((item) => textOf(item, 'wp', 'post_id'))).toEqual(['1'])
    expect(error?.message).toMatch(/^line 7: the XML is broken: /)
    expect(error?.line).toBe(7)
  })

  it('names the line of a malformed tag in the middle of the file', async () => {
    const text = wxr('<item><wp:post_id>1</wp:post_id></item>\n<item><title>a</titel></item>')
    const { error } = await read(text)
    expect(error?.message).toMatch(/^line 7: the XML is broken/)
  })

  it('drops the characters XML 1.0 forbids, counts them, and keeps the rest of the text', async () => {
    const text = wxr('<item><title>a\u0001b\u000Bc\u001Fd\uFFFEe\tf</title><wp:post_id>1</wp:post_id></item>')
    const { nodes, stats, error } = await read(text)
    expect(error).toBeNull()
    expect(stats.dropped).toBe(4)
    expect(textOf(items(nodes)[0] as WxrNode, '', 'title')).toBe('abcde\tf')
  })

  it('joins CDATA split around a literal ]]>, and text with CDATA', async () => {
    const text = wxr(
      '<item><content:encoded><![CDATA[if (a[b[0]]]]><![CDATA[> 1) x]]></content:encoded><title>a &amp; <![CDATA[b]]></title></item>',
    )
    const [item] = items((await read(text)).nodes)
    expect(item && textOf(item, 'content', 'encoded')).toBe('if (a[b[0]]> 1) x')
    expect(item && textOf(item, '', 'title')).toBe('a & b')
  })

  it('reads the same in chunks of 3 bytes: characters, tags and CDATA cut across chunks', async () => {
    const text = arabicText()
    const whole = await read(text)
    const small = await read(text, 3)
    expect(small.error).toBeNull()
    expect(small.nodes).toEqual(whole.nodes)
    expect(small.stats).toEqual(whole.stats)
    expect(items(small.nodes)).toHaveLength(14)
  })

  it('holds one item at a time: it reads no further ahead than a few chunks, even from a source that never ends', async () => {
    const [head] = wxr('\u0000').split('\u0000') as [string]
    const item = (id: number) =>
      `<item><wp:post_id>${id}</wp:post_id><title>${'ن'.repeat(500)}</title></item>\n`
    let produced = 0
    let producedAt1000 = 0
    // Stops on its own only after 200 MB, which a reader that read the whole file first would take.
    async function* export200Mb() {
      yield Buffer.from(head)
      for (let id = 1; id <= 200_000; id++) {
        const chunk = Buffer.from(item(id))
        produced += chunk.length
        if (id === 1000) producedAt1000 = produced
        yield chunk
      }
    }
    const stats: WxrReadStats = { bytesRead: 0, dropped: 0, itemsSeen: 0 }
    let read = 0
    for await (const { node } of readWxr(Readable.from(export200Mb()), stats)) {
      if (node.name === 'item' && ++read === 1000) break
    }
    // Pulled from the source beyond the 1,000 items handed over: what the streams buffer, some 30 chunks.
    expect(produced - producedAt1000).toBeLessThan(100 * Buffer.byteLength(item(1000)))
    expect(stats.itemsSeen).toBeLessThan(1100)
  })

  it('skips blank lines before the XML declaration (a plugin’s stray output) and a BOM', async () => {
    const { nodes, error } = await read(`\uFEFF\n\n  ${wxr('<item><wp:post_id>1</wp:post_id></item>')}`)
    expect(error).toBeNull()
    expect(items(nodes)).toHaveLength(1)
  })

  it('refuses an export declared in another encoding than UTF-8', async () => {
    const { error } = await read(wxr('').replace('UTF-8', 'ISO-8859-1'))
    expect(error?.message).toMatch(/encoded as ISO-8859-1; only UTF-8 is read/)
  })
})

describe('the mapping', () => {
  it('decodes a slug WordPress cut at 200 bytes, and one cut inside a character or an escape', () => {
    const encoded = '%d8%a8%d9%88%d8%aa%d9%8a%d9%86-%d9%81%d9%8a-%d8%b7%d9%87%d8%b1%d8%a7%d9%86'
    expect(decodeSlug(encoded)).toBe('بوتين-في-طهران')
    expect(decodeSlug(encoded.toUpperCase())).toBe('بوتين-في-طهران')
    // Cut inside the bytes of ن, then inside an escape: what cannot be decoded is dropped.
    expect(decodeSlug(encoded.slice(0, -3))).toBe('بوتين-في-طهرا')
    expect(decodeSlug(`${encoded}-%d`)).toBe('بوتين-في-طهران')
    expect(decodeSlug('hello-world')).toBe('hello-world')
    expect(decodeSlug('')).toBe('')
  })

  it('reads WordPress times as UTC, and 0000-00-00 as none', () => {
    expect(wpTime('2017-11-01 09:30:00')).toBe('2017-11-01T09:30:00.000Z')
    expect(wpTime('0000-00-00 00:00:00')).toBeNull()
    expect(wpTime('2017-02-30 00:00:00')).toBeNull()
    expect(wpTime('1969-12-31 23:59:59')).toBeNull()
    expect(wpTime('soon')).toBeNull()
  })

  it('strips markup from titles and decodes every entity', () => {
    expect(plainLine('Tom &amp; <em>Jerry</em>&nbsp;&#8211; it&#8217;s &quot;x&quot; &lt;3')).toBe(
      // The no-break space is a space like any other in a one-line title.
      'Tom & Jerry – it’s "x" <3',
    )
    expect(plainLine('<script>alert(1)</script>Safe')).toBe('Safe')
  })

  it('keeps a comment’s paragraphs and line breaks as plain text', () => {
    expect(plainComment('<p>one <a href="https://x.example">link</a></p><p>two<br>three</p>')).toBe(
      'one link\n\ntwo\nthree',
    )
  })

  it('makes paragraphs of classic content as wpautop does, leaving block markup and <pre> alone', () => {
    expect(autoParagraphs('one\n\ntwo\nlines\n\n<ul>\n<li>x</li>\n</ul>\n<pre>a\n\nb</pre>')).toBe(
      '<p>one</p>\n<p>two<br />\nlines</p>\n<ul>\n<li>x</li>\n</ul>\n<pre>a\n\nb</pre>',
    )
  })

  it('drops block editor comments and <!--more-->, turns captions into figures, reports kept shortcodes', () => {
    const blocks = articleBody(
      '<!-- wp:paragraph -->\n<p>a</p>\n<!-- /wp:paragraph --><!--more-->[gallery ids="1"]',
    )
    expect(blocks.body).toBe('<p>a</p>\n[gallery ids="1"]')
    expect(blocks.shortcodes).toEqual(['gallery'])
    const caption = articleBody(
      '[caption id="a" width="3"]<a href="https://x.example/i.jpg"><img src="https://x.example/i.jpg" /></a> A view[/caption]',
    )
    expect(caption.body).toBe(
      '<figure><a href="https://x.example/i.jpg"><img src="https://x.example/i.jpg" /></a>\n' +
        '<figcaption>A view</figcaption>\n</figure>',
    )
  })

  it('orders replies after their parents however the export lists them, and survives a cycle', () => {
    const order = parentsFirst([
      { wpId: 3, parentWpId: 2 },
      { wpId: 2, parentWpId: 1 },
      { wpId: 1, parentWpId: null },
      { wpId: 8, parentWpId: 9 },
      { wpId: 9, parentWpId: 8 },
    ]).map((c) => c.wpId)
    expect(order.slice(0, 3)).toEqual([1, 2, 3])
    expect(order.sort()).toEqual([1, 2, 3, 8, 9])
  })

  it('maps comment statuses, skips pingbacks and trackbacks, keeps a bad e-mail out', async () => {
    const node = (approved: string, type = '', email = 'a@example.com') =>
      ({
        ns: 'wp',
        name: 'comment',
        attributes: {},
        text: '',
        children: [
          ['comment_id', '5'],
          ['comment_approved', approved],
          ['comment_type', type],
          ['comment_author_email', email],
          ['comment_content', 'hi'],
          ['comment_date_gmt', '2017-11-01 10:00:00'],
        ].map(([name, text]) => ({ ns: 'wp', name, attributes: {}, text, children: [] })),
      }) as WxrNode
    const status = (approved: string) => {
      const mapped = mapComment(node(approved))
      return 'skip' in mapped ? mapped.skip : mapped.values.status
    }
    expect(['1', '0', 'spam', 'trash', 'post-trashed', 'odd'].map(status)).toEqual([
      'approved',
      'pending',
      'spam',
      'trash',
      'trash',
      'pending',
    ])
    expect(mapComment(node('1', 'pingback'))).toEqual({ skip: 'pingback' })
    expect(mapComment(node('1', 'trackback'))).toEqual({ skip: 'trackback' })
    const bad = mapComment(node('1', '', 'not an address'))
    expect('skip' in bad ? null : bad.values).toMatchObject({ authorEmail: '', authorName: 'Anonymous' })
  })

  it('maps the Arabic fixture’s items to posts, attachments and skips', async () => {
    const { nodes } = await read(arabicText())
    const authors = new Map([
      ['mnour', 'محمد نور الدين'],
      ['sara', 'سارة الخطيب'],
    ])
    const mapped = items(nodes).map((item) => mapItem(item, { authors }))
    const summary = mapped.map((m) =>
      'skip' in m ? `${m.kind}:${m.skip}` : m.kind === 'post' ? `post:${m.post.input.status}` : 'attachment',
    )
    expect(summary).toEqual([
      'post:published',
      'post:published',
      'post:draft',
      'post:published',
      'post:draft',
      'post:draft',
      'post:in the trash',
      'post:draft',
      'post:published',
      'other:post type page',
      'other:post type nav_menu_item',
      'attachment',
      'attachment',
      'post:published',
    ])
    const first = mapped[0]
    if (first?.kind !== 'post' || 'skip' in first) throw new Error('expected a post')
    expect(first.post).toMatchObject({
      slug: 'بوتين-يتجاهل-تهديدات-ترامب-ويبحث-مع-رو',
      oldSlugs: ['بوتين-في-طهران'],
      thumbnailWpId: 301,
      input: { author: 'محمد نور الدين', tags: ['سياسة', 'إيران', 'روسيا', 'الاتفاق النووي'] },
    })
  })
})

describe('old addresses', () => {
  it('are the same keys whether encoded or not, with a host or without, with a trailing slash or not', () => {
    const keys = postKeys({
      wpId: 101,
      link: 'https://akhbar.example/2017/11/01/%D8%A8%D9%88%D8%AA%D9%8A%D9%86/',
      guid: 'https://akhbar.example/?p=101',
      slugs: ['بوتين', 'بوتين-في-طهران'],
    })
    expect(keys).toEqual([
      'p:101',
      'guid:https://akhbar.example/?p=101',
      'path:/2017/11/01/بوتين',
      'slug:بوتين',
      'slug:بوتين-في-طهران',
    ])
    for (const from of [
      '/2017/11/01/بوتين/',
      'http://other.example/2017/11/01/%d8%a8%d9%88%d8%aa%d9%8a%d9%86',
    ]) {
      expect(lookupKeys(from).keys).toContain('path:/2017/11/01/بوتين')
    }
    expect(lookupKeys('/?p=101').keys).toContain('p:101')
    expect(lookupKeys('https://akhbar.example/archives/101').keys).toContain('p:101')
    expect(lookupKeys('/category/news/').slug).toBeNull()
  })
})
