/**
 * The floor for the read benchmark: Fastify 5 over better-sqlite3 with prepared statements and nothing else (no
 * auth, validation, ETag or hooks). Serves the two routes the benchmark asks, from DATABASE_URL on HOST:PORT.
 */
import BetterSqlite3 from 'better-sqlite3'
import Fastify from 'fastify'

const sqlite = new BetterSqlite3(process.env.DATABASE_URL ?? '', { fileMustExist: true })
sqlite.pragma('journal_mode = WAL')

const columns = `id, slug, title, excerpt, author, cover_image_url AS coverImageUrl, status,
  published_at AS publishedAt, comments_enabled AS commentsEnabled, reading_time_minutes AS readingTimeMinutes,
  created_at AS createdAt, updated_at AS updatedAt`
const live = `status = 'published' AND published_at <= ?`
const list = sqlite.prepare(
  `SELECT ${columns} FROM articles WHERE ${live} ORDER BY published_at DESC, id DESC LIMIT ?`,
)
const bySlug = sqlite.prepare(`SELECT ${columns}, body, body_format AS bodyFormat, html FROM articles
  WHERE slug = ? AND ${live}`)
// One statement for any number of ids: they come in as a JSON array.
const tagsOf = sqlite.prepare(`SELECT at.article_id AS articleId, t.id, t.slug, t.name FROM article_tags at
  JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (SELECT value FROM json_each(?))
  ORDER BY at.article_id, at.position`)

type Row = { id: number; commentsEnabled: number | boolean }
type TagRow = { articleId: number; id: number; slug: string; name: string }

function withTags<R extends Row>(rows: R[]) {
  const byArticle = new Map<number, Omit<TagRow, 'articleId'>[]>()
  for (const { articleId, ...tag } of tagsOf.all(JSON.stringify(rows.map((row) => row.id))) as TagRow[]) {
    const tags = byArticle.get(articleId) ?? []
    tags.push(tag)
    byArticle.set(articleId, tags)
  }
  return rows.map((row) => ({
    ...row,
    commentsEnabled: Boolean(row.commentsEnabled),
    tags: byArticle.get(row.id) ?? [],
  }))
}

const app = Fastify({ logger: false })

app.get<{ Querystring: { perPage?: string } }>('/v1/articles', async (request) => {
  const perPage = Math.min(Math.max(Number(request.query.perPage) || 20, 1), 100)
  return { data: withTags(list.all(new Date().toISOString(), perPage) as Row[]) }
})

app.get<{ Params: { slug: string } }>('/v1/articles/:slug', async (request, reply) => {
  const row = bySlug.get(request.params.slug, new Date().toISOString()) as Row | undefined
  if (!row) return reply.code(404).send({ error: 'not found' })
  return withTags([row])[0]
})

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) })
