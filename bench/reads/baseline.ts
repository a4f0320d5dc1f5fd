/**
 * The floor for the read benchmark: Fastify 5 over better-sqlite3 with statements prepared once and nothing else
 * (no auth, validation, totals, ETag or hooks). Serves what the benchmark asks, from DATABASE_URL on HOST:PORT:
 * `GET /v1/articles?perPage=&cursor=&tag=&q=` (one of cursor, tag or q) and `GET /v1/articles/:slug`, each
 * article with its tags and approved comment count, as Sahifa answers them.
 */
import BetterSqlite3 from 'better-sqlite3'
import Fastify from 'fastify'
import { queryTerms } from '../../src/modules/search/search.query.js'

const sqlite = new BetterSqlite3(process.env.DATABASE_URL ?? '', { fileMustExist: true })
sqlite.pragma('journal_mode = WAL')

const columns = `a.id, a.slug, a.title, a.excerpt, a.author, a.cover_image_url AS coverImageUrl, a.status,
  a.published_at AS publishedAt, a.comments_enabled AS commentsEnabled,
  a.reading_time_minutes AS readingTimeMinutes, a.created_at AS createdAt, a.updated_at AS updatedAt`
const live = `a.status = 'published' AND a.published_at <= @now`
const order = 'ORDER BY a.published_at DESC, a.id DESC LIMIT @limit'
const list = sqlite.prepare(`SELECT ${columns} FROM articles a WHERE ${live} ${order}`)
const after = sqlite.prepare(`SELECT ${columns} FROM articles a WHERE ${live}
  AND (a.published_at < @value OR (a.published_at = @value AND a.id < @id)) ${order}`)
// The unary + keeps SQLite on the (status, published_at) index, testing ids against the tag's set: it stops after
// one page instead of reading and sorting every tagged article.
const tagged = sqlite.prepare(`SELECT ${columns} FROM articles a WHERE ${live} AND +a.id IN
  (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.slug = @tag) ${order}`)
// Sahifa's order for a broad query (a word in more than 500 articles): every word in the title, then in the
// title or excerpt, then the rest, newest first in each; page 1 only. One statement per tier.
const searched = sqlite.prepare(`SELECT f.rowid AS id FROM articles_fts f
  WHERE articles_fts MATCH @match AND f.status = 'published' AND f.published_at <= @now
  ORDER BY f.rowid DESC LIMIT @limit`)
const tiers = (match: string) => [
  `{title} : (${match})`,
  `({title excerpt} : (${match})) NOT ({title} : (${match}))`,
  `(${match}) NOT ({title excerpt} : (${match}))`,
]
const byIds = sqlite.prepare(`SELECT ${columns} FROM articles a
  WHERE a.id IN (SELECT value FROM json_each(@ids))`)
const bySlug = sqlite.prepare(`SELECT ${columns}, a.body, a.body_format AS bodyFormat, a.html FROM articles a
  WHERE a.slug = @slug AND ${live}`)
// One statement for any number of ids: they come in as a JSON array.
const tagsOf = sqlite.prepare(`SELECT at.article_id AS articleId, t.id, t.slug, t.name FROM article_tags at
  JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (SELECT value FROM json_each(?))
  ORDER BY at.article_id, at.position`)
const commentsOf = sqlite.prepare(`SELECT article_id AS articleId, count(*) AS n FROM comments
  WHERE article_id IN (SELECT value FROM json_each(?)) AND status = 'approved' GROUP BY article_id`)

type Row = { id: number; publishedAt: string | null; commentsEnabled: number | boolean }
type TagRow = { articleId: number; id: number; slug: string; name: string }

function complete<R extends Row>(rows: R[]) {
  const ids = JSON.stringify(rows.map((row) => row.id))
  const tags = new Map<number, Omit<TagRow, 'articleId'>[]>()
  for (const { articleId, ...tag } of tagsOf.all(ids) as TagRow[]) {
    const list = tags.get(articleId) ?? []
    list.push(tag)
    tags.set(articleId, list)
  }
  const comments = new Map(
    (commentsOf.all(ids) as { articleId: number; n: number }[]).map((row) => [row.articleId, row.n]),
  )
  return rows.map((row) => ({
    ...row,
    commentsEnabled: Boolean(row.commentsEnabled),
    commentCount: comments.get(row.id) ?? 0,
    tags: tags.get(row.id) ?? [],
  }))
}

/** Sahifa's cursor: base64url JSON of [sort, sort key of the last item, its id]. */
const cursorOf = (row: Row) =>
  Buffer.from(JSON.stringify(['-publishedAt', row.publishedAt, row.id])).toString('base64url')

function page(rows: Row[], perPage: number) {
  const more = rows.length > perPage
  const shown = more ? rows.slice(0, perPage) : rows
  const last = shown.at(-1)
  return { data: complete(shown), meta: { perPage, nextCursor: more && last ? cursorOf(last) : null } }
}

const app = Fastify({ logger: false })

app.get<{ Querystring: { perPage?: string; cursor?: string; tag?: string; q?: string } }>(
  '/v1/articles',
  async (request) => {
    const { query } = request
    const perPage = Math.min(Math.max(Number(query.perPage) || 20, 1), 100)
    const now = new Date().toISOString()
    if (query.q) {
      const match = queryTerms(query.q)
        .map((term) => `"${term.replaceAll('"', '""')}"`)
        .join(' AND ')
      const ids: number[] = []
      for (const tier of tiers(match)) {
        const rows = searched.all({ match: tier, now, limit: perPage - ids.length }) as { id: number }[]
        ids.push(...rows.map((row) => row.id))
        if (ids.length === perPage) break
      }
      const rows = new Map((byIds.all({ ids: JSON.stringify(ids) }) as Row[]).map((row) => [row.id, row]))
      return { data: complete(ids.map((id) => rows.get(id) as Row)) }
    }
    if (query.tag) return page(tagged.all({ now, tag: query.tag, limit: perPage + 1 }) as Row[], perPage)
    if (query.cursor) {
      const [, value, id] = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8'))
      return page(after.all({ now, value, id, limit: perPage + 1 }) as Row[], perPage)
    }
    return page(list.all({ now, limit: perPage + 1 }) as Row[], perPage)
  },
)

app.get<{ Params: { slug: string } }>('/v1/articles/:slug', async (request, reply) => {
  const row = bySlug.get({ slug: request.params.slug, now: new Date().toISOString() }) as Row | undefined
  if (!row) return reply.code(404).send({ error: 'not found' })
  return complete([row])[0]
})

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) })
