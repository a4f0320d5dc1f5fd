/** The tags' queries, written once over Drizzle for both engines. */
import { and, count, eq, exists, or, type SQL, sql } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'
import type { IdOrSlug } from '../../lib/slug.js'
import { isLive } from '../articles/articles.visibility.js'
import type { Tag } from './tags.schemas.js'

export type TagRow = Database['tables']['tags']['$inferSelect']

/** A tag as served, but its articleCount. */
export type TagFields = Omit<Tag, 'articleCount'>

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

  function filter(now: string, page: { ids?: number[]; privileged: boolean }): SQL | undefined {
    return and(
      page.ids === undefined ? undefined : database.inIds(tags.id, page.ids),
      visibleTo(page.privileged, now),
    )
  }

  /** A tag's own columns: its articleCount comes from articleCounts, kept by the service. */
  const columns = {
    id: tags.id,
    slug: tags.slug,
    name: tags.name,
    description: tags.description,
    createdAt: tags.createdAt,
    updatedAt: tags.updatedAt,
  }

  return {
    find(
      ref: IdOrSlug,
      now: string,
      privileged: boolean,
      tx: Executor = database,
    ): Promise<TagFields | undefined> {
      return tx.get(
        tx.qb
          .select(columns)
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
      const row = await database.get(
        database.qb
          .select({ n: count() })
          .from(tags)
          .where(filter(visibility.now, { ids, privileged: visibility.privileged })),
      )
      return row?.n ?? 0
    },

    /**
     * Live articles per tag (of `ids` when given; a tag no live article carries is absent): one grouped query
     * over the links, for every tag at once.
     */
    async articleCounts(now: string, tx: Executor = database, ids?: number[]): Promise<Map<number, number>> {
      const rows = await tx.all(
        tx.qb
          .select({ tagId: articleTags.tagId, n: count() })
          .from(articleTags)
          .innerJoin(articles, eq(articles.id, articleTags.articleId))
          .where(
            and(
              ids === undefined ? undefined : database.inIds(articleTags.tagId, ids),
              isLive(articles, now),
            ),
          )
          .groupBy(articleTags.tagId),
      )
      return new Map(rows.map((row) => [row.tagId, row.n]))
    },

    /** A page of the tags the caller may see (of `ids` when given), by name then id. */
    page(now: string, page: { limit: number; offset: number; ids?: number[]; privileged: boolean }) {
      return database.all(
        database.qb
          .select(columns)
          .from(tags)
          .where(filter(now, page))
          .orderBy(database.asc(tags.name), database.asc(tags.id))
          .limit(page.limit)
          .offset(page.offset),
      )
    },

    /**
     * The ids of every tag the caller may see (of `ids` when given), by name then id: the SQL order of names on
     * each engine, which a stable sort by count keeps within equal counts.
     */
    async idsByName(now: string, page: { ids?: number[]; privileged: boolean }): Promise<number[]> {
      const rows = await database.all(
        database.qb
          .select({ id: tags.id })
          .from(tags)
          .where(filter(now, page))
          .orderBy(database.asc(tags.name), database.asc(tags.id)),
      )
      return rows.map((row) => row.id)
    },

    /** The tags of `ids`, in no particular order. */
    byIds(ids: number[]): Promise<TagFields[]> {
      return database.all(database.qb.select(columns).from(tags).where(database.inIds(tags.id, ids)))
    },
  }
}

export type TagRepository = ReturnType<typeof createTagRepository>
