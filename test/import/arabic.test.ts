/**
 * Importing test/fixtures/wxr/arabic.xml, a small Arabic news site: every row of the mapping table, read back
 * through the API; idempotency, updates from a newer export, dry runs, broken-off files and items that fail, on
 * the engine under test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '../../src/db/sqlite/database.js'
import { ATTACHMENT_SKIPPED } from '../../src/modules/imports/imports.service.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { TEST_ENGINE } from '../helpers/engine.js'
import { expectProblem } from '../helpers/http.js'
import { ARABIC_WXR, arabicText, counts, importFile, importText, outcomes, snapshot } from '../helpers/wxr.js'

const PUTIN_SLUG = 'بوتين-يتجاهل-تهديدات-ترامب-ويبحث-مع-رو'
const ECONOMY_SLUG = 'الاقتصاد-الإيراني-تحت-العقوبات-النفط'
const path = (slug: string) => `/v1/articles/${encodeURIComponent(slug)}`

// [created, updated, unchanged, skipped] per kind, for the fixture imported into an empty database.
const FIRST_RUN = {
  post: [8, 0, 0, 2],
  comment: [8, 0, 0, 4],
  term: [5, 0, 0, 2],
  // Attachments are not articles: skipped, their URLs recorded for featured images.
  attachment: [0, 0, 0, 2],
  other: [0, 0, 0, 2],
}

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
  t.clock.set('2024-01-01T00:00:00.000Z')
})
afterEach(() => t.app.close())

async function get(url: string, auth = false) {
  const res = await t.app.inject({ method: 'GET', url, headers: auth ? t.editorAuth : {} })
  return res
}

describe('importing an Arabic WordPress export', () => {
  it('creates posts, comments, terms and attachment records, and says what it skipped and why', async () => {
    const report = await importFile(t, ARABIC_WXR)
    expect(report.error).toBeNull()
    expect(outcomes(report)).toEqual(FIRST_RUN)
    expect(report).toMatchObject({
      site: 'https://akhbar.example',
      wxrVersion: '1.2',
      dryRun: false,
      items: 14,
      forbiddenCharacters: 3,
      coverImagesResolved: 1,
    })
    expect(report.counts.post.skippedBecause).toEqual({ 'in the trash': 1, 'failed validation': 1 })
    expect(report.counts.comment.skippedBecause).toEqual({
      pingback: 1,
      trackback: 1,
      'its post was skipped': 1,
      'not on a post': 1,
    })
    expect(report.counts.term.skippedBecause).toEqual({
      'used by no imported post': 1,
      'taxonomy nav_menu': 1,
    })
    expect(report.counts.other.skippedBecause).toEqual({ 'post type page': 1, 'post type nav_menu_item': 1 })
    expect(report.counts.attachment.skippedBecause).toEqual({ [ATTACHMENT_SKIPPED]: 2 })
    // Not articles, but their URLs are recorded for the featured images that name them.
    expect(
      await t.query("select wp_id, url from import_records where kind = 'attachment' order by wp_id"),
    ).toEqual([
      { wp_id: 301, url: 'https://akhbar.example/wp-content/uploads/2017/11/tehran.jpg' },
      { wp_id: 302, url: 'https://akhbar.example/wp-content/uploads/2017/11/photo-before.jpg' },
    ])
    expect(report.warnings).toEqual([
      { kind: 'post', wpId: 105, message: 'password-protected: imported as a draft' },
      { kind: 'post', wpId: 109, message: expect.stringMatching(/^not imported: title: /) },
    ])
    expect(await t.count('articles')).toBe(8)
    expect(await t.count('comments')).toBe(8)
  })

  it('keeps the post as WordPress had it: decoded slug, GMT dates, display name, tags in order, cover', async () => {
    await importFile(t, ARABIC_WXR)
    const res = await get(path(PUTIN_SLUG))
    expect(res.statusCode, res.body).toBe(200)
    const article = res.json()
    expect(article).toMatchObject({
      slug: PUTIN_SLUG,
      title: 'بوتين يتجاهل تهديدات ترامب ويبحث مع روحاني بطهران الاتفاق النووي والملف السوري',
      author: 'محمد نور الدين',
      status: 'published',
      publishedAt: '2017-11-01T09:30:00.000Z',
      createdAt: '2017-11-01T09:30:00.000Z',
      updatedAt: '2017-11-02T08:00:00.000Z',
      excerpt: 'بوتين في طهران: قراءة في الزيارة',
      bodyFormat: 'html',
      commentsEnabled: true,
      commentCount: 4,
      // The attachment comes after the post in the file: resolved in the second pass.
      coverImageUrl: 'https://akhbar.example/wp-content/uploads/2017/11/tehran.jpg',
    })
    expect(article.tags.map((tag: { name: string }) => tag.name)).toEqual([
      'سياسة',
      'إيران',
      'روسيا',
      'الاتفاق النووي',
    ])
    expect(article.tags.map((tag: { slug: string }) => tag.slug)).toEqual([
      'سياسة',
      'إيران',
      'روسيا',
      'الاتفاق-النووي',
    ])
    // Classic paragraphs made, the caption a figure, <!--more--> gone, the script sanitized away.
    expect(article.html).toContain('<p>زار الرئيس الروسي فلاديمير بوتين <strong>طهران</strong>')
    expect(article.html).toContain('<figcaption>طهران صباح الزيارة</figcaption>')
    expect(article.html).not.toContain('<script')
    expect(article.body).not.toContain('<!--more-->')
    // An unknown login is kept as written; a featured image whose attachment came before the post is set at once.
    expect((await get(path('مقال-بصورة-سبقته'))).json()).toMatchObject({
      author: 'unknown-login',
      coverImageUrl: 'https://akhbar.example/wp-content/uploads/2017/11/photo-before.jpg',
    })
    // Found by the search index as any API-made article is.
    const found = (await get(`/v1/articles?q=${encodeURIComponent('روحاني')}`)).json()
    expect(found.data.map((a: { slug: string }) => a.slug)).toEqual([PUTIN_SLUG])
  })

  it('decodes a title with markup and entities, a slug the database cut mid-character, closed comments', async () => {
    // The two long slugs as WordPress stored them: cut at 200 bytes before a whole character (198), and by the
    // database inside one (200, ending in `-%d9`).
    const names = [...arabicText().matchAll(/<wp:post_name><!\[CDATA\[([^\]]*)\]\]>/g)].map(
      (m) => m[1] as string,
    )
    expect(names.slice(0, 2).map((name) => name.length)).toEqual([198, 200])
    expect(names[1]?.endsWith('-%d9')).toBe(true)
    await importFile(t, ARABIC_WXR)
    const res = await get(path(ECONOMY_SLUG))
    expect(res.statusCode, res.body).toBe(200)
    const article = res.json()
    // The U+001F in the title was dropped before parsing; the rest of the title is intact.
    expect(article).toMatchObject({
      title: 'الاقتصاد & النفط – تقرير',
      author: 'سارة الخطيب',
      commentsEnabled: false,
      // Its excerpt:encoded is empty: the excerpt is derived from the body, as for any article.
      excerpt: 'يعاني الاقتصاد الإيراني من العقوبات. if (a[b[0]]> 1) {}',
    })
    expect(article.html).toBe(
      '<p>يعاني الاقتصاد الإيراني من العقوبات.</p>\n\n<pre><code>if (a[b[0]]&gt; 1) {}</code></pre>',
    )
    // Its comment from before the comments were closed is there; new ones are refused as for any closed article.
    expect((await get(`${path(ECONOMY_SLUG)}/comments`)).json().meta.total).toBe(1)
    const post = await t.app.inject({
      method: 'POST',
      url: `${path(ECONOMY_SLUG)}/comments`,
      payload: { authorName: 'x', authorEmail: 'x@example.com', body: 'late' },
    })
    expectProblem(post, 403)
  })

  it('keeps drafts, pending, private and password-protected posts from the public; schedules a future one', async () => {
    await importFile(t, ARABIC_WXR)
    const live = (await get('/v1/articles')).json()
    expect(live.data.map((a: { slug: string }) => a.slug)).toEqual([
      'مقال-بصورة-سبقته',
      ECONOMY_SLUG,
      PUTIN_SLUG,
    ])
    const drafts = (await get('/v1/articles?status=draft&sort=publishedAt', true)).json()
    expect(drafts.data.map((a: { title: string }) => a.title).sort()).toEqual(
      ['مسودة لم تنشر بعد', 'مقال خاص', 'مقال محمي بكلمة مرور', 'مقال ينتظر المراجعة'].sort(),
    )
    for (const draft of drafts.data) expect(draft.publishedAt).toBeNull()
    // The never-published draft: 0000-00-00 GMT dates, an empty slug derived from the title, post_date as UTC.
    const draft = (await get(path('مسودة-لم-تنشر-بعد'), true)).json()
    expect(draft).toMatchObject({ status: 'draft', publishedAt: null, createdAt: '2017-11-04T10:00:00.000Z' })
    expectProblem(await get(path('مسودة-لم-تنشر-بعد')), 404)
    const scheduled = (await get('/v1/articles?status=scheduled', true)).json()
    expect(scheduled.data).toMatchObject([
      { slug: 'مقال-مجدول-للنشر', publishedAt: '2030-05-01T06:00:00.000Z' },
    ])
    expectProblem(await get(path('مقال-مجدول-للنشر')), 404)
  })

  it('files comments with their status, thread and date; the public sees the approved ones only', async () => {
    await importFile(t, ARABIC_WXR)
    const { data } = (await get(`${path(PUTIN_SLUG)}/comments`)).json()
    expect(data.map((c: { authorName: string }) => c.authorName)).toEqual([
      'أبو خالد',
      'Omar',
      'سارة',
      'ليلى',
    ])
    const [first, second, third, fourth] = data
    expect(first).toMatchObject({ parentId: null, createdAt: '2017-11-01T10:00:00.000Z', authorUrl: null })
    expect(second).toMatchObject({ parentId: first.id, authorUrl: 'https://omar.example/blog' })
    // Listed before its parent in the export, still threaded under it.
    expect(third).toMatchObject({ parentId: second.id, createdAt: '2017-11-01T10:20:00.000Z' })
    // HTML made plain text; the U+0008 in it dropped.
    expect(fourth.body).toBe('رائع جداً & مفيد\n\nسطر ثانٍ')
    const queue = (await get(`/v1/comments?articleId=${first.articleId}&perPage=100`, true)).json()
    const statuses = Object.fromEntries(
      queue.data.map((c: { body: string; status: string }) => [c.body, c.status]),
    )
    expect(statuses).toMatchObject({
      'Buy now': 'spam',
      'تعليق ينتظر المراجعة': 'pending',
      'تعليق في سلة المهملات': 'trash',
    })
    expect(queue.meta.total).toBe(7)
  })

  it('never shows an e-mail address or IP from the export, while storing them for moderation', async () => {
    const report = await importFile(t, ARABIC_WXR)
    const text = arabicText()
    const emails = [...text.matchAll(/_email><!\[CDATA\[([^\]]+)\]\]>/g)].map((m) => m[1] as string)
    const ips = [...text.matchAll(/_IP><!\[CDATA\[([^\]]+)\]\]>/g)].map((m) => m[1] as string)
    expect(emails.length).toBeGreaterThan(8)
    expect(ips.length).toBeGreaterThan(8)
    const stored = await t.query<{ author_email: string; client_ip: string }>(
      'select author_email, client_ip from comments where body = ?',
      'تحليل دقيق، شكراً.',
    )
    expect(stored).toEqual([{ author_email: 'abu.khaled@example.com', client_ip: '192.0.2.10' }])

    const answers: string[] = [JSON.stringify(report)]
    const articles = (await get('/v1/articles?status=all&perPage=100', true)).json().data
    for (const url of [
      '/v1/articles?status=all&perPage=100',
      '/v1/tags?perPage=100',
      '/v1/comments?perPage=100',
    ])
      answers.push((await get(url, true)).body)
    for (const article of articles) {
      for (const auth of [false, true]) {
        answers.push((await get(`/v1/articles/${article.id}`, auth)).body)
        answers.push((await get(`/v1/articles/${article.id}/comments?perPage=100`, auth)).body)
      }
    }
    for (const comment of (await get('/v1/comments?perPage=100', true)).json().data)
      answers.push((await get(`/v1/comments/${comment.id}`, true)).body)
    answers.push((await get(`/v1/redirects?from=${encodeURIComponent('/?p=101')}`)).body)
    const all = answers.join('\n')
    for (const secret of [...emails, ...ips]) expect(all, secret).not.toContain(secret)
  })

  it('run again on the same export, creates nothing and changes nothing', async () => {
    await importFile(t, ARABIC_WXR)
    const before = await snapshot(t)
    t.clock.advance(60_000)
    const again = await importFile(t, ARABIC_WXR)
    expect(outcomes(again)).toEqual({
      post: [0, 0, 8, 2],
      comment: [0, 0, 8, 4],
      term: [0, 0, 5, 2],
      attachment: [0, 0, 0, 2],
      other: [0, 0, 0, 2],
    })
    expect(again.coverImagesResolved).toBe(0)
    expect(await snapshot(t)).toEqual(before)
  })

  it('reads the same export under any WXR namespace version and prefix, http or https', async () => {
    const text = arabicText()
      .replaceAll('http://wordpress.org/export/1.2/', 'https://wordpress.org/export/1.0/')
      .replaceAll('xmlns:wp=', 'xmlns:wordpress=')
      .replaceAll('<wp:', '<wordpress:')
      .replaceAll('</wp:', '</wordpress:')
    expect(text).not.toContain('<wp:')
    const report = await importText(t, text, { chunkBytes: 1000 })
    expect(outcomes(report)).toEqual(FIRST_RUN)
  })

  it('updates from a newer export only what changed there', async () => {
    await importFile(t, ARABIC_WXR)
    const newer = arabicText()
      .replace('<![CDATA[بوتين يتجاهل', '<![CDATA[عاجل: بوتين يتجاهل')
      .replace(
        '<wp:post_modified_gmt><![CDATA[2017-11-02 08:00:00]]>',
        '<wp:post_modified_gmt><![CDATA[2017-11-05 08:00:00]]>',
      )
      .replace('سطر ثانٍ', 'سطر ثانٍ معدّل')
      .replace(
        '<wp:comment_approved><![CDATA[0]]></wp:comment_approved>',
        '<wp:comment_approved><![CDATA[1]]></wp:comment_approved>',
      )
    const report = await importText(t, newer)
    expect(outcomes(report)).toEqual({
      post: [0, 1, 7, 2],
      comment: [0, 2, 6, 4],
      term: [0, 0, 5, 2],
      attachment: [0, 0, 0, 2],
      other: [0, 0, 0, 2],
    })
    const article = (await get(path(PUTIN_SLUG))).json()
    expect(article).toMatchObject({
      title: 'عاجل: بوتين يتجاهل تهديدات ترامب ويبحث مع روحاني بطهران الاتفاق النووي والملف السوري',
      slug: PUTIN_SLUG,
      updatedAt: '2017-11-05T08:00:00.000Z',
      coverImageUrl: 'https://akhbar.example/wp-content/uploads/2017/11/tehran.jpg',
      commentCount: 5,
    })
    const bodies = (await get(`${path(PUTIN_SLUG)}/comments`))
      .json()
      .data.map((c: { body: string }) => c.body)
    expect(bodies).toContain('رائع جداً & مفيد\n\nسطر ثانٍ معدّل')
    expect(bodies).toContain('تعليق ينتظر المراجعة')
    expect(await t.count('articles')).toBe(8)
    expect(await t.count('comments')).toBe(8)
  })

  it('unpublishes a post trashed in WordPress since the last import, once, and publishes it again when restored', async () => {
    await importFile(t, ARABIC_WXR)
    const status = (text: string) =>
      arabicText().replace(
        /(<wp:post_id>101<\/wp:post_id>[\s\S]*?<wp:status><!\[CDATA\[)publish\]/,
        `$1${text}]`,
      )
    const trashed = status('trash')
    expect(trashed).not.toBe(arabicText())
    const report = await importText(t, trashed)
    expect(report.counts.post).toMatchObject({ created: 0, updated: 1, unchanged: 7, skipped: 2 })
    expect(report.warnings).toContainEqual({
      kind: 'post',
      wpId: 101,
      message: 'in the trash in WordPress since an earlier import: made a draft',
    })
    expect(report.counts.comment.skippedBecause['its post is in the trash']).toBe(9)
    expect((await get(path(PUTIN_SLUG), true)).json()).toMatchObject({ status: 'draft', publishedAt: null })
    expectProblem(await get(path(PUTIN_SLUG)), 404)
    expectProblem(await get(`/v1/redirects?from=${encodeURIComponent('/?p=101')}`), 404)
    // The same export again changes nothing more.
    const before = await snapshot(t)
    const again = await importText(t, trashed)
    expect(again.counts.post).toMatchObject({ updated: 0, skipped: 3 })
    expect(await snapshot(t)).toEqual(before)
    // Restored in WordPress: published again, as it was.
    const restored = await importFile(t, ARABIC_WXR)
    expect(restored.counts.post).toMatchObject({ created: 0, updated: 1 })
    expect((await get(path(PUTIN_SLUG))).json()).toMatchObject({
      status: 'published',
      publishedAt: '2017-11-01T09:30:00.000Z',
      commentCount: 4,
    })
  }, 60_000)

  it('reports a trashed post it could not make a draft, leaves it as it was, and goes on', async () => {
    // The database itself refuses to make an article a draft (trigger), as a failing write would.
    if (TEST_ENGINE === 'sqlite') {
      ;(t.database as SqliteDatabase).sqlite.function('refuse', () => {
        throw new Error('refused')
      })
      await t.query(
        "create trigger refuse before update on articles when new.status = 'draft' begin select refuse(); end",
      )
    } else {
      await t.app.close()
      t = await buildTestApp({ isolated: true })
      t.clock.set('2024-01-01T00:00:00.000Z')
      await t.query(`create function refuse() returns trigger language plpgsql as $$
        begin if new.status = 'draft' then raise exception 'refused'; end if; return new; end $$`)
      await t.query('create trigger refuse before update on articles for each row execute function refuse()')
    }
    await importFile(t, ARABIC_WXR)
    const trashed = arabicText().replace(
      /(<wp:post_id>101<\/wp:post_id>[\s\S]*?<wp:status><!\[CDATA\[)publish\]/,
      '$1trash]',
    )
    const report = await importText(t, trashed)
    expect(report.counts.post).toMatchObject({ updated: 0, unchanged: 7, skipped: 3 })
    expect(report.counts.post.skippedBecause['could not be imported']).toBe(1)
    expect(report.warnings).toContainEqual({
      kind: 'post',
      wpId: 101,
      message: expect.stringMatching(/^not made a draft: unexpected /),
    })
    expect((await get(path(PUTIN_SLUG))).json().status).toBe('published')
  })

  it('--dry-run reports what a real run would do and writes nothing', async () => {
    const dry = await importFile(t, ARABIC_WXR, { dryRun: true })
    expect(dry.dryRun).toBe(true)
    expect(outcomes(dry)).toEqual(FIRST_RUN)
    expect(dry.coverImagesResolved).toBe(1)
    expect(Object.values(await counts(t)).every((n) => n === 0)).toBe(true)
    // And on a database that has the import: still nothing written, everything unchanged.
    await importFile(t, ARABIC_WXR)
    const before = await snapshot(t)
    const second = await importText(t, arabicText().replace('<![CDATA[بوتين يتجاهل', '<![CDATA[جديد'), {
      dryRun: true,
    })
    expect(second.counts.post).toMatchObject({ created: 0, updated: 1, unchanged: 7 })
    expect(await snapshot(t)).toEqual(before)
  })

  it('an export that breaks off: what came before is imported, the line is named, a re-run resumes', async () => {
    const text = arabicText()
    const cut = text.slice(0, text.indexOf('<![CDATA[مقال محمي بكلمة مرور]]>'))
    const broken = await importText(t, cut)
    expect(broken.error?.message).toMatch(/^line \d+: the XML is broken: /)
    const line = cut.split('\n').length
    expect(broken.error?.line).toBe(line)
    expect(broken.counts.post.created).toBe(4)
    expect(await t.count('articles')).toBe(4)
    // The item it broke in left nothing behind.
    expect(await t.query("select id from import_records where kind = 'post' and wp_id = 105")).toEqual([])

    const resumed = await importFile(t, ARABIC_WXR)
    expect(resumed.error).toBeNull()
    expect(resumed.counts.post).toMatchObject({ created: 4, unchanged: 4, skipped: 2 })
    expect(await t.count('articles')).toBe(8)
  })

  it('refuses a file that is not WXR and writes nothing', async () => {
    const report = await importText(
      t,
      '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>',
    )
    expect(report.error).toEqual({
      message: 'line 2: not a WordPress export: the root element is <feed>, not <rss>',
      line: 2,
    })
    expect(Object.values(await counts(t)).every((n) => n === 0)).toBe(true)
  })

  it('skips and reports an item whose write fails, leaving none of it behind, and goes on', async () => {
    // The database itself refuses one comment of post 101 (trigger): the whole item must roll back.
    if (TEST_ENGINE === 'sqlite') {
      ;(t.database as SqliteDatabase).sqlite.function('refuse', () => {
        throw new Error('refused abu.khaled@example.com')
      })
      await t.query(
        "create trigger refuse before insert on comments when new.body = 'boom' begin select refuse(); end",
      )
    } else {
      await t.app.close()
      t = await buildTestApp({ isolated: true })
      await t.query(`create function refuse() returns trigger language plpgsql as $$
        begin if new.body = 'boom' then raise exception 'refused %', new.author_email; end if; return new; end $$`)
      await t.query('create trigger refuse before insert on comments for each row execute function refuse()')
    }
    const report = await importText(t, arabicText().replace('تحليل دقيق، شكراً.', 'boom'))
    expect(report.counts.post).toMatchObject({ created: 7, skipped: 3 })
    expect(report.counts.post.skippedBecause['could not be imported']).toBe(1)
    const warning = report.warnings.find((w) => w.wpId === 101)
    expect(warning?.message).toMatch(/^not imported: unexpected /)
    expect(JSON.stringify(report)).not.toContain('abu.khaled')
    expect(await t.query("select id from import_records where wp_id = 101 and kind = 'post'")).toEqual([])
    expect(await t.query('select key from article_redirects where key = ?', 'p:101')).toEqual([])
    expectProblem(await get(path(PUTIN_SLUG), true), 404)
    expect(await t.count('comments')).toBe(1)
  })

  it('does not bring back an article deleted in Sahifa after the import', async () => {
    await importFile(t, ARABIC_WXR)
    const del = await t.app.inject({ method: 'DELETE', url: path(PUTIN_SLUG), headers: t.editorAuth })
    expect(del.statusCode).toBe(204)
    const again = await importFile(t, ARABIC_WXR)
    expect(again.counts.post.skippedBecause['deleted in Sahifa after an earlier import']).toBe(1)
    expect(again.counts.post.created).toBe(0)
    expect(again.counts.comment.created).toBe(0)
    expectProblem(await get(path(PUTIN_SLUG), true), 404)
  })

  it('gives a post whose slug another article has the next free one, and says so', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: t.editorAuth,
      payload: { title: 'x', body: 'y', slug: PUTIN_SLUG, status: 'published' },
    })
    expect(res.statusCode).toBe(201)
    const report = await importFile(t, ARABIC_WXR)
    expect(report.warnings).toContainEqual({
      kind: 'post',
      wpId: 101,
      message: `slug taken by another article: imported as ${PUTIN_SLUG}-2`,
    })
    const moved = await get(path(`${PUTIN_SLUG}-2`))
    expect(moved.json().author).toBe('محمد نور الدين')
    // Its old permalink still finds the imported article, not the one that had the slug first.
    const redirect = await get(`/v1/redirects?from=${encodeURIComponent(`/2017/11/01/${PUTIN_SLUG}/`)}`)
    expect(redirect.json().slug).toBe(`${PUTIN_SLUG}-2`)
  })
})
