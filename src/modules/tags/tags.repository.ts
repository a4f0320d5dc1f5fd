/** The tags' queries, written once over Drizzle for both engines. */
import { and, count, eq, exists, or, type SQL, sql } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'
import type { IdOrSlug } from '../../lib/slug.js'
import { isLive } from '../articles/articles.visibility.js'
import type { Tag } from './tags.schemas.js'

export type TagRow = Database['tables']['tags']['$inferSelect']

export function createTagRepository(database: Database) {
  const { tags, articleTags, articles } = database.tables
  const byRef = (ref: IdOrSlug): SQL => ('id' in ref ? eq(tags.id, ref.id) : eq(tags.slug, ref.slug))

  /**
   * Who may see a tag: token holders every one; the public those made with POST /v1/tags and those a live article
   * carries, so that a tag only an embargoed story carries does not give the story away.
   */
  function visibleTo(privileged: boolean, now: string): SQL | undefined {
    if (privileged) return undefined
    const carriedLive = database.qb
      .select({ one: sql`1` })
      .from(articleTags)
      .innerJoin(articles, eq(articles.id, articleTags.articleId))
      .where(and(eq(articleTags.tagId, tags.id), isLive(articles, now)))
    return or(eq(tags.createdExplicitly, true), exists(carriedLive))
  }

  /** Live articles carrying the tag: a correlated count the list can also sort by. */
  function articleCount(now: string) {
    const counted = database.qb
      .select({ n: count() })
      .from(articleTags)
      .innerJoin(articles, eq(articles.id, articleTags.articleId))
      .where(and(eq(articleTags.tagId, tags.id), isLive(articles, now)))
    return sql<number>`(${counted})`.mapWith(Number)
  }

  function columns(now: string) {
    return {
      id: tags.id,
      slug: tags.slug,
      name: tags.name,
      description: tags.description,
      articleCount: articleCount(now),
      createdAt: tags.createdAt,
      updatedAt: tags.updatedAt,
    }
  }

  return {
    find(ref: IdOrSlug, now: string, privileged: boolean, tx: Executor = database): Promise<Tag | undefined> {
      return tx.get(
        tx.qb
          .select(columns(now))
          .from(tags)
          .where(and(byRef(ref), visibleTo(privileged, now))),
      )
    },

    /** The row as stored, locked against other writers until the transaction ends. */
    findForUpdate(ref: IdOrSlug, tx: Executor): Promise<TagRow | undefined> {
      return tx.get(tx.forUpdate(tx.qb.select().from(tags).where(byRef(ref))))
    },

    async slugOwner(slug: string, tx: Executor = database): Promise<number | undefined> {
      const row = await tx.get(tx.qb.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)))
      return row?.id
    },

    /** Inserts unless the slug exists (a concurrent writer may have just made it); the id either way. */
    async insertOrFind(values: typeof tags.$inferInsert, tx: Executor): Promise<number> {
      const [inserted] = await tx.all(
        tx.qb
          .insert(tags)
          .values(values)
          .onConflictDoNothing({ target: tags.slug })
          .returning({ id: tags.id }),
      )
      if (inserted) return inserted.id
      return (await this.slugOwner(values.slug, tx)) as number
    },

    async insert(values: typeof tags.$inferInsert, tx: Executor = database): Promise<number> {
      const [row] = await tx.all(tx.qb.insert(tags).values(values).returning({ id: tags.id }))
      return (row as { id: number }).id
    },

    update(id: number, values: Partial<typeof tags.$inferInsert>, tx: Executor): Promise<void> {
      return tx.run(tx.qb.update(tags).set(values).where(eq(tags.id, id)))
    },

    /** Its links to articles go with it (foreign keys cascade). */
    remove(id: number, tx: Executor = database): Promise<void> {
      return tx.run(tx.qb.delete(tags).where(eq(tags.id, id)))
    },

    names(): Promise<{ id: number; name: string }[]> {
      return database.all(database.qb.select({ id: tags.id, name: tags.name }).from(tags))
    },

    /** How many tags the caller may see, of `ids` when given. */
    async count(visibility: { privileged: boolean; now: string }, ids?: number[]): Promise<number> {
      const filter = and(
        ids === undefined ? undefined : database.inIds(tags.id, ids),
        visibleTo(visibility.privileged, visibility.now),
      )
      const row = await database.get(database.qb.select({ n: count() }).from(tags).where(filter))
      return row?.n ?? 0
    },

    page(
      now: string,
      sort: 'name' | '-articleCount',
      page: { limit: number; offset: number; ids?: number[]; privileged: boolean },
    ): Promise<Tag[]> {
      const cols = columns(now)
      const order =
        sort === '-articleCount'
          ? [database.desc(cols.articleCount), database.asc(tags.name), database.asc(tags.id)]
          : [database.asc(tags.name), database.asc(tags.id)]
      return database.all(
        database.qb
          .select(cols)
          .from(tags)
          .where(
            and(
              page.ids === undefined ? undefined : database.inIds(tags.id, page.ids),
              visibleTo(page.privileged, now),
            ),
          )
          .orderBy(...order)
          .limit(page.limit)
          .offset(page.offset),
      )
    },
  }
}

export type TagRepository = ReturnType<typeof createTagRepository>
