/** Tags: lookup by id or slug, lists with the count of articles the public can see, and find-or-create by name. */
import { and, asc, count, desc, eq, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articles, articleTags, tags } from '../../db/schema.js'
import { ConflictError, NotFoundError } from '../../lib/errors.js'
import { offsetMeta, type Page } from '../../lib/pagination.js'
import { givenSlug, type IdOrSlug, parseIdOrSlug } from '../../lib/slug.js'
import { isLive } from '../articles/articles.queries.js'
import { matchingTagIds, tagIn } from '../search/search.repository.js'
import type { CreateTagInput, ListTagsQuery, Tag, UpdateTagInput } from './tags.schemas.js'

function byRef(ref: IdOrSlug): SQL {
  return 'id' in ref ? eq(tags.id, ref.id) : eq(tags.slug, ref.slug)
}

/** Live articles carrying the tag: a correlated count the list can also sort by. */
function articleCountOf(db: Db, now: string) {
  const counted = db
    .select({ n: count() })
    .from(articleTags)
    .innerJoin(articles, eq(articles.id, articleTags.articleId))
    .where(and(eq(articleTags.tagId, tags.id), isLive(now)))
  return sql<number>`(${counted})`.mapWith(Number)
}

function tagColumns(db: Db, now: string) {
  return {
    id: tags.id,
    slug: tags.slug,
    name: tags.name,
    description: tags.description,
    articleCount: articleCountOf(db, now),
    createdAt: tags.createdAt,
    updatedAt: tags.updatedAt,
  }
}

/**
 * The ids of the tags named, in order and without repeats, creating the missing ones. Names are matched by
 * their slug, so `Iran`, `iran` and `IRAN` are one tag. Runs inside the caller's transaction.
 */
export function findOrCreateTagIds(db: Db, names: string[]): number[] {
  const ids: number[] = []
  names.forEach((name, index) => {
    const slug = givenSlug(name, `tags.${index}`)
    const now = new Date().toISOString()
    const existing = db.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)).get()
    const id =
      existing?.id ??
      db.insert(tags).values({ slug, name, createdAt: now, updatedAt: now }).returning({ id: tags.id }).get()
        .id
    if (!ids.includes(id)) ids.push(id)
  })
  return ids
}

export function createTagService(db: Db) {
  function get(idOrSlug: string): Tag {
    const tag = db
      .select(tagColumns(db, new Date().toISOString()))
      .from(tags)
      .where(byRef(parseIdOrSlug(idOrSlug)))
      .get()
    if (!tag) throw new NotFoundError('Tag')
    return tag
  }

  /** Tags are one per slug: a given slug or a name whose slug is taken is a conflict, never `-2`. */
  function chooseSlug(given: string | undefined, name: string, exceptId?: number): string {
    const slug = given === undefined ? givenSlug(name, 'name') : givenSlug(given, 'slug')
    const row = db.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)).get()
    if (row !== undefined && row.id !== exceptId) {
      const path = given === undefined ? 'name' : 'slug'
      throw new ConflictError(`A tag with that ${path} exists already.`, [{ path, message: 'Taken' }])
    }
    return slug
  }

  return {
    get,

    list(query: ListTagsQuery): Page<Tag> {
      const columns = tagColumns(db, new Date().toISOString())
      const order =
        query.sort === '-articleCount'
          ? [desc(columns.articleCount), asc(tags.name), asc(tags.id)]
          : [asc(tags.name), asc(tags.id)]
      const q = query.q?.trim() ? query.q : undefined
      const ids = q === undefined ? undefined : matchingTagIds(db, q)
      if (ids === null || ids?.length === 0)
        return { data: [], meta: offsetMeta(query.page, query.perPage, 0) }
      const filter = ids === undefined ? undefined : tagIn(ids)
      const total = db.select({ n: count() }).from(tags).where(filter).get()?.n ?? 0
      const data = db
        .select(columns)
        .from(tags)
        .where(filter)
        .orderBy(...order)
        .limit(query.perPage)
        .offset((query.page - 1) * query.perPage)
        .all()
      return { data, meta: offsetMeta(query.page, query.perPage, total) }
    },

    create(input: CreateTagInput): Tag {
      const now = new Date().toISOString()
      const row = db
        .insert(tags)
        .values({
          slug: chooseSlug(input.slug, input.name),
          name: input.name,
          description: input.description ?? '',
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: tags.id })
        .get()
      return get(String(row.id))
    },

    update(idOrSlug: string, patch: UpdateTagInput): Tag {
      const current = get(idOrSlug)
      db.update(tags)
        .set({
          slug: patch.slug !== undefined ? chooseSlug(patch.slug, current.name, current.id) : current.slug,
          name: patch.name ?? current.name,
          description: patch.description ?? current.description,
          updatedAt: new Date().toISOString(),
        })
        .where(eq(tags.id, current.id))
        .run()
      return get(String(current.id))
    },

    /** Deletes the tag; its links to articles go with it (foreign keys cascade). */
    remove(idOrSlug: string): void {
      const current = get(idOrSlug)
      db.delete(tags).where(eq(tags.id, current.id)).run()
    },
  }
}

export type TagService = ReturnType<typeof createTagService>
