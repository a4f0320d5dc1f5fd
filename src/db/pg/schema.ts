/**
 * The PostgreSQL tables: the same names and columns as src/db/sqlite/schema.ts (test/db/schemas.test.ts holds
 * them together). Times are timestamptz, read back as the API's ISO strings; the search index is a tsvector.
 */
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

/** ISO-8601 UTC on the wire and in JS (`2017-11-01T09:30:00.000Z`), timestamptz in the database. */
export const isoTimestamp = customType<{ data: string; driverData: string }>({
  dataType: () => 'timestamp (3) with time zone',
  // node-postgres (through Drizzle) hands timestamptz over as text: `2017-11-01 09:30:00.123+00`.
  fromDriver: (value) => new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString(),
  toDriver: (value) => value,
})

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** Text that sorts and compares byte by byte, as SQLite's does, whatever the database's locale. */
const sortedText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' })

export const articles = pgTable(
  'articles',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    slug: text('slug').notNull().unique(),
    title: sortedText('title').notNull(),
    excerpt: text('excerpt').notNull(),
    excerptIsCustom: boolean('excerpt_is_custom').notNull().default(false),
    body: text('body').notNull(),
    bodyFormat: text('body_format', { enum: ['markdown', 'html'] })
      .notNull()
      .default('markdown'),
    html: text('html').notNull(),
    author: text('author'),
    coverImageUrl: text('cover_image_url'),
    status: text('status', { enum: ['draft', 'published'] })
      .notNull()
      .default('draft'),
    publishedAt: isoTimestamp('published_at'),
    commentsEnabled: boolean('comments_enabled').notNull().default(true),
    readingTimeMinutes: integer('reading_time_minutes').notNull().default(1),
    publishedEventAt: isoTimestamp('published_event_at'),
    createdAt: isoTimestamp('created_at').notNull(),
    updatedAt: isoTimestamp('updated_at').notNull(),
  },
  (table) => [
    index('articles_unannounced_idx').on(table.status, table.publishedEventAt, table.publishedAt),
    // In the order the lists read them: PostgreSQL puts NULL last ascending, SQLite first; the queries ask for
    // SQLite's order on both engines (db/database.ts), and these indexes are built in that order.
    index('articles_status_published_at_idx').on(
      table.status,
      table.publishedAt.asc().nullsFirst(),
      table.id,
    ),
    index('articles_status_updated_at_idx').on(table.status, table.updatedAt, table.id),
    index('articles_status_title_idx').on(table.status, table.title, table.id),
    index('articles_author_idx').on(table.author, table.status, table.publishedAt),
  ],
)

export const tags = pgTable(
  'tags',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    slug: text('slug').notNull().unique(),
    name: sortedText('name').notNull(),
    description: text('description').notNull().default(''),
    createdExplicitly: boolean('created_explicitly').notNull().default(false),
    createdAt: isoTimestamp('created_at').notNull(),
    updatedAt: isoTimestamp('updated_at').notNull(),
  },
  (table) => [index('tags_name_idx').on(table.name, table.id)],
)

export const articleTags = pgTable(
  'article_tags',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tagId] }),
    index('article_tags_tag_idx').on(table.tagId, table.articleId),
  ],
)

export const relatedLinks = pgTable(
  'related_links',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    relatedId: integer('related_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.relatedId] }),
    index('related_links_related_idx').on(table.relatedId),
    index('related_links_position_idx').on(table.articleId, table.position),
  ],
)

export const comments = pgTable(
  'comments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    parentId: integer('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull(),
    // Stored for moderation and duplicate detection; never part of any response schema.
    authorEmail: text('author_email').notNull(),
    authorUrl: text('author_url'),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'spam', 'trash'] })
      .notNull()
      .default('pending'),
    // Stored for moderation; never part of any response schema.
    clientIp: text('client_ip'),
    createdAt: isoTimestamp('created_at').notNull(),
    updatedAt: isoTimestamp('updated_at').notNull(),
  },
  (table) => [
    index('comments_article_status_created_idx').on(table.articleId, table.status, table.createdAt, table.id),
    index('comments_status_created_idx').on(table.status, table.createdAt, table.id),
    index('comments_parent_idx').on(table.parentId),
  ],
)

export const tokens = pgTable('tokens', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'editor'] }).notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: isoTimestamp('created_at').notNull(),
  lastUsedAt: isoTimestamp('last_used_at'),
})

export const articleRevisions = pgTable(
  'article_revisions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    // JSON as text, as on SQLite, so both engines hand back the same string.
    state: text('state').notNull(),
    tokenName: text('token_name'),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (table) => [uniqueIndex('article_revisions_article_number_idx').on(table.articleId, table.number)],
)

export const articlePreviews = pgTable(
  'article_previews',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    tokenName: text('token_name'),
    expiresAt: isoTimestamp('expires_at').notNull(),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (table) => [index('article_previews_article_idx').on(table.articleId, table.expiresAt)],
)

export const importRecords = pgTable(
  'import_records',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    site: text('site').notNull(),
    kind: text('kind', { enum: ['post', 'comment', 'term', 'attachment'] }).notNull(),
    // WordPress's ids are BIGINT(20) UNSIGNED in its own tables.
    wpId: bigint('wp_id', { mode: 'number' }).notNull(),
    guid: text('guid'),
    sahifaId: integer('sahifa_id'),
    checksum: text('checksum').notNull(),
    url: text('url'),
    thumbnailWpId: bigint('thumbnail_wp_id', { mode: 'number' }),
    createdAt: isoTimestamp('created_at').notNull(),
    updatedAt: isoTimestamp('updated_at').notNull(),
  },
  (table) => [uniqueIndex('import_records_site_kind_wp_id_idx').on(table.site, table.kind, table.wpId)],
)

export const articleRedirects = pgTable(
  'article_redirects',
  {
    key: text('key').primaryKey(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (table) => [index('article_redirects_article_idx').on(table.articleId)],
)

export const webhooks = pgTable('webhooks', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  events: text('events').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  disabledReason: text('disabled_reason'),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: isoTimestamp('previous_secret_expires_at'),
  createdAt: isoTimestamp('created_at').notNull(),
  updatedAt: isoTimestamp('updated_at').notNull(),
})

export const webhookEvents = pgTable('webhook_events', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  messageId: text('message_id').notNull().unique(),
  type: text('type').notNull(),
  payload: text('payload').notNull(),
  createdAt: isoTimestamp('created_at').notNull(),
})

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: integer('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: isoTimestamp('next_attempt_at'),
    lastAttemptAt: isoTimestamp('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    lastResponse: text('last_response'),
    lastError: text('last_error'),
    attemptLog: text('attempt_log').notNull().default('[]'),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (table) => [
    index('webhook_deliveries_due_idx').on(table.status, table.nextAttemptAt),
    index('webhook_deliveries_webhook_idx').on(table.webhookId, table.id),
  ],
)

// PostgreSQL only: the search index (SQLite's is an FTS5 virtual table, made by migrations/sqlite/0001_search).
export const articleSearch = pgTable(
  'article_search',
  {
    articleId: integer('article_id')
      .primaryKey()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // Terms from src/lib/arabic.ts (never PostgreSQL's parser), weighted A title, B excerpt, C body.
    document: tsvector('document').notNull(),
  },
  (table) => [index('article_search_document_idx').using('gin', table.document)],
)

// PostgreSQL only: which analyzer version built article_search (SQLite keeps the same in search_index_state).
export const searchIndexState = pgTable('search_index_state', {
  key: text('key').primaryKey(),
  value: integer('value').notNull(),
})

// PostgreSQL only: rate-limit counters shared by every node when there is no Redis.
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  resetAt: isoTimestamp('reset_at').notNull(),
})

/**
 * One row whose number every published change raises (nodes/data-version.ts): cached answers and counts carry the
 * number they were read at, and every node reads it here. SQLite needs no table (one process; PRAGMA data_version).
 */
export const dataVersion = pgTable('data_version', {
  id: integer('id').primaryKey(),
  n: bigint('n', { mode: 'number' }).notNull(),
})

/**
 * The nodes that answer from their own copy of the data version (nodes/data-version.ts): each renews its lease and
 * records the newest version it has taken in (`seen`). A writer answers once every node holding a lease has seen
 * its version, or once that node's lease has run out.
 */
export const dataVersionNodes = pgTable('data_version_nodes', {
  id: text('id').primaryKey(),
  leaseUntil: timestamp('lease_until', { withTimezone: true, precision: 3 }).notNull(),
  seen: bigint('seen', { mode: 'number' }).notNull(),
})
