/**
 * Search benchmark: 100,000 synthetic Arabic articles (~3 KB bodies) in a file database, then search vs plain
 * list latency through the real app, interleaved in one run. `npm run bench:search [-- --fresh]`.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openSqlite } from '../src/db/sqlite/database.js'
import { tokenize } from '../src/lib/arabic.js'
import { deriveExcerpt, plainText, readingTimeMinutes } from '../src/lib/html.js'
import { createLogger } from '../src/logger.js'
import { createSqliteSearchIndex } from '../src/modules/search/search.sqlite.js'
import { createServices } from '../src/services.js'

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000)
const BODY_BYTES = 3_000
const WARMUP = 40
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 420)
const dataDir = fileURLToPath(new URL('./.data/', import.meta.url))
const dbPath = `${dataDir}search-${ARTICLES}.db`

// A deterministic PRNG (mulberry32), so every run builds the same corpus and asks the same questions.
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = rng(20171101)
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T

/** Index into a list of n by a Zipf-like law (s = 1): rank 1 is drawn about n/H(n) times more than rank n. */
function zipfSampler(n: number) {
  const cumulative = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1)
    cumulative[i] = sum
  }
  return () => {
    const x = random() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

// Vocabulary: function words (very frequent), the sample article's words as written (with their prefixes,
// suffixes, hamzas and both spellings of إيران), and 20,000 made-up words for the long tail.
const FUNCTION_WORDS = ['في', 'من', 'على', 'إلى', 'أن', 'عن', 'مع', 'هذا', 'التي', 'الذي', 'بين', 'كان', 'قد']
const sampleText = readFileSync(new URL('../seeds/bodies/putin-in-iran.md', import.meta.url), 'utf8')
const SAMPLE_WORDS = [
  ...new Set(
    sampleText.split(/[\s\p{P}\p{S}]+/u).filter((w) => /\p{Script=Arabic}/u.test(w) && w.length > 2),
  ),
]
const LETTERS = 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي'
const SYNTHETIC_WORDS = Array.from({ length: 20_000 }, () => {
  const length = 3 + Math.floor(random() * 5)
  let word = random() < 0.3 ? 'ال' : ''
  for (let i = 0; i < length; i++) word += pick([...LETTERS])
  return word
})
const sampleRank = zipfSampler(SAMPLE_WORDS.length)
const syntheticRank = zipfSampler(SYNTHETIC_WORDS.length)

/**
 * An article is about something: it draws the sample article's words from its own topic, 15 of them picked
 * Zipf-wise, so a common word like بوتين is in a large share of articles but not in every one.
 */
function topic(): string[] {
  return Array.from({ length: 15 }, () => SAMPLE_WORDS[sampleRank()] as string)
}

function word(words: string[]): string {
  const x = random()
  if (x < 0.3) return pick(FUNCTION_WORDS)
  if (x < 0.55) return pick(words)
  return SYNTHETIC_WORDS[syntheticRank()] as string
}

function sentence(words: string[]): string {
  const n = 8 + Math.floor(random() * 8)
  return Array.from({ length: n }, () => word(words)).join(' ')
}

/** Markdown paragraphs of about `bytes` UTF-8 bytes, their HTML (what markdown-it gives for plain paragraphs). */
function body(bytes: number, words: string[]): { markdown: string; html: string } {
  const paragraphs: string[] = []
  let size = 0
  while (size < bytes) {
    const paragraph = `${Array.from({ length: 3 + Math.floor(random() * 3) }, () => sentence(words)).join('، ')}.`
    paragraphs.push(paragraph)
    size += Buffer.byteLength(paragraph) + 2
  }
  return { markdown: paragraphs.join('\n\n'), html: paragraphs.map((p) => `<p>${p}</p>`).join('\n') }
}

const AUTHORS = Array.from({ length: 40 }, (_, i) => `كاتب ${i + 1}`)
const TAGS = Array.from({ length: 200 }, (_, i) => `وسم ${i + 1}`)
const YEARS_MS = 10 * 365 * 24 * 3600 * 1000
const START = Date.parse('2015-01-01T00:00:00.000Z')

async function generate(): Promise<void> {
  rmSync(dbPath, { force: true })
  rmSync(`${dbPath}-wal`, { force: true })
  rmSync(`${dbPath}-shm`, { force: true })
  const database = openSqlite(dbPath)
  await database.migrate()
  const { sqlite } = database
  // The app's own search index (and analyzer), written in each batch's transaction as the services write it.
  const search = createSqliteSearchIndex(database)
  const started = performance.now()
  const now = new Date().toISOString()
  const insertTag = sqlite.prepare(
    'INSERT INTO tags (slug, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  )
  sqlite.transaction(() => {
    for (const name of TAGS) insertTag.run(name.replace(' ', '-'), name, '', now, now)
  })()
  const insertArticle = sqlite.prepare(
    `INSERT INTO articles (slug, title, excerpt, body, body_format, html, author, status, published_at,
       reading_time_minutes, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'markdown', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
  const insertArticleTag = sqlite.prepare(
    'INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)',
  )
  const batch = 5_000
  let checked = false
  for (let from = 0; from < ARTICLES; from += batch) {
    await database.transaction(async (tx) => {
      for (let i = from; i < Math.min(from + batch, ARTICLES); i++) {
        const words = topic()
        const title = Array.from({ length: 6 + Math.floor(random() * 7) }, () => word(words)).join(' ')
        const { markdown, html } = body(BODY_BYTES, words)
        // What plainText(html) gives for these paragraphs, without running the sanitizer 100,000 times.
        const text = html
          .replace(/<\/p>\n?/g, ' ')
          .replace(/<p>/g, '')
          .trim()
        if (!checked) {
          if (plainText(html) !== text) throw new Error('bench text differs from plainText(html)')
          checked = true
        }
        const excerpt = deriveExcerpt(text)
        const x = random()
        const status = x < 0.03 ? 'draft' : 'published'
        const publishedAt =
          status === 'draft'
            ? null
            : new Date(
                x < 0.05 ? Date.now() + 86_400_000 * (1 + random() * 30) : START + random() * YEARS_MS,
              ).toISOString()
        const author = pick(AUTHORS)
        const row = insertArticle.get(
          `article-${i + 1}`,
          title,
          excerpt,
          markdown,
          html,
          author,
          status,
          publishedAt,
          readingTimeMinutes(text),
          publishedAt ?? now,
          publishedAt ?? now,
        ) as { id: number }
        const tagCount = Math.floor(random() * 4)
        const tagIds = new Set(Array.from({ length: tagCount }, () => 1 + Math.floor(random() * TAGS.length)))
        let position = 0
        for (const tagId of tagIds) insertArticleTag.run(row.id, tagId, position++)
        // The FTS row comes from the app's own SearchIndex and analyzer.
        await search.index(tx, { id: row.id, title, excerpt, text, status, publishedAt, author })
      }
    })
    if ((from / batch) % 4 === 3) {
      const done = Math.min(from + batch, ARTICLES)
      const seconds = ((performance.now() - started) / 1000).toFixed(0)
      process.stdout.write(`  generated ${done.toLocaleString('en')} articles in ${seconds} s\n`)
    }
  }
  sqlite.exec("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
  sqlite.exec('ANALYZE')
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  await database.close()
  console.log(
    `Generated ${ARTICLES.toLocaleString('en')} articles in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  )
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** The database's size, and its size once the FTS index is dropped (measured on a vacuumed copy). */
function sizes(): { withIndex: number; withoutIndex: number; index: number } {
  const withIndex = statSync(dbPath).size
  const copy = `${dbPath}.noindex`
  copyFileSync(dbPath, copy)
  const { sqlite } = openSqlite(copy)
  sqlite.pragma('journal_mode = DELETE')
  sqlite.exec('DROP TABLE articles_fts')
  sqlite.exec('VACUUM')
  sqlite.close()
  const withoutIndex = statSync(copy).size
  rmSync(copy, { force: true })
  return { withIndex, withoutIndex, index: withIndex - withoutIndex }
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] as number
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

// Realistic questions: common names and words of the news (each in a large share of the corpus), rare words
// from the long tail, and two- and three-word queries, some in another spelling than the text.
const QUERIES = [
  'إيران',
  'ايران',
  'بوتين',
  'الرئيس',
  'طهران',
  'موسكو',
  'الاتفاق النووي',
  'بوتين طهران',
  'الرئيس الروسي إيران',
  SYNTHETIC_WORDS[5_000] as string,
  SYNTHETIC_WORDS[12_000] as string,
  SYNTHETIC_WORDS[19_000] as string,
  `${SYNTHETIC_WORDS[300]} ${SYNTHETIC_WORDS[700]}`,
  `روسيا ${SYNTHETIC_WORDS[2_000]}`,
]

export async function runSearchBench(): Promise<{ ratio: number; p99Ratio: number }> {
  const fresh = process.argv.includes('--fresh') || !existsSync(dbPath)
  console.log(`\nSearch benchmark: ${ARTICLES.toLocaleString('en')} articles, ${dbPath}`)
  if (fresh) await generate()
  else console.log('Reusing the generated database (pass --fresh to rebuild it).')

  // The read cache off: with it, every repeat of a query would be a cache hit and measure nothing of search.
  const config = loadConfig({
    DATABASE_URL: dbPath,
    LOG_LEVEL: 'silent',
    SEED_SAMPLE: 'false',
    READ_CACHE_MB: '0',
  })
  const logger = createLogger(config)
  const database = openSqlite(dbPath)
  const services = await createServices({ database, config, logger })
  const app = await buildApp({ config, services, logger })
  await app.ready()

  const ms = (x: number) => `${x.toFixed(2)} ms`
  const time = async (url: string) => {
    const started = performance.now()
    const res = await app.inject({ method: 'GET', url })
    const elapsed = performance.now() - started
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`)
    return { elapsed, total: res.json().meta.total as number }
  }
  const plainUrl = '/v1/articles?perPage=20'
  const searchUrl = (q: string) => `/v1/articles?${new URLSearchParams({ q, perPage: '20' })}`

  for (let i = 0; i < WARMUP; i++) {
    await time(plainUrl)
    await time(searchUrl(QUERIES[i % QUERIES.length] as string))
  }
  const plain: number[] = []
  const search: number[] = []
  const perQuery = new Map<string, { samples: number[]; total: number }>()
  for (let i = 0; i < ROUNDS; i++) {
    plain.push((await time(plainUrl)).elapsed)
    const q = QUERIES[i % QUERIES.length] as string
    const { elapsed, total } = await time(searchUrl(q))
    search.push(elapsed)
    const entry = perQuery.get(q) ?? { samples: [], total }
    entry.samples.push(elapsed)
    perQuery.set(q, entry)
  }
  // Other shapes of search, for the record (not part of the ratio).
  const shapes: Record<string, string>[] = []
  for (const [label, params] of [
    ['q, common word, page 2', { q: 'بوتين', page: '2' }],
    ['q, common word, page 300', { q: 'بوتين', page: '300' }],
    ['q + sort=-publishedAt, common word', { q: 'بوتين', sort: '-publishedAt' }],
    ['q + sort=-publishedAt, rare word', { q: SYNTHETIC_WORDS[12_000] as string, sort: '-publishedAt' }],
    ['q + tag, common word', { q: 'بوتين', tag: TAGS[7] as string }],
    ['q + author, common word', { q: 'بوتين', author: AUTHORS[3] as string }],
    ['plain list + tag', { tag: TAGS[7] as string }],
  ] as const) {
    const samples: number[] = []
    let total = 0
    const url = `/v1/articles?${new URLSearchParams({ ...params, perPage: '20' })}`
    for (let i = 0; i < 30; i++) {
      const result = await time(url)
      samples.push(result.elapsed)
      total = result.total
    }
    shapes.push({
      shape: label,
      matches: String(total),
      median: ms(stats(samples).median),
      p99: ms(stats(samples).p99),
    })
  }
  await app.close()
  await services.close()
  await database.close()

  const p = stats(plain)
  const s = stats(search)
  console.log(
    `\nPer query (about ${Math.round(ROUNDS / QUERIES.length)} requests each, perPage=20, relevance order):`,
  )
  console.table(
    [...perQuery].map(([q, { samples, total }]) => ({
      q,
      words: tokenize(q).length,
      matches: total,
      median: ms(stats(samples).median),
      p99: ms(stats(samples).p99),
    })),
  )
  const ratio = s.median / p.median
  const p99Ratio = s.p99 / p.p99
  console.log(`\nInterleaved, ${ROUNDS} requests each after ${WARMUP} warm-up pairs:`)
  console.table([
    { request: `GET ${plainUrl}`, median: ms(p.median), p99: ms(p.p99) },
    { request: 'GET /v1/articles?q=…&perPage=20', median: ms(s.median), p99: ms(s.p99) },
    { request: 'search / plain', median: `${ratio.toFixed(2)}×`, p99: `${p99Ratio.toFixed(2)}×` },
  ])
  console.log('\nOther shapes (30 requests each, perPage=20):')
  console.table(shapes)
  const size = sizes()
  console.table([
    { database: 'with the FTS index', size: mib(size.withIndex) },
    { database: 'without it (dropped, vacuumed copy)', size: mib(size.withoutIndex) },
    {
      database: 'the index',
      size: `${mib(size.index)} (${((100 * size.index) / size.withoutIndex).toFixed(0)}%)`,
    },
  ])
  const met = ratio <= 3 && p99Ratio <= 3
  console.log(`Target: search ≤ 3× the plain list, at the median and at p99 → ${met ? 'met' : 'NOT met'}`)
  return { ratio, p99Ratio }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runSearchBench()
}
