// Table-driven tests for rendering and sanitizing bodies, and for plain text, excerpts and reading time.
import { describe, expect, it } from 'vitest'
import { deriveExcerpt, plainText, readingTimeMinutes, renderBody } from '../../src/lib/html.js'

describe('renderBody sanitizes', () => {
  const attacks: [string, string][] = [
    ['a script tag', '<script>alert(1)</script>'],
    ['a script tag in capitals', '<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>'],
    ['onerror on an image', '<img src="https://example.com/a.jpg" onerror="alert(1)">'],
    ['onclick on a div', '<div onclick="alert(1)">x</div>'],
    ['onload on svg', '<svg onload="alert(1)"></svg>'],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>'],
    ['a mixed-case javascript: link', '<a href="JavaScript:alert(1)">x</a>'],
    ['an entity-encoded javascript: link', '<a href="&#106;avascript:alert(1)">x</a>'],
    ['a javascript: link with a tab', '<a href="java\tscript:alert(1)">x</a>'],
    ['a vbscript: link', '<a href="vbscript:msgbox(1)">x</a>'],
    ['a data: link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
    ['an iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['a style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
    ['a form', '<form action="javascript:alert(1)"><button>x</button></form>'],
    ['an object', '<object data="javascript:alert(1)"></object>'],
  ]

  it.each(attacks)('%s in html', (_label, input) => {
    const html = renderBody(input, 'html')
    expect(html).not.toMatch(/<script|<iframe|<object|<form|<svg/i)
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
    expect(html).not.toMatch(/javascript:|vbscript:|data:text/i)
    expect(html).not.toContain('alert(1)')
    expect(html).not.toContain('style=')
  })

  it.each(attacks)('%s in markdown', (_label, input) => {
    const html = renderBody(`فقرة\n\n${input}\n\nخاتمة`, 'markdown')
    expect(html).not.toMatch(/<script|<iframe|<object|<form|<svg/i)
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
    expect(html).not.toMatch(/href="(javascript|vbscript|data):/i)
    expect(html).not.toContain('style=')
    expect(html).toContain('<p>فقرة</p>')
  })

  it('drops a markdown javascript: link target', () => {
    const html = renderBody('[click](javascript:alert(1))', 'markdown')
    expect(html).not.toContain('href')
  })

  it.each([
    ['a link', '<a href="https://example.com/a">x</a>', '<a href="https://example.com/a">x</a>'],
    [
      'an image',
      '<img src="https://example.com/a.jpg" alt="صورة">',
      '<img src="https://example.com/a.jpg" alt="صورة" />',
    ],
    ['a mailto link', '<a href="mailto:desk@example.com">x</a>', '<a href="mailto:desk@example.com">x</a>'],
    ['dir and lang', '<p dir="rtl" lang="ar">نص</p>', '<p dir="rtl" lang="ar">نص</p>'],
    [
      'a figure',
      '<figure><img src="https://e.x/a.png"><figcaption>ت</figcaption></figure>',
      '<figure><img src="https://e.x/a.png" /><figcaption>ت</figcaption></figure>',
    ],
    [
      'target=_blank gets rel=noopener',
      '<a href="https://e.x" target="_blank">x</a>',
      '<a href="https://e.x" target="_blank" rel="noopener noreferrer">x</a>',
    ],
  ])('keeps %s', (_label, input, expected) => {
    expect(renderBody(input, 'html')).toBe(expected)
  })

  // Reverse tabnabbing: any target but the three that stay in this window may open a new one.
  it.each([
    ['_BLANK', 'target="_BLANK"'],
    ['_Blank with the author’s rel=opener', 'target="_Blank" rel="opener"'],
    ['a named window', 'target="news"'],
    ['a named window with rel=nofollow', 'target="news" rel="nofollow"'],
    ['a padded _self (a name, for browsers)', 'target=" _self"'],
    ['an empty target', 'target=""'],
    ['an entity-encoded _blank', 'target="&#95;blank"'],
  ])('gives a link with %s rel="noopener noreferrer", replacing any rel', (_label, attributes) => {
    const html = renderBody(`<a href="https://e.x" ${attributes}>x</a>`, 'html')
    expect(html).toMatch(/ rel="noopener noreferrer">x<\/a>$/)
    expect(html.match(/rel=/g)).toHaveLength(1)
  })

  it.each(['_self', '_PARENT', '_Top'])(
    'leaves a link with target=%s and its author’s rel alone',
    (target) => {
      expect(renderBody(`<a href="https://e.x" target="${target}" rel="nofollow">x</a>`, 'html')).toBe(
        `<a href="https://e.x" target="${target}" rel="nofollow">x</a>`,
      )
    },
  )

  it.each([
    ['emphasis', '**قوي** و*مائل*', '<p><strong>قوي</strong> و<em>مائل</em></p>'],
    ['a heading', '## عنوان', '<h2>عنوان</h2>'],
    ['a link', '[مرآة](https://example.com)', '<p><a href="https://example.com">مرآة</a></p>'],
    [
      'a bare URL is linkified',
      'https://example.com',
      '<p><a href="https://example.com">https://example.com</a></p>',
    ],
    ['a quote', '> قال', '<blockquote>\n<p>قال</p>\n</blockquote>'],
  ])('renders markdown %s', (_label, input, expected) => {
    expect(renderBody(input, 'markdown')).toBe(expected)
  })
})

describe('plainText', () => {
  it.each([
    ['tags removed', '<p>مرحبا <strong>بالعالم</strong></p>', 'مرحبا بالعالم'],
    ['blocks separated', '<h2>عنوان</h2><p>فقرة</p><ul><li>أ</li><li>ب</li></ul>', 'عنوان فقرة أ ب'],
    ['line breaks become spaces', 'a<br>b<br />c', 'a b c'],
    ['entities decoded', '<p>A &amp; B &lt;tag&gt; &quot;q&quot; &#39;s&#39;</p>', 'A & B <tag> "q" \'s\''],
    ['whitespace collapsed', '<p>  a \n\n b  </p>', 'a b'],
  ])('%s', (_label, input, expected) => {
    expect(plainText(input)).toBe(expected)
  })
})

describe('deriveExcerpt', () => {
  it('returns a short text as it is', () => {
    expect(deriveExcerpt('نص قصير')).toBe('نص قصير')
    const exactly = 'ا'.repeat(200)
    expect(deriveExcerpt(exactly)).toBe(exactly)
  })

  it('cuts a long text at a word, near 200 characters, with an ellipsis', () => {
    const text = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ')
    const excerpt = deriveExcerpt(text)
    expect(excerpt.endsWith('…')).toBe(true)
    const head = excerpt.slice(0, -1)
    expect(head.length).toBeLessThanOrEqual(200)
    expect(head.length).toBeGreaterThan(180)
    expect(text.startsWith(head)).toBe(true)
    expect(text[head.length]).toBe(' ')
  })

  it('drops trailing punctuation before the ellipsis', () => {
    const text = `${'كلمة '.repeat(38)}نهاية، ${'تتمة '.repeat(20)}`
    const excerpt = deriveExcerpt(text)
    expect(excerpt).not.toMatch(/[،,.\s]…$/)
    expect(excerpt.endsWith('…')).toBe(true)
  })

  it('hard-cuts a text without spaces', () => {
    const excerpt = deriveExcerpt('ب'.repeat(500))
    expect(excerpt).toBe(`${'ب'.repeat(200)}…`)
  })

  it('counts code points, never splitting a surrogate pair', () => {
    const excerpt = deriveExcerpt('😀'.repeat(300))
    expect(Array.from(excerpt)).toHaveLength(201)
    expect(excerpt).not.toMatch(/[\uD800-\uDFFF]…$/u)
  })
})

describe('readingTimeMinutes', () => {
  it.each([
    ['empty text', '', 1],
    ['one word', 'كلمة', 1],
    ['200 words', 'كلمة '.repeat(200), 1],
    ['201 words', 'كلمة '.repeat(201), 2],
    ['1000 words', 'word '.repeat(1000), 5],
    ['1001 words', 'word '.repeat(1001), 6],
  ])('%s → %i', (_label, text, minutes) => {
    expect(readingTimeMinutes(text)).toBe(minutes)
  })
})
