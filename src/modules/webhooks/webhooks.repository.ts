/** The webhooks' queries, written once over Drizzle for both engines: webhooks, the outbox and its deliveries. */
import { and, count, desc, eq, inArray, lt, lte } from 'drizzle-orm'
import type { Database, Executor } from '../../db/database.js'

export type WebhookRow = Database['tables']['webhooks']['$inferSelect']
export type NewWebhookRow = Database['tables']['webhooks']['$inferInsert']
export type DeliveryRow = Database['tables']['webhookDeliveries']['$inferSelect']
export type NewDeliveryRow = Database['tables']['webhookDeliveries']['$inferInsert']
export type NewEventRow = Database['tables']['webhookEvents']['$inferInsert']

export function createWebhookRepository(database: Database) {
  const { webhooks, webhookEvents: events, webhookDeliveries: deliveries } = database.tables

  const deliveryColumns = {
    id: deliveries.id,
    webhookId: deliveries.webhookId,
    eventId: deliveries.eventId,
    status: deliveries.status,
    attempts: deliveries.attempts,
    nextAttemptAt: deliveries.nextAttemptAt,
    lastAttemptAt: deliveries.lastAttemptAt,
    lastStatusCode: deliveries.lastStatusCode,
    lastDurationMs: deliveries.lastDurationMs,
    lastResponse: deliveries.lastResponse,
    lastError: deliveries.lastError,
    attemptLog: deliveries.attemptLog,
    createdAt: deliveries.createdAt,
    messageId: events.messageId,
    eventType: events.type,
    payload: events.payload,
  }

  return {
    async insert(values: NewWebhookRow, tx: Executor = database): Promise<WebhookRow> {
      const [row] = await tx.all(tx.qb.insert(webhooks).values(values).returning())
      return row as WebhookRow
    },

    list: (): Promise<WebhookRow[]> =>
      database.all(database.qb.select().from(webhooks).orderBy(database.asc(webhooks.id))),

    find(id: number, tx: Executor = database, options: { lock?: boolean } = {}) {
      const query = tx.qb.select().from(webhooks).where(eq(webhooks.id, id))
      return tx.get(options.lock ? tx.forUpdate(query) : query)
    },

    async update(id: number, values: Partial<NewWebhookRow>, tx: Executor = database): Promise<WebhookRow> {
      const [row] = await tx.all(tx.qb.update(webhooks).set(values).where(eq(webhooks.id, id)).returning())
      return row as WebhookRow
    },

    /** False when there was no such webhook; its deliveries go with it. */
    async remove(id: number): Promise<boolean> {
      const gone = await database.all(
        database.qb.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id }),
      )
      return gone.length > 0
    },

    /** The enabled webhooks with what they subscribe to: few rows, read in the transaction of the change. */
    enabled: (tx: Executor) =>
      tx.all(
        tx.qb
          .select({ id: webhooks.id, events: webhooks.events })
          .from(webhooks)
          .where(eq(webhooks.enabled, true)),
      ),

    async insertEvent(values: NewEventRow, tx: Executor): Promise<number> {
      const [row] = await tx.all(tx.qb.insert(events).values(values).returning({ id: events.id }))
      return (row as { id: number }).id
    },

    async insertDeliveries(values: NewDeliveryRow[], tx: Executor): Promise<number[]> {
      if (values.length === 0) return []
      const rows = await tx.all(tx.qb.insert(deliveries).values(values).returning({ id: deliveries.id }))
      return rows.map((row) => row.id)
    },

    /** A delivery with its event, as the API shows it. */
    findDelivery: (webhookId: number, id: number, tx: Executor = database) =>
      tx.get(
        tx.qb
          .select(deliveryColumns)
          .from(deliveries)
          .innerJoin(events, eq(events.id, deliveries.eventId))
          .where(and(eq(deliveries.webhookId, webhookId), eq(deliveries.id, id))),
      ),

    async countDeliveries(webhookId: number): Promise<number> {
      const row = await database.get(
        database.qb.select({ n: count() }).from(deliveries).where(eq(deliveries.webhookId, webhookId)),
      )
      return row?.n ?? 0
    },

    /** Newest first, keyset on id: a page `before` a delivery id continues where the last one stopped. */
    deliveriesPage: (webhookId: number, limit: number, before?: number) =>
      database.all(
        database.qb
          .select(deliveryColumns)
          .from(deliveries)
          .innerJoin(events, eq(events.id, deliveries.eventId))
          .where(
            and(
              eq(deliveries.webhookId, webhookId),
              before === undefined ? undefined : lt(deliveries.id, before),
            ),
          )
          .orderBy(desc(deliveries.id))
          .limit(limit),
      ),

    /**
     * Takes up to `limit` due deliveries of enabled webhooks and moves their next attempt to `leaseUntil`, so that
     * no other worker takes them meanwhile; a worker that dies mid-attempt leaves them due again when the lease
     * ends. Rows another node is taking at this moment are skipped, not waited for.
     */
    async claimDue(now: string, leaseUntil: string, limit: number): Promise<number[]> {
      return database.transaction(async (tx) => {
        const due = await tx.all(
          tx.forUpdateSkipLocked(
            tx.qb
              .select({ id: deliveries.id })
              .from(deliveries)
              .where(
                and(
                  eq(deliveries.status, 'pending'),
                  lte(deliveries.nextAttemptAt, now),
                  inArray(
                    deliveries.webhookId,
                    tx.qb.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.enabled, true)),
                  ),
                ),
              )
              .orderBy(database.asc(deliveries.nextAttemptAt), database.asc(deliveries.id))
              .limit(limit),
          ),
        )
        const ids = due.map((row) => row.id)
        if (ids.length > 0)
          await tx.run(
            tx.qb
              .update(deliveries)
              .set({ nextAttemptAt: leaseUntil })
              .where(database.inIds(deliveries.id, ids)),
          )
        return ids
      })
    },

    /** What a worker needs to send one delivery: the URL, the secrets (sealed), the message. */
    job: (id: number) =>
      database.get(
        database.qb
          .select({
            id: deliveries.id,
            webhookId: webhooks.id,
            url: webhooks.url,
            secret: webhooks.secret,
            previousSecret: webhooks.previousSecret,
            previousSecretExpiresAt: webhooks.previousSecretExpiresAt,
            attempts: deliveries.attempts,
            attemptLog: deliveries.attemptLog,
            messageId: events.messageId,
            payload: events.payload,
          })
          .from(deliveries)
          .innerJoin(events, eq(events.id, deliveries.eventId))
          .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
          .where(eq(deliveries.id, id)),
      ),

    attemptState: (id: number, tx: Executor) =>
      tx.get(
        tx.qb
          .select({
            attempts: deliveries.attempts,
            attemptLog: deliveries.attemptLog,
            webhookId: deliveries.webhookId,
          })
          .from(deliveries)
          .where(eq(deliveries.id, id)),
      ),

    updateDelivery: (id: number, values: Partial<NewDeliveryRow>, tx: Executor = database) =>
      tx.run(tx.qb.update(deliveries).set(values).where(eq(deliveries.id, id))),
  }
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>
