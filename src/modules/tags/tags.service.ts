/**
 * Tags: lookup by id or slug, lists with the count of articles the public can see, and resolving names. The public
 * sees a tag made with POST /v1/tags, or carried by a live article (the repository's visibleTo); token holders
 * (`privileged`) see every one.
 */
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { ConflictError, NotFoundError } from '../../lib/errors.js'
import { countedPage, offsetMeta, type Page } from '../../lib/pagination.js'
import { givenSlug, parseIdOrSlug } from '../../lib/slug.js'
import type { ChangeSignal } from '../../nodes/change-signal.js'
import { type Freshness, keptPerStamp, type Stamp } from '../../nodes/freshness.js'
import { matchingNames } from '../search/search.query.js'
import { tagData } from '../webhooks/webhooks.events.js'
import type { WebhookService } from '../webhooks/webhooks.service.js'
import type { TagFields, TagRepository } from './tags.repository.js'
import type { CreateTagInput, ListTagsQuery, Tag, UpdateTagInput } from './tags.schemas.js'

export interface TagServiceDeps {
  database: Database
  repository: TagRepository
  clock: Clock
  changes: ChangeSignal
  /** The webhook outbox: events are recorded in the write's own transaction. */
  events: Pick<WebhookService, 'record'>
  /** When the kept article counts stop being right. */
  freshness: Freshness
}

const withCount = (tag: TagFields, counts: Map<number, number>): Tag => ({
  ...tag,
  articleCount: counts.get(tag.id) ?? 0,
})

export function createTagService({
  database,
  repository,
  clock,
  changes,
  events,
  freshness,
}: TagServiceDeps) {
  const changed = async <T extends { id: number }>(tag: T) => {
    await changes.publish({ topic: 'tags', id: tag.id })
    return tag
  }

  // Live articles per tag, counted in one grouped query at most once per stamp: a count per tag on every read
  // walked every live article's links once a site had many.
  const kept = keptPerStamp<Map<number, number>>(1)
  // `now` after the stamp, so the count is at least as new as the stamp it is kept under.
  const countsUnder = (stamp: Stamp) => kept.get('', stamp, () => repository.articleCounts(isoNow(clock)))

  async function get(idOrSlug: string, privileged: boolean, tx?: Executor): Promise<Tag> {
    // Inside a write the count is read in its transaction, as it stands there; a read takes the kept counts.
    const stamp = tx ? null : await freshness.stamp()
    const now = isoNow(clock)
    // A hidden tag is a 404 like a missing one: which tags an embargoed story carries must not show.
    const tag = await repository.find(parseIdOrSlug(idOrSlug), now, privileged, tx)
    if (!tag) throw new NotFoundError('Tag')
    const counts = stamp ? await countsUnder(stamp) : await repository.articleCounts(now, tx, [tag.id])
    return withCount(tag, counts)
  }

  /** By count, most first, then by name and id as the SQL orders names on each engine. */
  async function byCount(
    now: string,
    counts: Map<number, number>,
    page: { limit: number; offset: number; ids?: number[]; privileged: boolean },
  ): Promise<TagFields[]> {
    const ordered = await repository.idsByName(now, page)
    // Array.prototype.sort is stable: equal counts keep the name-then-id order the query gave.
    ordered.sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))
    const ids = ordered.slice(page.offset, page.offset + page.limit)
    if (ids.length === 0) return []
    const rows = new Map((await repository.byIds(ids)).map((row) => [row.id, row]))
    return ids.flatMap((id) => rows.get(id) ?? [])
  }

  /** Tags are one per slug: a given slug or a name whose slug is taken is a conflict, never `-2`. */
  async function chooseSlug(tx: Executor, given: string | undefined, name: string, exceptId?: number) {
    const slug = given === undefined ? givenSlug(name, 'name') : givenSlug(given, 'slug')
    const owner = await repository.slugOwner(slug, tx)
    if (owner !== undefined && owner !== exceptId) {
      const path = given === undefined ? 'name' : 'slug'
      throw new ConflictError(`A tag with that ${path} exists already.`, [{ path, message: 'Taken' }])
    }
    return slug
  }

  return {
    get: (idOrSlug: string, privileged: boolean) => get(idOrSlug, privileged),

    async list(query: ListTagsQuery, privileged: boolean): Promise<Page<Tag>> {
      const stamp = await freshness.stamp()
      const now = isoNow(clock)
      const q = query.q?.trim() ? query.q : undefined
      const ids =
        q === undefined ? undefined : matchingNames(q, await repository.names())?.map((tag) => tag.id)
      if (ids === null || ids?.length === 0)
        return { data: [], meta: offsetMeta(query.page, query.perPage, 0) }
      const total = await repository.count({ privileged, now }, ids)
      return countedPage(query, total, async (window) => {
        const counts = await countsUnder(stamp)
        const rows =
          query.sort === '-articleCount'
            ? await byCount(now, counts, { ids, privileged, ...window })
            : await repository.page(now, { ids, privileged, ...window })
        return rows.map((row) => withCount(row, counts))
      })
    },

    async create(input: CreateTagInput): Promise<Tag> {
      const tag = await database.transaction(async (tx) => {
        const now = isoNow(clock)
        const id = await repository.insert(
          {
            slug: await chooseSlug(tx, input.slug, input.name),
            name: input.name,
            description: input.description ?? '',
            createdExplicitly: true,
            createdAt: now,
            updatedAt: now,
          },
          tx,
        )
        const tag = await get(String(id), true, tx)
        await events.record(tx, 'tag.created', tagData(tag))
        return tag
      })
      return changed(tag)
    },

    /** `assertCurrent` sees the tag as it stands, locked against other writers, before anything changes. */
    async update(
      idOrSlug: string,
      patch: UpdateTagInput,
      assertCurrent?: (current: Tag) => void,
    ): Promise<Tag> {
      const tag = await database.transaction(async (tx) => {
        const row = await repository.findForUpdate(parseIdOrSlug(idOrSlug), tx)
        if (!row) throw new NotFoundError('Tag')
        assertCurrent?.(await get(String(row.id), true, tx))
        await repository.update(
          row.id,
          {
            slug: patch.slug !== undefined ? await chooseSlug(tx, patch.slug, row.name, row.id) : row.slug,
            name: patch.name ?? row.name,
            description: patch.description ?? row.description,
            updatedAt: isoNow(clock),
          },
          tx,
        )
        const tag = await get(String(row.id), true, tx)
        await events.record(tx, 'tag.updated', tagData(tag))
        return tag
      })
      return changed(tag)
    },

    /** Deletes the tag; its links to articles go with it. */
    async remove(idOrSlug: string): Promise<void> {
      const row = await database.transaction(async (tx) => {
        const row = await repository.findForUpdate(parseIdOrSlug(idOrSlug), tx)
        if (!row) throw new NotFoundError('Tag')
        await repository.remove(row.id, tx)
        await events.record(tx, 'tag.deleted', tagData(row))
        return row
      })
      await changed(row)
    },

    /**
     * The ids of the tags named, in order and without repeats, creating the missing ones inside the caller's
     * transaction. Names are matched by their slug, so `Iran`, `iran` and `IRAN` are one tag.
     */
    async resolveNames(names: string[], tx: Executor): Promise<number[]> {
      const ids: number[] = []
      for (const [index, name] of names.entries()) {
        const slug = givenSlug(name, `tags.${index}`)
        const now = isoNow(clock)
        const id =
          (await repository.slugOwner(slug, tx)) ??
          (await repository.insertOrFind({ slug, name, createdAt: now, updatedAt: now }, tx))
        if (!ids.includes(id)) ids.push(id)
      }
      return ids
    },
  }
}

export type TagService = ReturnType<typeof createTagService>
