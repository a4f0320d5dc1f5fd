/** Search through HTTP: Arabic spelling variants, ranking, visibility, filters, index upkeep, hostile queries. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { buildApp } from '../../src/app.js'
import { bootstrap } from '../../src/bootstrap.js'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import { openDatabase } from '../../src/db/open.js'
import { type SqliteDatabase, sqliteMigrationsFolder } from '../../src/db/sqlite/database.js'
import { renderBody } from '../../src/lib/html.js'
import { createLogger } from '../../src/logger.js'
import { ANALYZER_VERSION, ANALYZER_VERSION_KEY } from '../../src/modules/search/search.index.js'
import { createServices } from '../../src/services.js'
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle, minutesFromNow, SAMPLE_BODY, SAMPLE_TITLE } from '../helpers/data.js'
import { emptyDatabaseUrl, rawQuery, TEST_ENGINE } from '../helpers/engine.js'
import { statementsDuring } from '../helpers/queries.js'
import { expectIndexInStep, list, searchIds } from '../helpers/search.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

async function seedSample() {
  const sample = await createArticle(t, {
    title: SAMPLE_TITLE,
    body: SAMPLE_BODY,
    author: 'مرآة العالم',
    tags: ['العطار التركي', 'إيران'],
  })
  const other = await createArticle(t, {
    title: 'السوق المصري في إسطنبول',
    body: 'ثلاثة قرون من العطارة والتوابل في قلب المدينة القديمة.',
    author: 'العطار التركي',
  })
  const english = await createArticle(t, {
    title: 'The Negotiations Continued at the Café',
    body: 'Diplomats were negotiating late into the night in Zürich.',
    author: 'Staff',
  })
  return { sample, other, english }
}

describe('GET /v1/articles?q= — Arabic matching', () => {
  // The sample article spells the country both ways and uses each of these forms somewhere.
  it.each([
    ['إيران', 'hamza below'],
    ['ايران', 'bare alef'],
    ['أيران', 'hamza above'],
    ['آيران', 'madda'],
    ['ٱيران', 'wasla'],
    ['إِيرَان', 'with tashkeel'],
    ['إيـــران', 'with tatweel'],
    ['الاتفاق', 'with ال'],
    ['اتفاق', 'bare'],
    ['والاتفاق', 'with وال'],
    ['بالاتفاق', 'with بال'],
    ['الاتِّفَاقُ', 'with ال and tashkeel'],
    ['النووي', 'with ال and ي'],
    ['نووي', 'bare'],
    ['والملف', 'with وال'],
    ['ملف', 'bare'],
    ['طهران', 'bare, finds بطهران in the title and طهران in the body'],
    ['بطهران', 'with ب'],
    ['الإيرانيين', 'plural with ال'],
    ['الإيرانيون', 'another plural'],
    ['روسية', 'ة'],
    ['روسيه', 'ه for ة'],
    ['الرئيس', 'ئ'],
    ['الرييس', 'ي for ئ'],
    ['مسؤول', 'ؤ'],
    ['مسوول', 'و for ؤ'],
    ['على', 'ى'],
    ['علي', 'ي for ى'],
    ['٢٠١٧', 'Arabic-Indic digits'],
    ['2017', 'ASCII digits'],
    ['بوتين روحاني', 'two words, both present'],
    ['الاتفاق النووي الإيراني', 'three words'],
  ])('%s (%s) finds the sample article', async (q) => {
    const { sample, other } = await seedSample()
    const ids = await searchIds(t, { q })
    expect(ids).toContain(sample.id)
    expect(ids).not.toContain(other.id)
  })

  it('a word only in another article does not find the sample; AND needs every word', async () => {
    const { sample, other } = await seedSample()
    expect(await searchIds(t, { q: 'التوابل' })).toEqual([other.id])
    expect(await searchIds(t, { q: 'بوتين التوابل' })).toEqual([])
    expect(await searchIds(t, { q: 'بوتين' })).toEqual([sample.id])
  })

  it.each([
    ['negotiation', 'porter stemming'],
    ['NEGOTIATE', 'case and stemming'],
    ['cafe', 'accent folding'],
    ['CAFÉ', 'accent and case'],
    ['zurich', 'umlaut folding'],
  ])('Latin %s (%s) finds the English article', async (q) => {
    const { english } = await seedSample()
    expect(await searchIds(t, { q })).toEqual([english.id])
  })

  it('answers meta.total, X-Total-Count and pages for a search', async () => {
    const ids: number[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await createArticle(t, { title: `مقال ${i}`, body: 'عن إيران' })).id)
    await createArticle(t, { title: 'لا شيء', body: 'عن موسكو' })
    const res = await list(t, '/v1/articles', { q: 'ايران', perPage: 2, page: 2 })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-total-count']).toBe('5')
    expect(res.json().meta).toEqual({ page: 2, perPage: 2, total: 5, totalPages: 3 })
    expect(res.json().data).toHaveLength(2)
    const all = [
      ...(await searchIds(t, { q: 'ايران', perPage: 2, page: 1 })),
      ...(await searchIds(t, { q: 'ايران', perPage: 2, page: 2 })),
      ...(await searchIds(t, { q: 'ايران', perPage: 2, page: 3 })),
    ]
    expect(all.sort()).toEqual(ids.sort())
    expect(await searchIds(t, { q: 'ايران', page: 9 })).toEqual([])
  })

  it('keeps a search total only while nothing it counts has changed: writes and go-lives move it', async () => {
    t.clock.set('2030-01-01T10:00:00.000Z')
    const totals = async () =>
      Promise.all(
        ([{}, { sort: '-publishedAt' }, { author: 'سارة' }] as Record<string, string>[]).map(
          async (extra) => {
            const res = await list(t, '/v1/articles', { q: 'ايران', ...extra })
            expect(res.statusCode).toBe(200)
            return Number(res.headers['x-total-count'])
          },
        ),
      )
    const write = (title: string, more: Record<string, unknown> = {}) =>
      createArticle(t, {
        title,
        body: 'عن إيران',
        author: 'سارة',
        publishedAt: '2030-01-01T09:00:00.000Z',
        ...more,
      })
    await write('أول')
    expect(await totals()).toEqual([1, 1, 1])
    expect(await totals()).toEqual([1, 1, 1])
    const second = await write('ثان')
    expect(await totals()).toEqual([2, 2, 2])
    await write('لغيرها', { author: 'علي' })
    expect(await totals()).toEqual([3, 3, 2])
    await write('عند الظهر', { publishedAt: '2030-01-01T12:00:00.000Z' })
    expect(await totals()).toEqual([3, 3, 2])
    t.clock.set('2030-01-01T12:00:00.000Z')
    expect(await totals()).toEqual([4, 4, 3])
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/articles/${second.id}`,
      headers: t.editorAuth,
    })
    expect(del.statusCode).toBe(204)
    expect(await totals()).toEqual([3, 3, 2])
  })

  it('walks every match to count them once per change: a repeated search reads only its page', async () => {
    for (let i = 0; i < 3; i++) await createArticle(t, { title: `مقال ${i}`, body: 'عن إيران' })
    const statements = (fn: () => Promise<unknown>) => statementsDuring(t.database, fn)
    // The counts that walk every match: SQLite's over the index, PostgreSQL's over the matches' subquery (`s`).
    // The capped counts (a word's articles up to scoreUpTo + 1, on both) stop early and are not ones.
    const walksAll =
      /count\(\*\) AS n\s+FROM articles_fts|AS hidden|count\(\*\)(::integer AS n)? FROM \(SELECT 1 FROM article_search s\b/i
    const fullCounts = (seen: string[]) => seen.filter((s) => walksAll.test(s))
    // Other pages: the read cache would answer a repeated request without running anything.
    const search = (page: number) => async () => {
      const res = await list(t, '/v1/articles', { q: 'ايران', perPage: 1, page })
      expect(res.headers['x-total-count']).toBe('3')
    }
    expect(fullCounts(await statements(search(1))).length).toBeGreaterThan(0)
    expect(fullCounts(await statements(search(2)))).toEqual([])
    await createArticle(t, { title: 'رابع', body: 'عن إيران' })
    const after = await statements(async () => {
      const res = await list(t, '/v1/articles', { q: 'ايران', perPage: 2 })
      expect(res.headers['x-total-count']).toBe('4')
    })
    expect(fullCounts(after).length).toBeGreaterThan(0)
  })
})

describe('GET /v1/articles?q= — ranking and sort', () => {
  it('a title match outranks an excerpt match, which outranks a body-only match', async () => {
    const filler = 'كلام عام عن السياسة والاقتصاد. '.repeat(10)
    const body = await createArticle(t, { title: 'أخبار اليوم', body: `${filler} سوتشي ${filler}` })
    const excerpt = await createArticle(t, {
      title: 'أخبار الأمس',
      excerpt: 'مؤتمر في سوتشي',
      body: `${filler} ${filler}`,
    })
    const title = await createArticle(t, { title: 'مؤتمر سوتشي', body: `${filler} ${filler}` })
    expect(await searchIds(t, { q: 'سوتشي' })).toEqual([title.id, excerpt.id, body.id])
  })

  it('sort overrides relevance and still filters by the query', async () => {
    const a = await createArticle(t, {
      title: 'ب إيران',
      body: 'نص',
      publishedAt: '2020-01-01T00:00:00.000Z',
    })
    const b = await createArticle(t, {
      title: 'أ خبر',
      body: 'عن إيران',
      publishedAt: '2021-01-01T00:00:00.000Z',
    })
    await createArticle(t, { title: 'ج خبر', body: 'عن موسكو', publishedAt: '2022-01-01T00:00:00.000Z' })
    expect(await searchIds(t, { q: 'إيران' })).toEqual([a.id, b.id])
    expect(await searchIds(t, { q: 'إيران', sort: '-publishedAt' })).toEqual([b.id, a.id])
    expect(await searchIds(t, { q: 'إيران', sort: 'publishedAt' })).toEqual([a.id, b.id])
    expect(await searchIds(t, { q: 'إيران', sort: 'title' })).toEqual([b.id, a.id])
  })

  it('a cursor with q ordered by relevance is a 400 that says why', async () => {
    await createArticle(t, { title: 'إيران', body: 'نص' })
    const res = await list(t, '/v1/articles', { q: 'إيران', cursor: 'abc' })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().errors).toEqual([{ path: 'cursor', message: expect.stringContaining('relevance') }])
  })

  it('a cursor with q and a sort walks every match once', async () => {
    const ids: number[] = []
    for (let i = 0; i < 5; i++) {
      const article = await createArticle(t, {
        title: `إيران ${i}`,
        body: 'نص',
        publishedAt: `202${i}-01-01T00:00:00.000Z`,
      })
      ids.push(article.id)
    }
    await createArticle(t, { title: 'موسكو', body: 'نص' })
    const seen: number[] = []
    const params = { q: 'ايران', sort: '-publishedAt', perPage: 2 }
    let res = await list(t, '/v1/articles', params)
    for (;;) {
      expect(res.statusCode).toBe(200)
      const page = res.json()
      seen.push(...page.data.map((a: { id: number }) => a.id))
      expect(page.meta.total).toBe(5)
      if (!page.meta.nextCursor) break
      res = await list(t, '/v1/articles', { ...params, cursor: page.meta.nextCursor })
    }
    expect(seen).toEqual([...ids].reverse())
  })
  it('with many matches, q + sort reads in the sort order and agrees with the plain list', async () => {
    // More matches than FEW_MATCHES (2,000) in search.sqlite.ts, so the list walks the sort's index.
    const { articles } = t.services
    for (let i = 0; i < 2_100; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0')
      await articles.create({
        title: `إيران ${i}`,
        body: i % 3 === 0 ? 'عن طهران' : 'نص',
        status: i % 10 === 0 ? 'draft' : 'published',
        publishedAt: `2020-01-${day}T00:00:00.000Z`,
      })
    }
    for (const sort of ['-publishedAt', 'title', '-updatedAt']) {
      const plain = await list(t, '/v1/articles', { sort, perPage: 7, page: 3 })
      const searched = await list(t, '/v1/articles', { q: 'ايران', sort, perPage: 7, page: 3 })
      expect(searched.json().meta).toEqual(plain.json().meta)
      expect(searched.json().meta.total).toBe(1_890)
      expect(searched.json().data).toEqual(plain.json().data)
    }
    const both = await list(t, '/v1/articles', { q: 'ايران طهران', sort: 'publishedAt', perPage: 5 })
    expect(both.json().meta.total).toBe(630)
  }, 60_000)
})

describe('GET /v1/articles?q= — visibility and filters', () => {
  async function arrange() {
    const live = await createArticle(t, { title: 'إيران اليوم', body: 'نص', author: 'سارة', tags: ['سياسة'] })
    const draft = await createArticle(t, { title: 'إيران مسودة', body: 'نص', status: 'draft' })
    const scheduled = await createArticle(t, {
      title: 'إيران غدا',
      body: 'نص',
      publishedAt: minutesFromNow(60),
    })
    const otherAuthor = await createArticle(t, {
      title: 'إيران أمس',
      body: 'نص',
      author: 'علي',
      tags: ['سياسة'],
    })
    const otherTag = await createArticle(t, {
      title: 'إيران والرياضة',
      body: 'نص',
      author: 'سارة',
      tags: ['رياضة'],
    })
    return { live, draft, scheduled, otherAuthor, otherTag }
  }

  it('the public never finds drafts or scheduled articles, even by status', async () => {
    const a = await arrange()
    const ids = await searchIds(t, { q: 'ايران' })
    expect(ids.sort()).toEqual([a.live.id, a.otherAuthor.id, a.otherTag.id].sort())
    const res = await list(t, '/v1/articles', { q: 'ايران', status: 'all' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(await searchIds(t, { q: 'مسودة' })).toEqual([])
    expect(await searchIds(t, { q: 'غدا' })).toEqual([])
  })

  it('a token holder finds them with status', async () => {
    const a = await arrange()
    expect(await searchIds(t, { q: 'مسودة', status: 'all' }, t.editorAuth)).toEqual([a.draft.id])
    expect(await searchIds(t, { q: 'ايران', status: 'draft' }, t.editorAuth)).toEqual([a.draft.id])
    expect(await searchIds(t, { q: 'ايران', status: 'scheduled' }, t.editorAuth)).toEqual([a.scheduled.id])
    expect(await searchIds(t, { q: 'ايران', status: 'all' }, t.editorAuth)).toHaveLength(5)
    // Without status, a token sees what the public sees.
    expect(await searchIds(t, { q: 'ايران' }, t.editorAuth)).toHaveLength(3)
  })

  it.each([
    [{ author: 'سارة' }, ['live', 'otherTag']],
    [{ tag: 'سياسة' }, ['live', 'otherAuthor']],
    [{ tag: 'سياسة', author: 'سارة' }, ['live']],
    [{ tag: 'لا-يوجد' }, []],
    [{ author: 'سارة', sort: 'title' }, ['live', 'otherTag']],
  ] as const)('q combines with %j', async (filters, expected) => {
    const a = await arrange()
    const ids = await searchIds(t, { q: 'إيران', ...filters })
    expect(ids.sort()).toEqual(expected.map((key) => a[key].id).sort())
    const res = await list(t, '/v1/articles', { q: 'إيران', ...filters })
    expect(res.json().meta.total).toBe(expected.length)
  })

  it('combines with status for a token holder', async () => {
    await arrange()
    const draftBySara = await createArticle(t, {
      title: 'إيران بقلم سارة',
      body: 'نص',
      status: 'draft',
      author: 'سارة',
    })
    expect(await searchIds(t, { q: 'إيران', status: 'draft', author: 'سارة' }, t.editorAuth)).toEqual([
      draftBySara.id,
    ])
  })
})

describe('the index follows every write', () => {
  it('PATCH of title and body replaces the old words with the new', async () => {
    const a = await createArticle(t, { title: 'موسكو', body: 'كلام عن **البحر الأسود**' })
    expect(await searchIds(t, { q: 'الأسود' })).toEqual([a.id])
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${a.id}`,
      headers: t.editorAuth,
      payload: { title: 'طهران', body: 'كلام عن *الخليج*' },
    })
    expect(res.statusCode).toBe(200)
    expect(await searchIds(t, { q: 'موسكو' })).toEqual([])
    expect(await searchIds(t, { q: 'الأسود' })).toEqual([])
    expect(await searchIds(t, { q: 'طهران' })).toEqual([a.id])
    expect(await searchIds(t, { q: 'الخليج' })).toEqual([a.id])
    await expectIndexInStep(t)
  })

  it('indexes the text a reader sees, not the HTML or Markdown around it', async () => {
    const a = await createArticle(t, {
      title: 'خبر',
      body: '<p class="lead">نص <a href="https://example.com/span">الرابط</a></p>',
      bodyFormat: 'html',
    })
    expect(await searchIds(t, { q: 'الرابط' })).toEqual([a.id])
    expect(await searchIds(t, { q: 'href' })).toEqual([])
    expect(await searchIds(t, { q: 'lead' })).toEqual([])
    expect(await searchIds(t, { q: 'example' })).toEqual([])
  })

  it('a PATCH to draft hides it from the public, and back to published shows it again', async () => {
    const a = await createArticle(t, { title: 'إيران', body: 'نص' })
    const patch = (status: string) =>
      t.app.inject({
        method: 'PATCH',
        url: `/v1/articles/${a.id}`,
        headers: t.editorAuth,
        payload: { status },
      })
    expect((await patch('draft')).statusCode).toBe(200)
    expect(await searchIds(t, { q: 'إيران' })).toEqual([])
    expect(await searchIds(t, { q: 'إيران', status: 'draft' }, t.editorAuth)).toEqual([a.id])
    expect((await patch('published')).statusCode).toBe(200)
    expect(await searchIds(t, { q: 'إيران' })).toEqual([a.id])
  })

  it('a PATCH of tags keeps the match and moves it between tag filters', async () => {
    const a = await createArticle(t, { title: 'إيران', body: 'نص', tags: ['سياسة'] })
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${a.id}`,
      headers: t.editorAuth,
      payload: { tags: ['اقتصاد'] },
    })
    expect(res.statusCode).toBe(200)
    expect(await searchIds(t, { q: 'إيران', tag: 'سياسة' })).toEqual([])
    expect(await searchIds(t, { q: 'إيران', tag: 'اقتصاد' })).toEqual([a.id])
    await expectIndexInStep(t)
  })

  it('DELETE removes the index row with the article', async () => {
    const a = await createArticle(t, { title: 'إيران', body: 'نص' })
    const b = await createArticle(t, { title: 'إيران أيضا', body: 'نص' })
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/articles/${a.id}`, headers: t.editorAuth })
    expect(res.statusCode).toBe(204)
    expect(await searchIds(t, { q: 'إيران' })).toEqual([b.id])
    await expectIndexInStep(t)
  })

  it('a write that fails leaves the index as it was', async () => {
    const a = await createArticle(t, { title: 'إيران', body: 'نص', slug: 'taken' })
    const b = await createArticle(t, { title: 'موسكو', body: 'نص' })
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${b.id}`,
      headers: t.editorAuth,
      payload: { title: 'طهران', slug: 'taken' },
    })
    expect(res.statusCode).toBe(409)
    expect(await searchIds(t, { q: 'طهران' })).toEqual([])
    expect(await searchIds(t, { q: 'موسكو' })).toEqual([b.id])
    expect(await searchIds(t, { q: 'إيران' })).toEqual([a.id])
    await expectIndexInStep(t)
  })
})

describe('hostile queries are text', () => {
  // Each is searched as its words, ANDed; the boolean says whether the sample article has every word.
  it.each<[string, boolean]>([
    ['"إيران', true],
    ['إيران"', true],
    ['"إيران"', true],
    ['""', false],
    ['"', false],
    ["'", false],
    ['إيران*', true],
    ['*', false],
    ['ايران *', true],
    ['-إيران', true],
    ['إيران -بوتين', true],
    ['NOT بوتين', false],
    ['بوتين AND', false],
    ['AND', false],
    ['OR', false],
    ['بوتين OR موسكو', false],
    ['إيران NEAR بوتين', false],
    ['NEAR(إيران بوتين)', false],
    ['NEAR', false],
    ['(إيران', true],
    ['إيران)', true],
    ['((إيران)', true],
    [')(', false],
    ['title:إيران', false],
    ['body:', false],
    ['{title body}:إيران', false],
    ['^إيران', true],
    ['إيران + بوتين', true],
    ["'; DROP TABLE articles; --", false],
    ['" OR 1=1 --', false],
    ["إيران') OR rowid > 0 --", false],
    ['articles_fts', false],
    ['\\', false],
    ['%', false],
    ['_', false],
    ['\u0000إيران', true],
    ['إيران\u200f', true],
    ['   إيران   ', true],
    ['a'.repeat(200), false],
    ['إيران '.repeat(33), true],
    ['كلمة '.repeat(40), false],
  ])('%j answers 200 (finds the sample: %s)', async (q, finds) => {
    const { sample } = await seedSample()
    const res = await list(t, '/v1/articles', { q })
    expect(res.statusCode, res.body).toBe(200)
    expect(
      res
        .json()
        .data.map((a: { id: number }) => a.id)
        .includes(sample.id),
    ).toBe(finds)
    expect(res.json().meta.total).toBe(res.json().data.length)
    expect(await t.count('articles')).toBe(3)
  })

  it.each([
    ['1,000 characters', 'إيران '.repeat(200)],
    ['201 characters', 'a'.repeat(201)],
  ])('a query over 200 characters (%s) is a 400 problem naming q, not echoing it', async (_label, q) => {
    await seedSample()
    const res = await list(t, '/v1/articles', { q })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json()).toMatchObject({ status: 400, errors: [{ path: 'q' }] })
    expect(res.body).not.toContain('إيران إيران')
    expect(res.body).not.toContain('aaaa')
  })

  it.each(['', ' ', '\t\n'])('an empty q (%j) is no search: the plain list', async (q) => {
    await seedSample()
    const plain = await searchIds(t, {})
    expect(await searchIds(t, { q })).toEqual(plain)
    expect(plain).toHaveLength(3)
  })

  it('a repeated q parameter is a 400, not a 500', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/articles?q=a&q=b' })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })
})

describe('GET /v1/tags?q=', () => {
  async function arrangeTags() {
    const names = ['إيران', 'روسيا', 'الاتفاق النووي', 'العطار التركي', 'Média', 'سوريا']
    const ids: Record<string, number> = {}
    for (const name of names) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: t.editorAuth,
        payload: { name },
      })
      expect(res.statusCode).toBe(201)
      ids[name] = res.json().id
    }
    return ids
  }

  it.each<[string, string[]]>([
    ['اير', ['إيران']],
    ['إير', ['إيران']],
    ['أير', ['إيران']],
    ['ايران', ['إيران']],
    ['الإيرانية', ['إيران']],
    ['روس', ['روسيا']],
    ['نوو', ['الاتفاق النووي']],
    ['الاتفاق', ['الاتفاق النووي']],
    ['اتفاق نوو', ['الاتفاق النووي']],
    ['اتفاق روس', []],
    ['med', ['Média']],
    ['MEDIA', ['Média']],
    ['العطار', ['العطار التركي']],
    ['ترك', ['العطار التركي']],
    ['ال', ['الاتفاق النووي', 'العطار التركي']],
    ['سو', ['سوريا']],
    ['زز', []],
  ])('%j finds %j', async (q, expected) => {
    const ids = await arrangeTags()
    const res = await list(t, '/v1/tags', { q })
    expect(res.statusCode).toBe(200)
    const found = res.json().data.map((tag: { id: number }) => tag.id)
    expect(found.sort()).toEqual(expected.map((name) => ids[name]).sort())
    expect(res.json().meta.total).toBe(expected.length)
  })

  it('keeps name order and pages the matches', async () => {
    await arrangeTags()
    const res = await list(t, '/v1/tags', { q: 'ال', perPage: 1, page: 2 })
    expect(res.json().meta).toEqual({ page: 2, perPage: 1, total: 2, totalPages: 2 })
    expect(res.json().data.map((tag: { name: string }) => tag.name)).toEqual(['العطار التركي'])
  })

  it.each(['', '  '])('an empty q (%j) lists every tag', async (q) => {
    await arrangeTags()
    const res = await list(t, '/v1/tags', { q })
    expect(res.json().meta.total).toBe(6)
  })

  it.each(['"', '*', 'title:', 'NEAR(', "'; DROP TABLE tags; --", '%', '_'])(
    'hostile %j answers 200',
    async (q) => {
      await arrangeTags()
      const res = await list(t, '/v1/tags', { q })
      expect(res.statusCode).toBe(200)
      expect(await t.count('tags')).toBe(6)
    },
  )

  it('a query over 200 characters is a 400 problem', async () => {
    const res = await list(t, '/v1/tags', { q: 'ا'.repeat(1000) })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'q' })])
  })
})

/** The index table's own ids, in order: FTS5 rowids on SQLite, article_search's article ids on PostgreSQL. */
async function indexedIds(database: Database): Promise<number[]> {
  const rows =
    database.engine === 'sqlite'
      ? await rawQuery<{ id: number }>(database, 'SELECT rowid AS id FROM articles_fts ORDER BY rowid')
      : await rawQuery<{ id: number }>(
          database,
          'SELECT article_id AS id FROM article_search ORDER BY article_id',
        )
  return rows.map((row) => row.id)
}

/** The analyzer versions search_index_state records (one row, or none before the index was first built). */
async function indexState(database: Database): Promise<number[]> {
  const rows = await rawQuery<{ value: number }>(
    database,
    'SELECT value FROM search_index_state WHERE key = ?',
    ANALYZER_VERSION_KEY,
  )
  return rows.map((row) => row.value)
}

describe('a database that already has articles when the search index arrives', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  /** A copy of migrations/sqlite that stops before 0001: the database as it was before search existed. */
  function migrationsBeforeSearch(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sahifa-mig-'))
    dirs.push(dir)
    cpSync(sqliteMigrationsFolder, dir, { recursive: true })
    const journalPath = join(dir, 'meta', '_journal.json')
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
    journal.entries = journal.entries.filter((entry: { tag: string }) => entry.tag === '0000_init')
    writeFileSync(journalPath, JSON.stringify(journal))
    return dir
  }

  /**
   * Articles stored without index rows, on the engine under test. SQLite: its migrations up to 0000 only, the
   * rows, and then 0001 (which makes the FTS5 table) runs at start. PostgreSQL creates article_search in its
   * first migration, so the counterpart is rows written straight into articles after migrating, with
   * search_index_state cleared: the index has never been built over them.
   */
  async function arrangeArticlesWithoutIndex(database: Database): Promise<void> {
    if (database.engine === 'sqlite') {
      migrate(drizzle({ client: (database as SqliteDatabase).sqlite }), {
        migrationsFolder: migrationsBeforeSearch(),
      })
    } else {
      await database.migrate()
    }
    const now = new Date().toISOString()
    const html = (body: string) => renderBody(body, 'markdown')
    const insert = (...values: unknown[]) =>
      rawQuery(
        database,
        `INSERT INTO articles (slug, title, excerpt, body, body_format, html, status, published_at, created_at,
           updated_at) VALUES (?, ?, ?, ?, 'markdown', ?, ?, ?, ?, ?)`,
        ...values,
      )
    await insert('sample', SAMPLE_TITLE, 'مقتطف', SAMPLE_BODY, html(SAMPLE_BODY), 'published', now, now, now)
    await insert('draft', 'مسودة عن إيران', 'مقتطف', 'نص', html('نص'), 'draft', null, now, now)
    await insert('moscow', 'موسكو', 'مقتطف', 'عن **القطب**', html('عن **القطب**'), 'published', now, now, now)
    if (database.engine === 'pg') {
      await rawQuery(database, 'DELETE FROM search_index_state')
      expect(await indexedIds(database)).toEqual([])
    }
  }

  const how =
    TEST_ENGINE === 'sqlite'
      ? 'migration 0001 on existing articles'
      : 'articles written after migrating, search_index_state cleared'

  it(`indexes the existing articles at start, once, and search finds them (${how})`, async () => {
    const database = await openDatabase(await emptyDatabaseUrl())
    onTestFinished(() => database.close())
    const config = loadConfig({
      DATABASE_URL: ':memory:',
      ADMIN_TOKEN,
      LOG_LEVEL: 'silent',
      SEED_SAMPLE: 'false',
    })
    await arrangeArticlesWithoutIndex(database)

    const log = createLogger(config)
    const services = await createServices({ database, config, logger: log })
    onTestFinished(() => services.close())
    await bootstrap(database, services, config, log, () => {})
    const app = await buildApp({ config, services, logger: log })
    onTestFinished(() => app.close())

    expect(await indexedIds(database)).toEqual([1, 2, 3])
    expect(await services.search.size()).toBe(3)
    const search = async (params: Record<string, string>) => {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/articles?${new URLSearchParams(params)}`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      expect(res.statusCode).toBe(200)
      return res.json().data.map((a: { slug: string }) => a.slug)
    }
    expect(await search({ q: 'ايران' })).toEqual(['sample'])
    expect(await search({ q: 'طهران' })).toEqual(['sample'])
    expect(await search({ q: 'القطب' })).toEqual(['moscow'])
    expect(await search({ q: 'مسودة' })).toEqual([])
    expect(await search({ q: 'مسودة', status: 'all' })).toEqual(['draft'])
    // A second start finds the index built and leaves it alone.
    const rebuilt = await services.search.size()
    await bootstrap(database, services, config, log, () => {})
    expect(await services.search.size()).toBe(rebuilt)
    expect(await services.search.rebuildIfNeeded()).toBe(0)
    expect(await indexState(database)).toEqual([ANALYZER_VERSION])
  })

  it('a new database starts with an empty index, marked built once it has started', async () => {
    // search_index_state stays with the database: on PostgreSQL this test gets one that no other test uses.
    const fresh = await buildTestApp({ isolated: true })
    onTestFinished(() => fresh.app.close())
    // SQLite's migration marks the index of an empty database built; PostgreSQL's first start does.
    if (fresh.database.engine === 'sqlite')
      expect(await indexState(fresh.database)).toEqual([ANALYZER_VERSION])
    expect(await fresh.services.search.rebuildIfNeeded()).toBe(0)
    expect(await indexState(fresh.database)).toEqual([ANALYZER_VERSION])
    expect(await fresh.services.search.size()).toBe(0)
    expect(await indexedIds(fresh.database)).toEqual([])
  })

  it('an index from an older analyzer version is rebuilt at start', async () => {
    // Breaks the index on purpose: on PostgreSQL this test gets a database that no other test uses.
    const old = await buildTestApp({ isolated: true })
    onTestFinished(() => old.app.close())
    await createArticle(old, { title: 'إيران', body: 'نص' })
    await old.query(
      old.database.engine === 'sqlite' ? 'DELETE FROM articles_fts' : 'DELETE FROM article_search',
    )
    await old.query(
      `INSERT INTO search_index_state (key, value) VALUES (?, 0)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ANALYZER_VERSION_KEY,
    )
    expect(await old.services.search.size()).toBe(0)
    await bootstrap(old.database, old.services, old.config, createLogger(old.config), () => {})
    await expectIndexInStep(old)
    expect(await indexState(old.database)).toEqual([ANALYZER_VERSION])
    expect((await searchIds(old, { q: 'ايران' })).length).toBe(1)
  })
})
