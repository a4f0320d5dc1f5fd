/**
 * Importing a WordPress export: streamed item by item, each item one transaction (the article through the article
 * service, so slugs, sanitized HTML, search and tags are as the API makes them; its comments; its records and old
 * addresses). Records make it idempotent and resumable: an item already imported unchanged is left alone.
 */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { AppError } from '../../lib/errors.js'
import { slugify } from '../../lib/slug.js'
import type { ChangeSignal } from '../../nodes/change-signal.js'
import { CreateArticleBodySchema } from '../articles/articles.schemas.js'
import type { ArticleService } from '../articles/articles.service.js'
import { CreateCommentBodySchema } from '../comments/comments.schemas.js'
import { postKeys } from '../redirects/redirects.keys.js'
import type { RedirectRepository } from '../redirects/redirects.repository.js'
import type { WebhookService } from '../webhooks/webhooks.service.js'
import { emptyReport, type ImportReport, type Outcome, tally, warn } from './imports.report.js'
import type { ImportKind, ImportRecord, ImportRepository } from './imports.repository.js'
import {
  type DeclaredTerm,
  declaredAuthor,
  declaredTerm,
  type MappedComment,
  type MappedPost,
  mapComment,
  mapItem,
  parentsFirst,
  siteKey,
  TRASHED,
  termKey,
} from './wxr.mapping.js'
import { readWxr, WxrError, type WxrNode, type WxrReadStats } from './wxr.reader.js'

export interface ImportServiceDeps {
  database: Database
  repository: ImportRepository
  redirects: Pick<RedirectRepository, 'add'>
  articles: Pick<ArticleService, 'create' | 'update'>
  clock: Clock
  changes: ChangeSignal
  /** The webhook outbox: one import.completed per run, no event per imported item. */
  events: Pick<WebhookService, 'record'>
}

export interface ImportProgress {
  bytesRead: number
  itemsSeen: number
  itemsDone: number
}

export interface ImportRunOptions {
  /** Runs every item's transaction and rolls it back: the report says what would happen, nothing is written. */
  dryRun?: boolean
  onProgress?: (progress: ImportProgress) => void
}

/** Thrown to roll a dry run's transaction back, carrying what it would have done. */
class DryRunRollback<T> extends Error {
  constructor(readonly result: T) {
    super('dry run')
  }
}

// The fields a comment's author writes, checked as the API checks them (the e-mail is not: WordPress's are often
// empty, and it is never shown anyway).
const CommentTextSchema = CreateCommentBodySchema.pick({ authorName: true, body: true })
const CommentUrlSchema = CreateCommentBodySchema.shape.authorUrl

const checksum = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')

/** What an error says in a report: a service's own message, never a driver's (it may quote e-mail addresses). */
function describe(error: unknown): string {
  if (error instanceof AppError) {
    const fields = error.errors?.map((e) => `${e.path}: ${e.message}`).join('; ')
    return fields ? `${error.detail} (${fields})` : error.detail
  }
  const { name, cause } = (error ?? {}) as { name?: string; cause?: { code?: string } }
  return `unexpected ${name ?? 'error'}${cause?.code ? ` (${cause.code})` : ''}`
}

/** import.completed's data: the report's figures, without its warnings (they may quote the export's text). */
function importData(report: ImportReport) {
  const counts = Object.fromEntries(
    Object.entries(report.counts).map(([kind, { created, updated, unchanged, skipped, warned }]) => [
      kind,
      { created, updated, unchanged, skipped, warned },
    ]),
  )
  return {
    site: report.site,
    items: report.items,
    counts,
    coverImagesResolved: report.coverImagesResolved,
    warnings: report.warnings.length + report.warningsOmitted,
    error: report.error ? { message: report.error.message, line: report.error.line } : null,
    durationMs: report.durationMs,
  }
}

/** A post that is not imported, and its comments with it. */
function skippedPost(post: MappedPost, reason: string, warnings: string[]): PostResult {
  const comments = post.comments.map(() => ({
    wpId: null,
    outcome: 'skipped' as const,
    reason: 'its post was skipped',
    warnings: [],
  }))
  return { outcome: 'skipped', reason, warnings, terms: [], comments, coverPending: false }
}

function validationMessages(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || 'item'}: ${issue.message}`).join('; ')
}

/** What a record says of an item: its checksum and, by kind, what it became. */
type RecordFields = Pick<ImportRecord, 'checksum'> &
  Partial<Pick<ImportRecord, 'sahifaId' | 'guid' | 'url' | 'thumbnailWpId'>>

/** The contract counts attachments as skipped: they are not articles, though their URLs are kept for covers. */
export const ATTACHMENT_SKIPPED = 'not an article (its URL is kept for featured images)'

interface TermOutcome {
  id: number
  outcome: Outcome
}

interface CommentOutcome {
  wpId: number | null
  outcome: Outcome
  reason?: string
  warnings: string[]
}

interface PostResult {
  outcome: Outcome
  reason?: string
  articleId?: number
  warnings: string[]
  terms: TermOutcome[]
  comments: CommentOutcome[]
  /** The featured image could not be resolved yet (dry run: the attachment may come later). */
  coverPending: boolean
}

export function createImportService({
  database,
  repository,
  redirects,
  articles,
  clock,
  changes,
  events,
}: ImportServiceDeps) {
  async function importWxr(input: Readable, options: ImportRunOptions = {}): Promise<ImportReport> {
    const started = Date.now()
    const dryRun = options.dryRun ?? false
    const report = emptyReport(dryRun)
    const stats: WxrReadStats = { bytesRead: 0, dropped: 0, itemsSeen: 0 }
    const channel = { baseBlogUrl: '', baseSiteUrl: '', link: '' }
    const authors = new Map<string, string>()
    // The header's terms by taxonomy and slug, and by id; small beside the items, so kept whole.
    const terms = new Map<string, DeclaredTerm>()
    const termsById = new Map<number, DeclaredTerm>()
    const seenTerms = new Set<number>()
    // A dry run writes no record, so what a real run would find in them is kept here instead.
    const dryAttachments = new Map<number, string>()
    const dryPendingCovers = new Map<number, number>()
    let site: string | null = null
    let itemsDone = 0

    async function inTransaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      if (!dryRun) return database.transaction(fn)
      try {
        await database.transaction(async (tx) => {
          throw new DryRunRollback(await fn(tx))
        })
      } catch (error) {
        if (error instanceof DryRunRollback) return error.result as T
        throw error
      }
      throw new Error('unreachable')
    }

    function siteOf(): string {
      site ??= siteKey(channel.baseBlogUrl || channel.link || channel.baseSiteUrl) || '(unknown)'
      report.site = site
      return site
    }

    /** Records what a WordPress item became in Sahifa. */
    function insertRecord(kind: ImportKind, wpId: number, fields: RecordFields, tx: Executor): Promise<void> {
      const now = isoNow(clock)
      return repository.insertRecord(
        { site: siteOf(), kind, wpId, ...fields, createdAt: now, updatedAt: now },
        tx,
      )
    }

    /**
     * A record that is all there is of an item (a term, an attachment): created when new, updated when what it
     * records changed, else unchanged.
     */
    async function syncRecord(
      kind: ImportKind,
      wpId: number,
      fields: RecordFields,
      tx: Executor,
    ): Promise<Outcome> {
      const record = await repository.findRecord(siteOf(), kind, wpId, tx)
      if (!record) {
        await insertRecord(kind, wpId, fields, tx)
        return 'created'
      }
      const same = (Object.keys(fields) as (keyof typeof fields)[]).every(
        (key) => record[key] === fields[key],
      )
      if (same) return 'unchanged'
      await repository.updateRecord(record.id, { ...fields, updatedAt: isoNow(clock) }, tx)
      return 'updated'
    }

    async function attachmentUrl(wpId: number, tx: Executor): Promise<string | null> {
      return dryAttachments.get(wpId) ?? (await repository.attachmentUrl(siteOf(), wpId, tx))
    }

    function header(node: WxrNode): void {
      if (node.ns === 'wp' && node.name === 'wxr_version') report.wxrVersion = node.text.trim().slice(0, 10)
      else if (node.ns === 'wp' && node.name === 'base_blog_url') channel.baseBlogUrl = node.text
      else if (node.ns === 'wp' && node.name === 'base_site_url') channel.baseSiteUrl = node.text
      else if (node.ns === '' && node.name === 'link') channel.link = node.text
      else if (node.ns === 'wp' && node.name === 'author') {
        const author = declaredAuthor(node)
        if (author) authors.set(author[0], author[1])
      } else if (node.ns === 'wp' && ['category', 'tag', 'term'].includes(node.name)) {
        const term = declaredTerm(node)
        if (!term) return
        terms.set(termKey(term.taxonomy, term.slug), term)
        termsById.set(term.id, term)
      }
    }

    /** The slug a new article asks for: WordPress's when it is free, else the first free `slug-n` (warned). */
    async function slugForCreate(slug: string | undefined, tx: Executor, warnings: string[]) {
      if (slug === undefined || (await repository.slugOwner(slug, tx)) === undefined) return slug
      let n = 2
      while ((await repository.slugOwner(`${slug}-${n}`, tx)) !== undefined) n++
      const candidate = `${slug}-${n}`
      warnings.push(`slug taken by another article: imported as ${candidate}`)
      return candidate
    }

    /** On an update the WordPress slug is taken when free or already this article's; else the article keeps its own. */
    async function slugForUpdate(
      slug: string | undefined,
      articleId: number,
      tx: Executor,
      warnings: string[],
    ) {
      if (slug === undefined) return undefined
      const owner = await repository.slugOwner(slug, tx)
      if (owner === undefined || owner === articleId) return slug
      warnings.push('its new slug is taken by another article: kept the one it has')
      return undefined
    }

    async function recordTerms(post: MappedPost, tx: Executor): Promise<TermOutcome[]> {
      const outcomes: TermOutcome[] = []
      for (const ref of post.terms) {
        const term = terms.get(termKey(ref.taxonomy, ref.slug))
        if (!term || seenTerms.has(term.id) || outcomes.some((o) => o.id === term.id)) continue
        const tagId = await repository.tagIdBySlug(slugify(ref.name), tx)
        if (tagId === undefined) continue
        const sum = checksum({ taxonomy: term.taxonomy, slug: term.slug, name: term.name })
        outcomes.push({
          id: term.id,
          outcome: await syncRecord('term', term.id, { sahifaId: tagId, checksum: sum }, tx),
        })
      }
      return outcomes
    }

    async function importComment(
      comment: MappedComment,
      articleId: number,
      tx: Executor,
    ): Promise<CommentOutcome> {
      const warnings = [...comment.warnings]
      const text = CommentTextSchema.safeParse({
        authorName: comment.values.authorName,
        body: comment.values.body,
      })
      if (!text.success)
        return {
          wpId: comment.wpId,
          outcome: 'skipped',
          reason: 'failed validation',
          warnings: [`not imported: ${validationMessages(text.error.issues)}`],
        }
      let authorUrl = comment.values.authorUrl
      if (authorUrl !== null) {
        const url = CommentUrlSchema.safeParse(authorUrl)
        authorUrl = url.success ? (url.data ?? null) : null
        if (!url.success) warnings.push(`author URL dropped: ${validationMessages(url.error.issues)}`)
      }
      const s = siteOf()
      let parentId: number | null = null
      if (comment.parentWpId !== null) {
        const parent = await repository.findRecord(s, 'comment', comment.parentWpId, tx)
        if (parent?.sahifaId && (await repository.commentExists(parent.sahifaId, tx)))
          parentId = parent.sahifaId
        else warnings.push(`its parent ${comment.parentWpId} was not imported: filed as a top-level comment`)
      }
      // The private fields stay out of the checksum: nothing derived from an e-mail or IP is kept elsewhere.
      const { authorEmail: _email, clientIp: _ip, ...shown } = comment.values
      const sum = checksum({ ...shown, parentWpId: comment.parentWpId })
      const now = isoNow(clock)
      const createdAt = comment.values.createdAt ?? now
      const values = {
        articleId,
        parentId,
        authorName: text.data.authorName,
        authorEmail: comment.values.authorEmail,
        authorUrl,
        body: text.data.body,
        status: comment.values.status,
        clientIp: comment.values.clientIp,
        createdAt,
        updatedAt: createdAt,
      }
      const record = await repository.findRecord(s, 'comment', comment.wpId, tx)
      if (!record) {
        const id = await repository.insertComment(values, tx)
        await insertRecord('comment', comment.wpId, { sahifaId: id, checksum: sum }, tx)
        return { wpId: comment.wpId, outcome: 'created', warnings }
      }
      if (record.sahifaId === null || !(await repository.commentExists(record.sahifaId, tx)))
        return {
          wpId: comment.wpId,
          outcome: 'skipped',
          reason: 'deleted in Sahifa after an earlier import',
          warnings,
        }
      if (record.checksum === sum) return { wpId: comment.wpId, outcome: 'unchanged', warnings: [] }
      await repository.updateComment(record.sahifaId, values, tx)
      await repository.updateRecord(record.id, { checksum: sum, updatedAt: now }, tx)
      return { wpId: comment.wpId, outcome: 'updated', warnings }
    }

    async function importComments(
      nodes: WxrNode[],
      articleId: number,
      tx: Executor,
    ): Promise<CommentOutcome[]> {
      const outcomes: CommentOutcome[] = []
      const mapped: MappedComment[] = []
      for (const node of nodes) {
        const comment = mapComment(node)
        if ('skip' in comment)
          outcomes.push({ wpId: null, outcome: 'skipped', reason: comment.skip, warnings: [] })
        else mapped.push(comment)
      }
      for (const comment of parentsFirst(mapped)) outcomes.push(await importComment(comment, articleId, tx))
      return outcomes
    }

    async function importPost(post: MappedPost): Promise<PostResult> {
      const warnings = [...post.warnings]
      const parsed = CreateArticleBodySchema.safeParse(post.input)
      if (!parsed.success)
        return skippedPost(post, 'failed validation', [
          ...warnings,
          `not imported: ${validationMessages(parsed.error.issues)}`,
        ])
      const data = parsed.data
      const sum = checksum({
        input: post.input,
        slug: post.slug,
        oldSlugs: post.oldSlugs,
        link: post.link,
        guid: post.guid,
        createdAt: post.createdAt,
        updatedAt: post.updatedAt,
        thumbnailWpId: post.thumbnailWpId,
      })
      return inTransaction(async (tx): Promise<PostResult> => {
        const s = siteOf()
        const now = isoNow(clock)
        const createdAt = post.createdAt ?? now
        const updatedAt = post.updatedAt ?? createdAt
        const record = await repository.findRecord(s, 'post', post.wpId, tx)
        const cover = post.thumbnailWpId === null ? null : await attachmentUrl(post.thumbnailWpId, tx)
        const coverPending = post.thumbnailWpId !== null && cover === null
        let articleId: number
        let outcome: Outcome
        if (record) {
          const article = record.sahifaId === null ? undefined : await repository.article(record.sahifaId, tx)
          if (!article) return skippedPost(post, 'deleted in Sahifa after an earlier import', [])
          articleId = article.id
          if (record.checksum === sum) outcome = 'unchanged'
          else {
            const slug = await slugForUpdate(post.slug, article.id, tx, warnings)
            await articles.update(
              String(article.id),
              // An excerpt WordPress no longer has is derived again, as WordPress would show it.
              {
                ...data,
                excerpt: data.excerpt ?? null,
                ...(slug === undefined ? {} : { slug }),
                coverImageUrl: cover,
              },
              undefined,
              { tx, updatedAt, silent: true },
            )
            await repository.updateRecord(
              record.id,
              { guid: post.guid || null, checksum: sum, thumbnailWpId: post.thumbnailWpId, updatedAt: now },
              tx,
            )
            outcome = 'updated'
          }
        } else {
          const slug = await slugForCreate(post.slug, tx, warnings)
          const article = await articles.create(
            { ...data, ...(slug === undefined ? {} : { slug }), coverImageUrl: cover },
            { tx, createdAt, updatedAt, silent: true },
          )
          articleId = article.id
          await insertRecord(
            'post',
            post.wpId,
            {
              guid: post.guid || null,
              sahifaId: article.id,
              checksum: sum,
              thumbnailWpId: post.thumbnailWpId,
            },
            tx,
          )
          outcome = 'created'
        }
        if (outcome !== 'unchanged') {
          const slugs = [post.slug, ...post.oldSlugs].filter((slug): slug is string => slug !== undefined)
          const keys = postKeys({ wpId: post.wpId, link: post.link, guid: post.guid, slugs })
          const taken = await redirects.add(articleId, keys, now, tx)
          for (const key of taken)
            if (!key.startsWith('slug:'))
              warnings.push(`old address ${key.slice(0, 200)} names another article already`)
        }
        const termOutcomes = await recordTerms(post, tx)
        const comments = await importComments(post.comments, articleId, tx)
        return {
          outcome,
          articleId,
          warnings,
          terms: termOutcomes,
          comments,
          coverPending: outcome !== 'unchanged' && coverPending,
        }
      })
    }

    /** An attachment is not an article: its URL is recorded, for the featured images of the posts that name it. */
    async function recordAttachment(wpId: number, guid: string, url: string | null): Promise<void> {
      await inTransaction((tx) =>
        syncRecord('attachment', wpId, { guid: guid || null, url, checksum: checksum({ url, guid }) }, tx),
      )
      if (dryRun && url) dryAttachments.set(wpId, url)
    }

    /**
     * A post imported before and in WordPress's trash now: its article is made a draft, once (the record's checksum
     * says so; a post restored in WordPress later differs from it, and is updated again). Null when nothing changes.
     */
    async function unpublishTrashed(wpId: number): Promise<number | null> {
      return inTransaction(async (tx) => {
        const record = await repository.findRecord(siteOf(), 'post', wpId, tx)
        if (!record?.sahifaId || record.checksum === TRASHED) return null
        const article = await repository.article(record.sahifaId, tx)
        if (!article) return null
        await articles.update(String(article.id), { status: 'draft', publishedAt: null }, undefined, { tx })
        await repository.updateRecord(record.id, { checksum: TRASHED, updatedAt: isoNow(clock) }, tx)
        return article.id
      })
    }

    async function item(node: WxrNode): Promise<void> {
      const mapping = mapItem(node, { authors })
      if (mapping.kind === 'post' && 'skip' in mapping && mapping.skip === TRASHED && mapping.wpId !== null) {
        let articleId: number | null
        try {
          articleId = await unpublishTrashed(mapping.wpId)
        } catch (error) {
          tally(report, 'post', mapping.wpId, 'skipped', {
            reason: 'could not be imported',
            warnings: [`not made a draft: ${describe(error)}`],
          })
          for (const _ of mapping.comments)
            tally(report, 'comment', null, 'skipped', { reason: 'its post was skipped' })
          return
        }
        if (articleId !== null) {
          tally(report, 'post', mapping.wpId, 'updated', {
            warnings: ['in the trash in WordPress since an earlier import: made a draft'],
          })
          for (const _ of mapping.comments)
            tally(report, 'comment', null, 'skipped', { reason: 'its post is in the trash' })
          if (!dryRun) await changes.publish({ topic: 'articles', id: articleId })
          return
        }
      }
      if ('skip' in mapping) {
        tally(report, mapping.kind, mapping.wpId, 'skipped', { reason: mapping.skip })
        const reason = mapping.kind === 'other' ? 'not on a post' : 'its post was skipped'
        for (const _ of mapping.comments) tally(report, 'comment', null, 'skipped', { reason })
        return
      }
      if (mapping.kind === 'attachment') {
        await recordAttachment(mapping.wpId, mapping.guid, mapping.url)
        tally(report, 'attachment', mapping.wpId, 'skipped', {
          reason: ATTACHMENT_SKIPPED,
          warnings: mapping.warnings,
        })
        return
      }
      const { post } = mapping
      let result: PostResult
      try {
        result = await importPost(post)
      } catch (error) {
        // The item's transaction has rolled back: nothing of it is written; the rest of the export goes on.
        result = skippedPost(post, 'could not be imported', [`not imported: ${describe(error)}`])
      }
      tally(report, 'post', post.wpId, result.outcome, { reason: result.reason, warnings: result.warnings })
      for (const term of result.terms) {
        seenTerms.add(term.id)
        tally(report, 'term', term.id, term.outcome)
      }
      for (const comment of result.comments)
        tally(report, 'comment', comment.wpId, comment.outcome, {
          reason: comment.reason,
          warnings: comment.warnings,
        })
      if (dryRun && result.coverPending && post.thumbnailWpId !== null)
        dryPendingCovers.set(post.wpId, post.thumbnailWpId)
      if (!dryRun && result.articleId !== undefined) {
        if (result.outcome !== 'unchanged') await changes.publish({ topic: 'articles', id: result.articleId })
        if (result.comments.some((c) => c.outcome === 'created' || c.outcome === 'updated'))
          await changes.publish({ topic: 'comments' })
      }
    }

    /** Featured images whose attachment came after the post: one query over the records, then one update each. */
    async function resolveCovers(): Promise<void> {
      if (site === null) return
      if (dryRun) {
        for (const [postWpId, thumbnailWpId] of dryPendingCovers) {
          if (await attachmentUrl(thumbnailWpId, database)) report.coverImagesResolved++
          else
            warn(report, 'post', postWpId, `its featured image ${thumbnailWpId} is in no export read so far`)
        }
        return
      }
      for (const cover of await repository.pendingCovers(site)) {
        await database.transaction((tx) =>
          articles.update(String(cover.articleId), { coverImageUrl: cover.url }, undefined, {
            tx,
            updatedAt: cover.updatedAt,
            silent: true,
          }),
        )
        await changes.publish({ topic: 'articles', id: cover.articleId })
        report.coverImagesResolved++
      }
      for (const missing of await repository.missingCovers(site))
        warn(
          report,
          'post',
          missing.wpId,
          `its featured image ${missing.thumbnailWpId} is in no export read so far`,
        )
    }

    try {
      for await (const { node } of readWxr(input, stats)) {
        if (node.ns === '' && node.name === 'item') {
          siteOf()
          await item(node)
          itemsDone++
        } else header(node)
        options.onProgress?.({ bytesRead: stats.bytesRead, itemsSeen: stats.itemsSeen, itemsDone })
      }
    } catch (error) {
      if (!(error instanceof WxrError)) throw error
      report.error = { message: error.message, line: error.line ?? null }
    }
    await resolveCovers()
    for (const term of termsById.values()) {
      if (term.taxonomy !== 'category' && term.taxonomy !== 'post_tag')
        tally(report, 'term', term.id, 'skipped', { reason: `taxonomy ${term.taxonomy.slice(0, 40)}` })
      else if (!seenTerms.has(term.id))
        tally(report, 'term', term.id, 'skipped', { reason: 'used by no imported post' })
    }
    if (!dryRun && report.counts.term.created + report.counts.term.updated > 0)
      await changes.publish({ topic: 'tags' })
    report.items = stats.itemsSeen
    report.forbiddenCharacters = stats.dropped
    report.durationMs = Date.now() - started
    if (!dryRun) await database.transaction((tx) => events.record(tx, 'import.completed', importData(report)))
    return report
  }

  return { importWxr }
}

export type ImportService = ReturnType<typeof createImportService>
