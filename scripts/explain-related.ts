/**
 * npx tsx scripts/explain-related.ts: the query plan and timing of the related-articles tag fill on 10,000
 * articles, in a throwaway SQLite file built by the real migrations. The SQL is the related repository's own:
 * tagFill builds its query and hands it to the database to run, where this script catches it for toSQL().
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Query } from '../src/db/database.js'
import { openSqlite, type SqliteDatabase } from '../src/db/sqlite/database.js'
import { createArticleRepository } from '../src/modules/articles/articles.repository.js'
import { createRelatedRepository } from '../src/modules/related/related.repository.js'

const ARTICLES = 10_000
const TAGS = 300
const RUNS = 200
const FILL_LIMIT = 5

// mulberry32 with a fixed seed, so two runs build the same database and print the same plan.
let seed = 20171101
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}
const randomInt = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))

/** The database as the repositories see it, keeping the last query they ran, so its SQL can be printed. */
function capturing(database: SqliteDatabase) {
  const seen: { last?: Query<unknown> & { toSQL(): { sql: string; params: unknown[] } } } = {}
  const wrapped: SqliteDatabase = {
    ...database,
    all: <T>(query: Query<T>) => {
      seen.last = query as typeof seen.last
      return database.all(query)
    },
  }
  return { database: wrapped, seen }
}

const dir = mkdtempSync(join(tmpdir(), 'sahifa-explain-'))
const database = openSqlite(join(dir, 'explain.db'))
const { sqlite } = database
try {
  await database.migrate()
  const nowMs = Date.now()
  const now = new Date(nowMs).toISOString()

  const insertTag = sqlite.prepare(
    'INSERT INTO tags (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)',
  )
  const insertArticle = sqlite.prepare(
    `INSERT INTO articles (slug, title, excerpt, body, html, status, published_at, created_at, updated_at)
     VALUES (?, ?, '', '', '', ?, ?, ?, ?)`,
  )
  const insertArticleTag = sqlite.prepare(
    'INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)',
  )
  const insertLink = sqlite.prepare(
    'INSERT INTO related_links (article_id, related_id, position) VALUES (?, ?, ?)',
  )

  const started = performance.now()
  sqlite.transaction(() => {
    for (let tag = 1; tag <= TAGS; tag++) insertTag.run(`tag-${tag}`, `وسم ${tag}`, now, now)
    for (let n = 1; n <= ARTICLES; n++) {
      // 90 % live, 5 % scheduled, 5 % drafts; live ones spread over the past two years.
      const roll = random()
      const status = roll < 0.95 ? 'published' : 'draft'
      const offsetMs =
        roll < 0.9 ? -randomInt(1, 2 * 365 * 24 * 60) * 60_000 : randomInt(1, 30 * 24 * 60) * 60_000
      const publishedAt = status === 'draft' ? null : new Date(nowMs + offsetMs).toISOString()
      const id = Number(
        insertArticle.run(`article-${n}`, `مقال ${n}`, status, publishedAt, now, now).lastInsertRowid,
      )
      const tagIds = new Set<number>()
      const wanted = randomInt(2, 5)
      while (tagIds.size < wanted) tagIds.add(randomInt(1, TAGS))
      let position = 0
      for (const tagId of tagIds) insertArticleTag.run(id, tagId, position++)
    }
  })()
  console.log(
    `Built ${ARTICLES} articles with 2–5 of ${TAGS} tags in ${(performance.now() - started).toFixed(0)} ms`,
  )

  // The base article: the first live one, with three manual links the fill must skip.
  const articleId = 1
  const manualIds = [2, 3, 4]
  for (const [position, relatedId] of manualIds.entries()) insertLink.run(articleId, relatedId, position)

  const spy = capturing(database)
  const related = createRelatedRepository(spy.database, createArticleRepository(spy.database).summaryColumns)
  const tagFill = (id: number, excludeIds: number[]) => related.tagFill(id, excludeIds, FILL_LIMIT, now)
  let result = await tagFill(articleId, manualIds)
  if (!spy.seen.last) throw new Error('tagFill ran no query through the database')
  const { sql, params } = spy.seen.last.toSQL()
  console.log('\nSQL:\n', sql, '\nparams:', JSON.stringify(params))

  const printPlan = (heading: string) => {
    console.log(`\n${heading}`)
    const rows = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {
      id: number
      parent: number
      detail: string
    }[]
    const depth = new Map<number, number>([[0, 0]])
    for (const row of rows) {
      const level = (depth.get(row.parent) ?? 0) + 1
      depth.set(row.id, level)
      console.log(`${'  '.repeat(level)}${row.detail}`)
    }
  }
  printPlan('EXPLAIN QUERY PLAN (no ANALYZE statistics, as a fresh production database has):')

  const timings: number[] = []
  // Warm up the JIT and SQLite's page cache first, so the figures are of the steady state.
  for (let run = 0; run < 50; run++) await tagFill(articleId, manualIds)
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now()
    result = await tagFill(articleId, manualIds)
    timings.push(performance.now() - t0)
  }
  timings.sort((a, b) => a - b)
  const pick = (q: number) =>
    (timings[Math.min(timings.length - 1, Math.floor(q * timings.length))] ?? 0).toFixed(3)
  console.log(
    `\nTiming over ${RUNS} runs (query built by the repository and run through Drizzle): median ${pick(0.5)} ms, p95 ${pick(0.95)} ms, max ${pick(1)} ms`,
  )
  // The same query for 1,000 different articles, so one lucky article does not make the figure.
  const spread: number[] = []
  for (let id = 1001; id <= 2000; id++) {
    const t0 = performance.now()
    await tagFill(id, [])
    spread.push(performance.now() - t0)
  }
  spread.sort((a, b) => a - b)
  const mean = spread.reduce((sum, ms) => sum + ms, 0) / spread.length
  console.log(
    `Over 1,000 different articles: mean ${mean.toFixed(3)} ms, median ${(spread[500] ?? 0).toFixed(3)} ms, max ${(spread.at(-1) ?? 0).toFixed(3)} ms`,
  )
  console.log(
    'Result:',
    result.map((row) => ({ id: row.id, publishedAt: row.publishedAt })),
  )

  sqlite.exec('ANALYZE')
  printPlan('EXPLAIN QUERY PLAN after ANALYZE:')
} finally {
  await database.close()
  rmSync(dir, { recursive: true, force: true })
}
