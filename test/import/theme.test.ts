/**
 * WordPress's own Theme Unit Test export (../shared/wxr/themeunittestdata.wordpress.xml, read from there): 58 posts,
 * 21 pages, 37 attachments, 70 menu items, 110 tags, 68 categories, 33 comments with threads 10 deep, pingbacks and
 * trackbacks, a password-protected post, titles with markup, 45 tags on one post and 63 categories on another.
 */
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ATTACHMENT_SKIPPED } from '../../src/modules/imports/imports.service.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { expectProblem } from '../helpers/http.js'
import { counts, importFile, outcomes, snapshot, THEME_WXR } from '../helpers/wxr.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
  // Its scheduled post is dated 2030-01-01.
  t.clock.set('2024-01-01T00:00:00.000Z')
})
afterEach(() => t.app.close())

const get = (url: string, auth = false) =>
  t.app.inject({ method: 'GET', url, headers: auth ? t.editorAuth : {} })
const all = async (url: string, auth = false) => (await get(url, auth)).json()

describe("importing WordPress's Theme Unit Test export", () => {
  it('imports every post, counts pages, menu items, pingbacks and trackbacks as skipped', async () => {
    const report = await importFile(t, THEME_WXR)
    expect(report.error).toBeNull()
    expect(report).toMatchObject({
      site: 'https://wpthemetestdata.wordpress.com',
      wxrVersion: '1.2',
      items: 186,
    })
    expect(report.counts.post).toMatchObject({ created: 58, updated: 0, unchanged: 0, skipped: 0 })
    expect(report.counts.attachment).toMatchObject({ created: 0, skipped: 37 })
    expect(report.counts.attachment.skippedBecause).toEqual({ [ATTACHMENT_SKIPPED]: 37 })
    expect(report.counts.other.skippedBecause).toEqual({
      'post type page': 21,
      'post type nav_menu_item': 70,
    })
    // 33 comments: 2 pingbacks, 2 trackbacks, 5 on pages; the other 24 are imported.
    expect(report.counts.comment).toMatchObject({ created: 24, skipped: 9 })
    expect(report.counts.comment.skippedBecause).toEqual({ pingback: 2, trackback: 2, 'not on a post': 5 })
    // Every category and tag a post uses is recorded; the unused ones and the menus are skipped.
    const { term } = report.counts
    expect(term.created + term.skipped).toBe(183)
    expect(term.skippedBecause['taxonomy nav_menu']).toBe(6)
    expect(report.warnings).toContainEqual({
      kind: 'post',
      wpId: expect.any(Number),
      message: 'password-protected: imported as a draft',
    })
    expect(
      report.warnings.filter((w) => /tags and categories: the first 50 kept/.test(w.message)),
    ).toHaveLength(1)
    expect(await t.count('articles')).toBe(58)
    expect(await t.count('comments')).toBe(24)
  })

  it('keeps 55 live posts, the scheduled one, the draft and the password-protected one as a draft', async () => {
    await importFile(t, THEME_WXR)
    expect((await all('/v1/articles')).meta.total).toBe(55)
    expect((await all('/v1/articles?status=scheduled', true)).data).toMatchObject([
      { slug: 'scheduled', publishedAt: '2030-01-01T19:00:18.000Z' },
    ])
    const drafts = (await all('/v1/articles?status=draft', true)).data.map((a: { slug: string }) => a.slug)
    expect(drafts.sort()).toEqual(['draft', 'template-password-protected'])
    expectProblem(await get('/v1/articles/template-password-protected'), 404)
  })

  it('strips markup from titles, titles an untitled post by its slug, maps both malformed dc:creator values to the display name', async () => {
    await importFile(t, THEME_WXR)
    expect((await all('/v1/articles/markup-title-with-markup')).title).toBe('Markup: Title With Markup')
    // Its post with an empty title takes the slug as title.
    expect((await all('/v1/articles/edge-case-no-title')).title).toBe('edge-case-no-title')
    const authors = await t.query<{ author: string; n: number }>(
      'select author, count(*) as n from articles group by author order by author',
    )
    expect(authors.map((row) => row.author)).toEqual(['Theme Buster', 'Theme Reviewer'])
  })

  it('keeps every tag of the post with 45 and the first 50 of the one with 63 categories', async () => {
    await importFile(t, THEME_WXR)
    const manyTags = await all('/v1/articles/edge-case-many-tags')
    // Its 45 tags and its one category, each once.
    expect(manyTags.tags).toHaveLength(46)
    const manyCategories = await all('/v1/articles/edge-case-many-categories')
    expect(manyCategories.tags).toHaveLength(50)
    const tags = await all('/v1/tags?perPage=100', true)
    expect(tags.meta.total).toBeGreaterThan(100)
  })

  it('keeps threads 10 deep; commentCount counts the approved comments', async () => {
    await importFile(t, THEME_WXR)
    const rows = await t.query<{ id: number; parent_id: number | null }>('select id, parent_id from comments')
    const parents = new Map(rows.map((row) => [row.id, row.parent_id]))
    const depth = (id: number): number => {
      const parent = parents.get(id)
      return parent ? 1 + depth(parent) : 1
    }
    expect(Math.max(...rows.map((row) => depth(row.id)))).toBe(10)
    const queue = await all('/v1/comments?perPage=100', true)
    const approved = queue.data.filter((c: { status: string }) => c.status === 'approved').length
    const articles = (await all('/v1/articles?status=all&perPage=100', true)).data as {
      commentCount: number
    }[]
    expect(articles.reduce((sum, a) => sum + a.commentCount, 0)).toBe(approved)
    expect(approved).toBe(23)
  })

  it('answers old permalinks, ?p= and guids of its posts', async () => {
    await importFile(t, THEME_WXR)
    const resolve = async (from: string) =>
      (await get(`/v1/redirects?from=${encodeURIComponent(from)}`)).json()
    expect(
      (await resolve('https://wpthemetestdata.wordpress.com/2013/01/11/markup-image-alignment/')).slug,
    ).toBe('markup-image-alignment')
    expect((await resolve('/?p=1177')).slug).toBe('markup-image-alignment')
    // A post renamed in WordPress: its old slug, recorded as _wp_old_slug, still finds it.
    expect((await resolve('/2023/01/13/8-2/')).slug).toBe('text-category-blocks')
  })

  it('never shows an e-mail address from the export', async () => {
    await importFile(t, THEME_WXR)
    const text = readFileSync(THEME_WXR, 'utf8')
    const emails = [
      ...new Set([...text.matchAll(/_email>(?:<!\[CDATA\[)?([^<\]]+@[^<\]]+)/g)].map((m) => m[1])),
    ]
    expect(emails.length).toBeGreaterThan(5)
    const answers: string[] = []
    for (const url of [
      '/v1/articles?status=all&perPage=100',
      '/v1/comments?perPage=100',
      '/v1/tags?perPage=100',
    ])
      answers.push((await get(url, true)).body)
    for (const article of (await all('/v1/articles?status=all&perPage=100', true)).data) {
      answers.push((await get(`/v1/articles/${article.id}/comments?perPage=100`)).body)
      answers.push((await get(`/v1/articles/${article.id}`, true)).body)
    }
    const seen = answers.join('\n')
    for (const email of emails) expect(seen, email).not.toContain(email)
  })

  it('run again, creates nothing and changes nothing; a dry run on an empty database writes nothing', async () => {
    const dry = await importFile(t, THEME_WXR, { dryRun: true })
    expect(Object.values(await counts(t)).every((n) => n === 0)).toBe(true)
    const first = await importFile(t, THEME_WXR)
    expect(outcomes(dry)).toEqual(outcomes(first))
    const before = await snapshot(t)
    t.clock.advance(3_600_000)
    const again = await importFile(t, THEME_WXR)
    expect(again.counts.post).toMatchObject({ created: 0, updated: 0, unchanged: 58 })
    expect(again.counts.comment).toMatchObject({ created: 0, updated: 0, unchanged: 24 })
    expect(again.counts.term).toMatchObject({ created: 0, updated: 0 })
    expect(again.counts.attachment).toMatchObject({ created: 0, updated: 0, unchanged: 0, skipped: 37 })
    expect(await snapshot(t)).toEqual(before)
  })
})
