/**
 * Rows of the contract's mapping table that neither fixture shows on its own, each on a small export written
 * here, imported through the import service into a database built by the migrations on the engine under test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UNTITLED } from '../../src/modules/imports/wxr.mapping.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { importText } from '../helpers/wxr.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
  t.clock.set('2024-01-01T00:00:00.000Z')
})
afterEach(() => t.app.close())

const cdata = (text: string) => `<![CDATA[${text}]]>`

/** A WXR export (1.2 unless said) of one site with these header terms and items. */
function wxr(items: string[], header = '', version = '1.2'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/${version}/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/${version}/">
<channel>
  <link>https://rows.example</link>
  <wp:wxr_version>${version}</wp:wxr_version>
  <wp:base_blog_url>https://rows.example</wp:base_blog_url>
  ${header}
  ${items.join('\n')}
</channel>
</rss>`
}

interface PostFields {
  id: number
  title?: string
  name?: string
  status?: string
  dateGmt?: string
  date?: string
  categories?: string[]
  comments?: string[]
}

function post(p: PostFields): string {
  return `<item>
    <title>${cdata(p.title ?? `Post ${p.id}`)}</title>
    <link>https://rows.example/?p=${p.id}</link>
    <dc:creator>${cdata('editor')}</dc:creator>
    <guid isPermaLink="false">https://rows.example/?p=${p.id}</guid>
    <content:encoded>${cdata('<p>Body.</p>')}</content:encoded>
    <excerpt:encoded>${cdata('')}</excerpt:encoded>
    <wp:post_id>${p.id}</wp:post_id>
    <wp:post_date>${cdata(p.date ?? '2020-01-01 12:00:00')}</wp:post_date>
    <wp:post_date_gmt>${cdata(p.dateGmt ?? '2020-01-01 10:00:00')}</wp:post_date_gmt>
    <wp:comment_status>${cdata('open')}</wp:comment_status>
    <wp:post_name>${cdata(p.name ?? `post-${p.id}`)}</wp:post_name>
    <wp:status>${cdata(p.status ?? 'publish')}</wp:status>
    <wp:post_type>${cdata('post')}</wp:post_type>
    <wp:post_password>${cdata('')}</wp:post_password>
    ${(p.categories ?? []).join('\n')}
    ${(p.comments ?? []).join('\n')}
  </item>`
}

function comment(id: number, approved: string, body: string, parent = 0): string {
  return `<wp:comment>
    <wp:comment_id>${id}</wp:comment_id>
    <wp:comment_author>${cdata(`Reader ${id}`)}</wp:comment_author>
    <wp:comment_author_email>${cdata(`reader${id}@example.com`)}</wp:comment_author_email>
    <wp:comment_author_IP>${cdata('192.0.2.1')}</wp:comment_author_IP>
    <wp:comment_date>${cdata('2020-01-02 12:00:00')}</wp:comment_date>
    <wp:comment_date_gmt>${cdata(`2020-01-02 10:00:${String(id % 60).padStart(2, '0')}`)}</wp:comment_date_gmt>
    <wp:comment_content>${cdata(body)}</wp:comment_content>
    <wp:comment_approved>${cdata(approved)}</wp:comment_approved>
    <wp:comment_type>${cdata('comment')}</wp:comment_type>
    <wp:comment_parent>${parent}</wp:comment_parent>
  </wp:comment>`
}

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.editorAuth })

describe('mapping rows on small exports', () => {
  it('gives an empty title the decoded slug, and a post with neither (بدون عنوان)', async () => {
    const report = await importText(
      t,
      wxr([
        post({ id: 501, title: '', name: '%d8%b9%d8%a7%d8%ac%d9%84-%d8%ac%d8%af%d8%a7%d9%8b' }),
        // Markup alone is no title either.
        post({ id: 502, title: '<em> </em>', name: '' }),
      ]),
    )
    expect(report.counts.post).toMatchObject({ created: 2, skipped: 0 })
    const rows = await t.query<{ title: string; slug: string }>(
      'select title, slug from articles order by id',
    )
    expect(rows).toEqual([
      { title: 'عاجل-جدا', slug: 'عاجل-جدا' },
      { title: UNTITLED, slug: 'بدون-عنوان' },
    ])
  })

  it('makes categories and tags one tag per slug, joined to a tag Sahifa already has', async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'Made in Sahifa', body: 'x', tags: ['Politics'], status: 'published' },
    })
    expect(made.statusCode).toBe(201)
    const existing = made.json().tags[0]
    const header = `
      <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>${cdata('politics')}</wp:category_nicename><wp:cat_name>${cdata('Politics')}</wp:cat_name></wp:category>
      <wp:tag><wp:term_id>4</wp:term_id><wp:tag_slug>${cdata('politics-2')}</wp:tag_slug><wp:tag_name>${cdata('POLITICS')}</wp:tag_name></wp:tag>
      <wp:tag><wp:term_id>5</wp:term_id><wp:tag_slug>${cdata('%d8%a7%d9%82%d8%aa%d8%b5%d8%a7%d8%af')}</wp:tag_slug><wp:tag_name>${cdata('اقتصاد')}</wp:tag_name></wp:tag>`
    const report = await importText(
      t,
      wxr(
        [
          post({
            id: 601,
            categories: [
              `<category domain="category" nicename="politics">${cdata('Politics')}</category>`,
              `<category domain="post_tag" nicename="politics-2">${cdata('POLITICS')}</category>`,
              `<category domain="post_tag" nicename="%d8%a7%d9%82%d8%aa%d8%b5%d8%a7%d8%af">${cdata('اقتصاد')}</category>`,
            ],
          }),
        ],
        header,
      ),
    )
    expect(report.counts.term).toMatchObject({ created: 3, skipped: 0 })
    const article = (await get('/v1/articles/post-601')).json()
    expect(article.tags.map((tag: { slug: string }) => tag.slug)).toEqual(['politics', 'اقتصاد'])
    expect(article.tags[0].id).toBe(existing.id)
    expect((await get('/v1/tags?perPage=100')).json().meta.total).toBe(2)
    // All three WordPress terms are recorded against the two tags.
    const records = await t.query<{ wp_id: number; sahifa_id: number }>(
      "select wp_id, sahifa_id from import_records where kind = 'term' order by wp_id",
    )
    expect(records.map((r) => r.sahifa_id)).toEqual([existing.id, existing.id, article.tags[1].id])
  })

  it('reads the tags of a WXR 1.0 export (domain "tag"), and its categories written twice, as tags', async () => {
    // WordPress 2.x wrote each category once without a domain and once with it, and tags under domain="tag".
    const report = await importText(
      t,
      wxr(
        [
          post({
            id: 651,
            categories: [
              `<category>${cdata('News')}</category>`,
              `<category domain="category" nicename="news">${cdata('News')}</category>`,
              `<category domain="tag">${cdata('Elections')}</category>`,
              `<category domain="tag" nicename="elections">${cdata('Elections')}</category>`,
            ],
          }),
        ],
        '',
        '1.0',
      ),
    )
    expect(report.wxrVersion).toBe('1.0')
    const article = (await get('/v1/articles/post-651')).json()
    expect(article.tags.map((tag: { slug: string }) => tag.slug)).toEqual(['news', 'elections'])
  })

  it('files comments 1, 0, spam, trash and post-trashed as approved, pending, spam, trash, trash, with their dates', async () => {
    await importText(
      t,
      wxr([
        post({
          id: 701,
          comments: [
            comment(1, '1', 'one'),
            comment(2, '0', 'two'),
            comment(3, 'spam', 'three'),
            comment(4, 'trash', 'four'),
            comment(5, 'post-trashed', 'five'),
          ],
        }),
      ]),
    )
    const rows = await t.query<{ body: string; status: string; created_at: string | Date }>(
      'select body, status, created_at from comments order by id',
    )
    // PostgreSQL answers a timestamptz as a Date, SQLite as the ISO text it stores.
    const iso = rows.map((row) => ({ ...row, created_at: new Date(row.created_at).toISOString() }))
    expect(iso).toEqual([
      { body: 'one', status: 'approved', created_at: '2020-01-02T10:00:01.000Z' },
      { body: 'two', status: 'pending', created_at: '2020-01-02T10:00:02.000Z' },
      { body: 'three', status: 'spam', created_at: '2020-01-02T10:00:03.000Z' },
      { body: 'four', status: 'trash', created_at: '2020-01-02T10:00:04.000Z' },
      { body: 'five', status: 'trash', created_at: '2020-01-02T10:00:05.000Z' },
    ])
  })

  it('dates a post by post_date_gmt; a published one without it by post_date, with a warning', async () => {
    const report = await importText(
      t,
      wxr([
        post({ id: 801, date: '2020-03-01 15:00:00', dateGmt: '2020-03-01 12:00:00' }),
        post({ id: 802, date: '2020-03-02 15:00:00', dateGmt: '0000-00-00 00:00:00' }),
      ]),
    )
    expect((await get('/v1/articles/post-801')).json().publishedAt).toBe('2020-03-01T12:00:00.000Z')
    expect((await get('/v1/articles/post-802')).json().publishedAt).toBe('2020-03-02T15:00:00.000Z')
    expect(report.warnings).toEqual([
      { kind: 'post', wpId: 802, message: 'no GMT date: post_date taken as UTC' },
    ])
  })
})
