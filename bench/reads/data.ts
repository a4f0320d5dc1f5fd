/**
 * The read benchmark's data: N Arabic articles with 3 tags each (from a pool of 50) and a few approved comments,
 * written in bulk (one transaction, prepared statements) into a schema built by the real migrations, with the
 * derived columns (html, excerpt, reading time, search index rows) the app itself would store. The same rows go to
 * PostgreSQL, read back from the SQLite file, so both engines serve the same articles with the same ids.
 *
 * The schema is built by the migrations that existed when this data format was written (PINNED_*): migrations
 * added later run when Sahifa starts on a copy, over rows already there, as they would on a real site. So a later
 * migration that fills a table from the articles (counters, say) sees the articles.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { deriveExcerpt, plainText, readingTimeMinutes, renderBody } from '../../src/lib/html.js'
import { slugify } from '../../src/lib/slug.js'
import {
  ANALYZER_VERSION,
  ANALYZER_VERSION_KEY,
  analyzedFields,
} from '../../src/modules/search/search.index.js'
import { documentVector } from '../../src/modules/search/search.pg.js'

// Bump when the generated rows change, so a cached file from an older generator is not reused.
const DATA_VERSION = 2
// The migrations this format was written against (journal entries 0..n-1); see the header.
const PINNED_SQLITE_MIGRATIONS = 4
const PINNED_PG_MIGRATIONS = 3

const root = fileURLToPath(new URL('../../', import.meta.url))
const dataDir = join(root, 'bench/.data')
// Publication times step back an hour from here; far enough in the past that every published one is live.
const BASE_TIME = Date.parse('2024-01-01T00:00:00.000Z')
const HOUR = 3_600_000
const SCHEDULED_AT = '2999-01-01T00:00:00.000Z'

const TOPICS = ['سياسة', 'اقتصاد', 'ثقافة', 'رياضة', 'تقنية']
const PLACES = ['مصر', 'لبنان', 'سوريا', 'العراق', 'الأردن', 'تونس', 'المغرب', 'الجزائر', 'الخليج', 'فلسطين']
const TAGS = TOPICS.flatMap((topic) => PLACES.map((place) => `${topic} ${place}`))
const AUTHORS = ['محمد نور الدين', 'ليلى خالد', 'سامر العلي', 'هدى الشامي', 'كريم منصور', 'رنا حداد']
// prettier-ignore
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

/** A word in nearly every article's text: the search target. */
export const SEARCH_WORD = 'الحكومة'
/** The tag the tag page lists: one of 50, so on about 6% of the articles. */
export const TAG_SLUG = slugify(TAGS[0] as string)

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

/** Every 50th article is a draft and the last two are scheduled: the public list must skip both. */
export function isLive(index: number, articles: number): boolean {
  return index % 50 !== 0 && index <= articles - 2
}

interface Generated {
  slug: string
  title: string
  body: string
  html: string
  text: string
  author: string
  coverImageUrl: string | null
  status: 'draft' | 'published'
  publishedAt: string | null
  time: string
  tags: number[]
  comments: { authorName: string; body: string }[]
}

/** Article `i` (1-based) of `articles`, in Markdown and in the HTML and text the app derives from it. */
function* articlesOf(articles: number): Generator<Generated> {
  const random = rng(20240101)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(' ')
  for (let i = 1; i <= articles; i++) {
    const time = new Date(BASE_TIME - (articles - i) * HOUR).toISOString()
    const tags = new Set<number>()
    while (tags.size < 3) tags.add(Math.floor(random() * TAGS.length))
    const heading = sentence(4)
    const strong = sentence(3)
    const paragraphs = [`${sentence(30)}.`, ...Array.from({ length: 4 }, () => `${sentence(45)}.`)]
    const body = [`## ${heading}`, `**${strong}** ${paragraphs[0]}`, ...paragraphs.slice(1)].join('\n\n')
    // What renderBody and plainText make of this Markdown (checked against them on the first articles).
    const html = [
      `<h2>${heading}</h2>`,
      `<p><strong>${strong}</strong> ${paragraphs[0]}</p>`,
      ...paragraphs.slice(1).map((p) => `<p>${p}</p>`),
    ].join('\n')
    const text = [heading, strong, ...paragraphs].join(' ')
    const title = `${sentence(6)} (${i})`
    const scheduled = i > articles - 2
    const draft = i % 50 === 0
    const comments =
      isLive(i, articles) && i % 7 === 0
        ? Array.from({ length: 1 + (i % 3) }, (_, c) => ({
            authorName: pick(AUTHORS),
            body: `${sentence(20)} (${c})`,
          }))
        : []
    yield {
      slug: slugify(title),
      title,
      body,
      html,
      text,
      author: pick(AUTHORS),
      coverImageUrl: i % 3 === 0 ? `https://example.com/images/${i}.jpg` : null,
      status: draft ? 'draft' : 'published',
      publishedAt: draft ? null : scheduled ? SCHEDULED_AT : time,
      time,
      tags: [...tags],
      comments,
    }
  }
}

/** The migrations folder cut to its first `count` journal entries, in a temporary folder. */
function pinnedMigrations(engine: 'sqlite' | 'pg', count: number): string {
  const source = join(root, 'migrations', engine)
  const journal = JSON.parse(readFileSync(join(source, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[]
  }
  const dir = mkdtempSync(`/tmp/sahifa-bench-migrations-${engine}-`)
  mkdirSync(join(dir, 'meta'))
  const entries = journal.entries.filter((entry) => entry.idx < count)
  if (entries.length !== count) throw new Error(`migrations/${engine} has fewer than ${count} migrations`)
  for (const entry of entries) copyFileSync(join(source, `${entry.tag}.sql`), join(dir, `${entry.tag}.sql`))
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }))
  return dir
}

function writeSqlite(path: string, articles: number): void {
  const migrations = pinnedMigrations('sqlite', PINNED_SQLITE_MIGRATIONS)
  const sqlite = new BetterSqlite3(path)
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = OFF')
    migrateSqlite(drizzleSqlite({ client: sqlite }), { migrationsFolder: migrations })
    const insertTag = sqlite.prepare(`INSERT INTO tags (id, slug, name, description, created_explicitly,
      created_at, updated_at) VALUES (?, ?, ?, '', 0, ?, ?)`)
    const insertArticle = sqlite.prepare(`INSERT INTO articles (id, slug, title, excerpt, body, body_format,
      html, author, cover_image_url, status, published_at, comments_enabled, reading_time_minutes, created_at,
      updated_at) VALUES (?, ?, ?, ?, ?, 'markdown', ?, ?, ?, ?, ?, 1, ?, ?, ?)`)
    const insertArticleTag = sqlite.prepare(
      'INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)',
    )
    const insertComment = sqlite.prepare(`INSERT INTO comments (article_id, author_name, author_email, body,
      status, created_at, updated_at) VALUES (?, ?, ?, ?, 'approved', ?, ?)`)
    // As search.sqlite.ts writes an index row (contentless FTS5, rowid = article id, analyzed terms).
    const insertFts =
      sqlite.prepare(`INSERT INTO articles_fts (rowid, title, excerpt, body, status, published_at,
      author) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    sqlite.transaction(() => {
      const created = new Date(BASE_TIME - articles * HOUR).toISOString()
      TAGS.forEach((name, t) => void insertTag.run(t + 1, slugify(name), name, created, created))
      let id = 0
      for (const article of articlesOf(articles)) {
        id++
        if (id <= 3) {
          if (renderBody(article.body, 'markdown') !== article.html)
            throw new Error(
              `generated HTML differs from renderBody's:\n${renderBody(article.body, 'markdown')}`,
            )
          if (plainText(article.html) !== article.text)
            throw new Error('generated text differs from plainText')
        }
        const excerpt = deriveExcerpt(article.text)
        insertArticle.run(
          id,
          article.slug,
          article.title,
          excerpt,
          article.body,
          article.html,
          article.author,
          article.coverImageUrl,
          article.status,
          article.publishedAt,
          readingTimeMinutes(article.text),
          article.time,
          article.time,
        )
        article.tags.forEach((tag, position) => void insertArticleTag.run(id, tag + 1, position))
        article.comments.forEach(
          (comment, c) =>
            void insertComment.run(
              id,
              comment.authorName,
              `reader${c}@example.com`,
              comment.body,
              article.time,
              article.time,
            ),
        )
        const fields = analyzedFields({
          id,
          title: article.title,
          excerpt,
          text: article.text,
          status: article.status,
          publishedAt: article.publishedAt,
          author: article.author,
        })
        insertFts.run(
          id,
          fields.title.join(' '),
          fields.excerpt.join(' '),
          fields.body.join(' '),
          article.status,
          article.publishedAt,
          article.author,
        )
      }
      // The index is current: Sahifa's start must not rebuild it.
      sqlite
        .prepare(`INSERT INTO search_index_state (key, value) VALUES (?, ?)
          ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
        .run(ANALYZER_VERSION_KEY, ANALYZER_VERSION)
    })()
    sqlite.exec("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    sqlite.exec('ANALYZE')
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    sqlite.close()
    rmSync(migrations, { recursive: true, force: true })
  }
}

/** The cached SQLite file for `articles` articles, built on first use (or with `fresh`). */
export function sqliteData(articles: number, fresh: boolean): string {
  const path = join(dataDir, `reads-${articles}-v${DATA_VERSION}-a${ANALYZER_VERSION}.db`)
  if (existsSync(path) && !fresh) return path
  mkdirSync(dataDir, { recursive: true })
  // Built under another name and renamed when complete: an interrupted run leaves no half-filled cache.
  const partial = `${path}.partial`
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true })
  const started = performance.now()
  writeSqlite(partial, articles)
  for (const suffix of ['-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true })
  renameSync(partial, path)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(`  generated ${articles.toLocaleString('en')} articles in ${seconds} s: ${path}\n`)
  return path
}

const BATCH = 2_000

/**
 * Copies every row of the SQLite file into the empty database at `url`, ids kept, with the search index rows
 * search.pg.ts would write (its own documentVector over the same text).
 */
export async function loadPostgres(url: string, sqlitePath: string): Promise<void> {
  const migrations = pinnedMigrations('pg', PINNED_PG_MIGRATIONS)
  const pool = new pg.Pool({ connectionString: url, max: 1, options: '-c TimeZone=UTC' })
  const sqlite = new BetterSqlite3(sqlitePath, { readonly: true, fileMustExist: true })
  try {
    await migratePg(drizzlePg({ client: pool }), { migrationsFolder: migrations })
    const client = await pool.connect()
    try {
      await client.query("SET maintenance_work_mem = '256MB'")
      await client.query('BEGIN')
      // Secondary indexes are dropped and built again from their own definitions once the rows are in: building
      // the GIN index over 100,000 vectors at once is several times faster than growing it row by row.
      const { rows: indexes } = await client.query<{ name: string; definition: string }>(
        `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
         WHERE schemaname = 'public' AND tablename = ANY($1)
           AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
        [['articles', 'article_search', 'article_tags', 'comments', 'tags']],
      )
      for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`)
      // Each batch is one INSERT … SELECT FROM unnest(arrays): one parameter per column however many rows.
      const copy = async (table: string, columns: [string, string][], rows: unknown[][]) => {
        const params = columns.map((_, c) => rows.map((row) => row[c]))
        const list = columns.map(([name]) => name).join(', ')
        const unnest = columns.map(([, type], c) => `$${c + 1}::${type}[]`).join(', ')
        await client.query(`INSERT INTO ${table} (${list}) SELECT * FROM unnest(${unnest})`, params)
      }
      const inBatches = async (query: string, write: (rows: Record<string, unknown>[]) => Promise<void>) => {
        let batch: Record<string, unknown>[] = []
        for (const row of sqlite.prepare(query).iterate() as Iterable<Record<string, unknown>>) {
          batch.push(row)
          if (batch.length === BATCH) {
            await write(batch)
            batch = []
          }
        }
        if (batch.length > 0) await write(batch)
      }
      await inBatches('SELECT * FROM tags ORDER BY id', (rows) =>
        copy(
          'tags',
          [
            ['id', 'int'],
            ['slug', 'text'],
            ['name', 'text'],
            ['description', 'text'],
            ['created_explicitly', 'boolean'],
            ['created_at', 'timestamptz'],
            ['updated_at', 'timestamptz'],
          ],
          rows.map((r) => [
            r.id,
            r.slug,
            r.name,
            r.description,
            r.created_explicitly === 1,
            r.created_at,
            r.updated_at,
          ]),
        ),
      )
      let checked = 0
      await inBatches('SELECT * FROM articles ORDER BY id', async (rows) => {
        await copy(
          'articles',
          [
            ['id', 'int'],
            ['slug', 'text'],
            ['title', 'text'],
            ['excerpt', 'text'],
            ['body', 'text'],
            ['body_format', 'text'],
            ['html', 'text'],
            ['author', 'text'],
            ['cover_image_url', 'text'],
            ['status', 'text'],
            ['published_at', 'timestamptz'],
            ['comments_enabled', 'boolean'],
            ['reading_time_minutes', 'int'],
            ['created_at', 'timestamptz'],
            ['updated_at', 'timestamptz'],
          ],
          rows.map((r) => [
            r.id,
            r.slug,
            r.title,
            r.excerpt,
            r.body,
            r.body_format,
            r.html,
            r.author,
            r.cover_image_url,
            r.status,
            r.published_at,
            r.comments_enabled === 1,
            r.reading_time_minutes,
            r.created_at,
            r.updated_at,
          ]),
        )
        const vectors = rows.map((r) => {
          const html = r.html as string
          // The generated HTML's text, as plainText gives it (checked on the first rows).
          const text = html
            .replace(/<\/(h2|p)>\n?/g, ' ')
            .replace(/<[^>]+>/g, '')
            .trim()
          if (checked++ < 3 && plainText(html) !== text) throw new Error('bench text differs from plainText')
          return [
            r.id,
            documentVector({
              id: r.id as number,
              title: r.title as string,
              excerpt: r.excerpt as string,
              text,
              status: r.status as string,
              publishedAt: r.published_at as string | null,
              author: r.author as string | null,
            }),
          ]
        })
        await copy(
          'article_search',
          [
            ['article_id', 'int'],
            ['document', 'tsvector'],
          ],
          vectors,
        )
      })
      await inBatches('SELECT * FROM article_tags', (rows) =>
        copy(
          'article_tags',
          [
            ['article_id', 'int'],
            ['tag_id', 'int'],
            ['position', 'int'],
          ],
          rows.map((r) => [r.article_id, r.tag_id, r.position]),
        ),
      )
      await inBatches('SELECT * FROM comments ORDER BY id', (rows) =>
        copy(
          'comments',
          [
            ['id', 'int'],
            ['article_id', 'int'],
            ['author_name', 'text'],
            ['author_email', 'text'],
            ['body', 'text'],
            ['status', 'text'],
            ['created_at', 'timestamptz'],
            ['updated_at', 'timestamptz'],
          ],
          rows.map((r) => [
            r.id,
            r.article_id,
            r.author_name,
            r.author_email,
            r.body,
            r.status,
            r.created_at,
            r.updated_at,
          ]),
        ),
      )
      for (const table of ['tags', 'articles', 'comments']) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT coalesce(max(id), 1) FROM ${table}))`,
        )
      }
      await client.query(
        `INSERT INTO search_index_state (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [ANALYZER_VERSION_KEY, ANALYZER_VERSION],
      )
      for (const index of indexes) await client.query(index.definition)
      await client.query('COMMIT')
      // As autovacuum would have left a site that has run a while: with no visibility map yet, every index-only
      // scan reads the table too (counting 100,000 live articles: about 1 s instead of 30 ms).
      await client.query('VACUUM (ANALYZE)')
    } finally {
      client.release()
    }
  } finally {
    sqlite.close()
    await pool.end()
    rmSync(migrations, { recursive: true, force: true })
  }
}
