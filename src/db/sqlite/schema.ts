/** Every Drizzle table and index. Timestamps are ISO-8601 UTC text, the API's wire format, so they sort as text. */
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'

export const articles = sqliteTable(
  'articles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    excerpt: text('excerpt').notNull(),
    // true when the editor wrote the excerpt; a derived one follows the body.
    excerptIsCustom: integer('excerpt_is_custom', { mode: 'boolean' }).notNull().default(false),
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
    publishedAt: text('published_at'),
    commentsEnabled: integer('comments_enabled', { mode: 'boolean' }).notNull().default(true),
    readingTimeMinutes: integer('reading_time_minutes').notNull().default(1),
    // When article.published was recorded for the article's current time live; null while it is not announced.
    // Set and cleared in the same transaction as the event, so the announcement happens once across nodes.
    publishedEventAt: text('published_event_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    // The webhook worker's tick: published articles whose time has come and that are not announced yet.
    index('articles_unannounced_idx').on(table.status, table.publishedEventAt, table.publishedAt),
    // The public list: status = 'published' and published_at <= now, newest first, keyset on (published_at, id).
    index('articles_status_published_at_idx').on(table.status, table.publishedAt, table.id),
    index('articles_status_updated_at_idx').on(table.status, table.updatedAt, table.id),
    index('articles_status_title_idx').on(table.status, table.title, table.id),
    index('articles_author_idx').on(table.author, table.status, table.publishedAt),
  ],
)

export const tags = sqliteTable(
  'tags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    // Made with POST /v1/tags (public at once), not on the way through an article's tags (public once one is live).
    createdExplicitly: integer('created_explicitly', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [index('tags_name_idx').on(table.name, table.id)],
)

export const articleTags = sqliteTable(
  'article_tags',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    // The order in which the editor gave the tags.
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tagId] }),
    index('article_tags_tag_idx').on(table.tagId, table.articleId),
  ],
)

export const relatedLinks = sqliteTable(
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

export const comments = sqliteTable(
  'comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // Replies of a deleted comment are moved up by the service; SET NULL is the backstop.
    parentId: integer('parent_id').references((): AnySQLiteColumn => comments.id, { onDelete: 'set null' }),
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
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    index('comments_article_status_created_idx').on(table.articleId, table.status, table.createdAt, table.id),
    index('comments_status_created_idx').on(table.status, table.createdAt, table.id),
    index('comments_parent_idx').on(table.parentId),
  ],
)

export const tokens = sqliteTable('tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'editor'] }).notNull(),
  // SHA-256 of the secret, hex; the secret itself is never stored.
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
})

export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // 1, 2, 3… within one article: what the API calls a revision.
    number: integer('number').notNull(),
    // The full editable state as JSON (title, slug, excerpt as given, body, …, tag names).
    state: text('state').notNull(),
    // The token that made it; null for ADMIN_TOKEN, imports and the seeder.
    tokenName: text('token_name'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('article_revisions_article_number_idx').on(table.articleId, table.number)],
)

export const articlePreviews = sqliteTable(
  'article_previews',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // SHA-256 of the preview secret, hex; the secret itself is never stored.
    tokenHash: text('token_hash').notNull().unique(),
    tokenName: text('token_name'),
    expiresAt: text('expires_at').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('article_previews_article_idx').on(table.articleId, table.expiresAt)],
)

export const importRecords = sqliteTable(
  'import_records',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // The WordPress site: its base blog URL, lower-cased, without a trailing slash.
    site: text('site').notNull(),
    kind: text('kind', { enum: ['post', 'comment', 'term', 'attachment'] }).notNull(),
    wpId: integer('wp_id').notNull(),
    guid: text('guid'),
    // The article, comment or tag made from it; null for attachments (recorded for their URL) and skipped terms.
    // No foreign key: it names a row of a different table per kind, and a row deleted in Sahifa stays deleted.
    sahifaId: integer('sahifa_id'),
    // SHA-256 of what the item mapped to: an unchanged item in a later export is left alone.
    checksum: text('checksum').notNull(),
    // Attachments: the file's URL, for the posts that use it as their featured image.
    url: text('url'),
    // Posts: their featured image (`_thumbnail_id`), resolved once the whole export has been read.
    thumbnailWpId: integer('thumbnail_wp_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [uniqueIndex('import_records_site_kind_wp_id_idx').on(table.site, table.kind, table.wpId)],
)

export const articleRedirects = sqliteTable(
  'article_redirects',
  {
    // A normalized old address: `p:123`, `path:/2017/11/01/slug`, `slug:slug`, `guid:…` (redirects.keys.ts).
    key: text('key').primaryKey(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('article_redirects_article_idx').on(table.articleId)],
)

export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  // The event types subscribed to, as a JSON array of strings.
  events: text('events').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  // Why the server disabled it (a 410 answer); null when enabled or disabled by an admin.
  disabledReason: text('disabled_reason'),
  // The signing secret, AES-256-GCM encrypted with a key derived from SECRET_KEY (lib/secret-box.ts).
  secret: text('secret').notNull(),
  // After a rotation: the old secret (encrypted), still signed with until previous_secret_expires_at.
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: text('previous_secret_expires_at'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

/** The outbox: one row per event, written in the transaction of the change that caused it. */
export const webhookEvents = sqliteTable('webhook_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  // The `webhook-id` header: random, so it stays unique if ids restart, and the same on every retry.
  messageId: text('message_id').notNull().unique(),
  type: text('type').notNull(),
  // The body sent, as JSON: { type, timestamp, data }.
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
})

/** One row per event and subscribed webhook (and per redelivery): what the worker sends and what came back. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
    // When the worker may take it next; also pushed past a claim's lease while an attempt is in flight.
    nextAttemptAt: text('next_attempt_at'),
    lastAttemptAt: text('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    // The first 1 KB of the last answer's body.
    lastResponse: text('last_response'),
    lastError: text('last_error'),
    // Every attempt as JSON: [{ at, statusCode, durationMs, response, error }].
    attemptLog: text('attempt_log').notNull().default('[]'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    index('webhook_deliveries_due_idx').on(table.status, table.nextAttemptAt),
    index('webhook_deliveries_webhook_idx').on(table.webhookId, table.id),
  ],
)
