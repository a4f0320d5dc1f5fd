/**
 * The read benchmark's data: N Arabic articles with 3 tags each (from a pool of 50) and a few approved comments,
 * written through the new code's services so every derived column (html, excerpt, search index) is the real one.
 * The same seed and a fixed clock give the same rows on SQLite and PostgreSQL.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/open.js'
import type { Clock } from '../../src/lib/clock.js'
import { createLogger } from '../../src/logger.js'
import { createServices } from '../../src/services.js'

// Bump when the generator changes, so a cached file from an older generator is not reused.
const GENERATOR_VERSION = 1
const dataDir = fileURLToPath(new URL('../.data/', import.meta.url))
// Publication times step back an hour from here; far enough in the past that every published one is live.
const BASE_TIME = Date.parse('2024-01-01T00:00:00.000Z')
const HOUR = 3_600_000

const TOPICS = ['سياسة', 'اقتصاد', 'ثقافة', 'رياضة', 'تقنية']
const PLACES = ['مصر', 'لبنان', 'سوريا', 'العراق', 'الأردن', 'تونس', 'المغرب', 'الجزائر', 'الخليج', 'فلسطين']
const TAGS = TOPICS.flatMap((topic) => PLACES.map((place) => `${topic} ${place}`))
const AUTHORS = ['محمد نور الدين', 'ليلى خالد', 'سامر العلي', 'هدى الشامي', 'كريم منصور', 'رنا حداد']
const WORDS = [
  'الحكومة',
  'البرلمان',
  'الاقتصاد',
  'المدينة',
  'الشباب',
  'الانتخابات',
  'الأسواق',
  'التعليم',
  'الصحة',
  'المستقبل',
  'الثقافة',
  'الطاقة',
  'المياه',
  'الزراعة',
  'الحوار',
  'المنطقة',
  'في',
  'من',
  'على',
  'إلى',
  'أن',
  'مع',
  'بين',
  'قال',
  'أكد',
  'يرى',
  'جديد',
  'كبير',
  'اليوم',
  'العام',
]

// A deterministic PRNG (mulberry32): every run, and every engine, gets the same corpus.
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function articleSlug(index: number, articles: number): string {
  return `article-${String(index).padStart(Math.max(4, String(articles).length), '0')}`
}

/** Every 50th article is a draft and the last two are scheduled: the public list must skip both. */
export function isLive(index: number, articles: number): boolean {
  return index % 50 !== 0 && index <= articles - 2
}

/** Fills an empty, migrated database at `url` (a SQLite path or postgres://…). */
export async function generate(url: string, articles: number): Promise<void> {
  const random = rng(20240101)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(' ')

  let now = BASE_TIME
  const clock: Clock = { now: () => new Date(now) }
  const config = loadConfig({
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    SEED_SAMPLE: 'false',
    COMMENTS_AUTO_APPROVE: 'true',
  })
  const database = openDatabase(url)
  try {
    await database.migrate()
    const services = await createServices({ database, config, logger: createLogger(config), clock })
    try {
      for (let i = 1; i <= articles; i++) {
        now = BASE_TIME - (articles - i) * HOUR
        const tags = new Set<string>()
        while (tags.size < 3) tags.add(pick(TAGS))
        const paragraphs = Array.from({ length: 6 }, (_, p) =>
          p === 1 ? `## ${sentence(4)}\n\n**${sentence(3)}** ${sentence(40)}.` : `${sentence(60)}.`,
        )
        const scheduled = i > articles - 2
        await services.articles.create({
          slug: articleSlug(i, articles),
          title: `${sentence(6)} (${i})`,
          body: paragraphs.join('\n\n'),
          author: pick(AUTHORS),
          coverImageUrl: i % 3 === 0 ? `https://example.com/images/${i}.jpg` : null,
          status: i % 50 === 0 ? 'draft' : 'published',
          publishedAt:
            i % 50 === 0 ? null : new Date(scheduled ? Date.parse('2999-01-01') : now).toISOString(),
          tags: [...tags],
        })
        // A few comments: one article in seven has one to three.
        if (isLive(i, articles) && i % 7 === 0) {
          for (let c = 0, count = 1 + (i % 3); c < count; c++) {
            await services.comments.create(
              articleSlug(i, articles),
              {
                authorName: pick(AUTHORS),
                authorEmail: `reader${c}@example.com`,
                body: `${sentence(20)} (${c})`,
              },
              { privileged: false, clientIp: null },
            )
          }
        }
      }
    } finally {
      await services.close()
    }
  } finally {
    await database.close()
  }
}

/** The cached SQLite file for `articles` articles, built on first use (or with `fresh`). */
export async function sqliteData(articles: number, fresh: boolean): Promise<string> {
  const path = `${dataDir}reads-${articles}-v${GENERATOR_VERSION}.db`
  if (existsSync(path) && !fresh) return path
  mkdirSync(dataDir, { recursive: true })
  // Built under another name and renamed when complete: an interrupted run leaves no half-filled cache.
  const partial = `${path}.partial`
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true })
  const started = performance.now()
  await generate(partial, articles)
  renameSync(partial, path)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(`  generated ${articles.toLocaleString('en')} articles in ${seconds} s: ${path}\n`)
  return path
}
