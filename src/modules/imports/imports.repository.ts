/**
 * The importer's own queries, written once over Drizzle for both engines: the records of what each WordPress
 * post, comment, term and attachment became, and the few writes no service offers (a comment with its WordPress
 * status, date and thread). Comments' e-mail and IP are written here and never read back.
 */
import { aliasedTable, and, eq, isNotNull, isNull } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'

export type ImportKind = 'post' | 'comment' | 'term' | 'attachment'
export type ImportRecord = Database['tables']['importRecords']['$inferSelect']
type NewImportRecord = Database['tables']['importRecords']['$inferInsert']
type NewComment = Database['tables']['comments']['$inferInsert']

export interface PendingCover {
  articleId: number
  url: string
  updatedAt: string
}

export function createImportRepository(database: Database) {
  const { importRecords, articles, comments, tags } = database.tables
  /** A post record's featured image: the attachment record of the same site its thumbnail id names. */
  const featuredImage = (attachment: typeof importRecords) =>
    and(
      eq(attachment.site, importRecords.site),
      eq(attachment.kind, 'attachment'),
      eq(attachment.wpId, importRecords.thumbnailWpId),
    )

  return {
    findRecord(
      site: string,
      kind: ImportKind,
      wpId: number,
      tx: Executor,
    ): Promise<ImportRecord | undefined> {
      return tx.get(
        tx.qb
          .select()
          .from(importRecords)
          .where(
            and(eq(importRecords.site, site), eq(importRecords.kind, kind), eq(importRecords.wpId, wpId)),
          ),
      )
    },

    insertRecord(values: NewImportRecord, tx: Executor): Promise<void> {
      return tx.run(tx.qb.insert(importRecords).values(values))
    },

    updateRecord(id: number, values: Partial<NewImportRecord>, tx: Executor): Promise<void> {
      return tx.run(tx.qb.update(importRecords).set(values).where(eq(importRecords.id, id)))
    },

    /** The few columns of an imported article the importer decides on. */
    article(id: number, tx: Executor) {
      return tx.get(
        tx.qb
          .select({ id: articles.id, slug: articles.slug, coverImageUrl: articles.coverImageUrl })
          .from(articles)
          .where(eq(articles.id, id)),
      )
    },

    async slugOwner(slug: string, tx: Executor): Promise<number | undefined> {
      return (await tx.get(tx.qb.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug))))
        ?.id
    },

    async tagIdBySlug(slug: string, tx: Executor): Promise<number | undefined> {
      return (await tx.get(tx.qb.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug))))?.id
    },

    async commentExists(id: number, tx: Executor): Promise<boolean> {
      return (
        (await tx.get(tx.qb.select({ id: comments.id }).from(comments).where(eq(comments.id, id)))) !==
        undefined
      )
    },

    async insertComment(values: NewComment, tx: Executor): Promise<number> {
      const [row] = await tx.all(tx.qb.insert(comments).values(values).returning({ id: comments.id }))
      return (row as { id: number }).id
    },

    updateComment(id: number, values: Partial<NewComment>, tx: Executor): Promise<void> {
      return tx.run(tx.qb.update(comments).set(values).where(eq(comments.id, id)))
    },

    /** The URL recorded for an attachment of the site. */
    async attachmentUrl(site: string, wpId: number, tx: Executor): Promise<string | null> {
      const row = await tx.get(
        tx.qb
          .select({ url: importRecords.url })
          .from(importRecords)
          .where(
            and(
              eq(importRecords.site, site),
              eq(importRecords.kind, 'attachment'),
              eq(importRecords.wpId, wpId),
            ),
          ),
      )
      return row?.url ?? null
    },

    /**
     * The second pass: the site's imported articles that have no cover yet while the attachment their post named
     * as featured image is now recorded (attachments often follow the posts that use them).
     */
    pendingCovers(site: string): Promise<PendingCover[]> {
      const attachment = aliasedTable(importRecords, 'attachment')
      return database.all(
        database.qb
          .select({ articleId: articles.id, url: attachment.url, updatedAt: articles.updatedAt })
          .from(importRecords)
          .innerJoin(attachment, featuredImage(attachment))
          .innerJoin(articles, eq(articles.id, importRecords.sahifaId))
          .where(
            and(
              eq(importRecords.site, site),
              eq(importRecords.kind, 'post'),
              isNotNull(importRecords.thumbnailWpId),
              isNotNull(attachment.url),
              isNull(articles.coverImageUrl),
            ),
          )
          .orderBy(database.asc(articles.id)),
      ) as Promise<PendingCover[]>
    },

    /** Posts of the site whose featured image is in no export read so far. */
    async missingCovers(site: string): Promise<{ wpId: number; thumbnailWpId: number }[]> {
      const attachment = aliasedTable(importRecords, 'attachment')
      const rows = await database.all(
        database.qb
          .select({ wpId: importRecords.wpId, thumbnailWpId: importRecords.thumbnailWpId })
          .from(importRecords)
          .leftJoin(attachment, featuredImage(attachment))
          .where(
            and(
              eq(importRecords.site, site),
              eq(importRecords.kind, 'post'),
              isNotNull(importRecords.thumbnailWpId),
              isNull(attachment.id),
            ),
          )
          .orderBy(database.asc(importRecords.wpId)),
      )
      return rows as { wpId: number; thumbnailWpId: number }[]
    },
  }
}

export type ImportRepository = ReturnType<typeof createImportRepository>
