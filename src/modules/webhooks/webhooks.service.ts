/**
 * Webhooks: the admin's subscriptions (secrets sealed with SECRET_KEY, shown once), the outbox that the other
 * services write events into inside their own transactions, and the worker's side of a delivery: what to send and
 * what to make of the answer (retries with jitter, Retry-After, 410).
 */
import type { Database, Executor } from '../../db/database.js'
import { type Clock, isoNow } from '../../lib/clock.js'
import { BadRequestError, ConflictError, NotFoundError } from '../../lib/errors.js'
import { decodeCursor, encodeCursor, type Page } from '../../lib/pagination.js'
import type { SecretBox } from '../../lib/secret-box.js'
import { urlProblem } from './webhooks.address.js'
import type { SendResult } from './webhooks.delivery.js'
import type { EventData, EventType } from './webhooks.events.js'
import type { DeliveryRow, WebhookRepository, WebhookRow } from './webhooks.repository.js'
import type {
  Attempt,
  CreateWebhookInput,
  Delivery,
  ListDeliveriesQuery,
  UpdateWebhookInput,
  Webhook,
} from './webhooks.schemas.js'
import { newMessageId, newSigningSecret } from './webhooks.signing.js'

/** The wait after the nth failed attempt (the Standard Webhooks schedule); after the last, the delivery fails. */
export const RETRY_DELAYS_MS = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400].map((s) => s * 1000)
/** Each wait is moved by up to this fraction either way, so failed deliveries do not all come back at once. */
const JITTER = 0.1
/** A Retry-After is honoured up to this long. */
const RETRY_AFTER_MAX_MS = 24 * 60 * 60 * 1000
/** How long the old secret still signs after a rotation. */
export const ROTATION_WINDOW_MS = 24 * 60 * 60 * 1000

export interface WebhookServiceDeps {
  database: Database
  repository: WebhookRepository
  clock: Clock
  /** Seals secrets; absent without SECRET_KEY, and then no webhook can be made or sent. */
  secrets: SecretBox | undefined
  /** WEBHOOKS_ALLOW_PRIVATE */
  allowPrivate: boolean
  /** 0 ≤ n < 1, for the jitter; tests may pin it. */
  random?: () => number
}

/** What a worker needs to send one delivery. */
export interface Job {
  deliveryId: number
  url: string
  messageId: string
  body: string
  /** The secrets to sign with (the current one, and the previous during a rotation); empty if they cannot be read. */
  secrets: string[]
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as Webhook['events'],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

type DeliveryView = Omit<DeliveryRow, 'eventId'> & { messageId: string; eventType: string; payload: string }

function toDelivery(row: DeliveryView): Delivery {
  return {
    id: row.id,
    webhookId: row.webhookId,
    messageId: row.messageId,
    eventType: row.eventType as Delivery['eventType'],
    status: row.status,
    attempts: row.attempts,
    // While an attempt is in flight the row holds its lease, not a time anyone should read as "next".
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastDurationMs: row.lastDurationMs,
    lastResponse: row.lastResponse,
    lastError: row.lastError,
    attemptLog: JSON.parse(row.attemptLog) as Attempt[],
    payload: JSON.parse(row.payload) as Delivery['payload'],
    createdAt: row.createdAt,
  }
}

function noSecretKey(): ConflictError {
  return new ConflictError(
    'Webhooks need SECRET_KEY set in the server’s environment: their signing secrets are stored encrypted with it.',
  )
}

export function createWebhookService({
  database,
  repository,
  clock,
  secrets,
  allowPrivate,
  random = Math.random,
}: WebhookServiceDeps) {
  function checkUrl(url: string | undefined): void {
    if (url === undefined) return
    const problem = urlProblem(url, allowPrivate)
    if (problem)
      throw new BadRequestError('The request body is not valid.', [{ path: 'url', message: problem }])
  }

  async function findOrFail(id: number, tx: Executor = database, lock = false): Promise<WebhookRow> {
    const row = await repository.find(id, tx, { lock })
    if (!row) throw new NotFoundError('Webhook')
    return row
  }

  /** Writes the event and one delivery per webhook in `webhookIds`, due now, in the caller's transaction. */
  async function enqueue(
    tx: Executor,
    type: EventType,
    data: EventData,
    webhookIds: number[],
  ): Promise<number[]> {
    if (webhookIds.length === 0) return []
    const now = isoNow(clock)
    const eventId = await repository.insertEvent(
      {
        messageId: newMessageId(),
        type,
        payload: JSON.stringify({ type, timestamp: now, data }),
        createdAt: now,
      },
      tx,
    )
    return repository.insertDeliveries(
      webhookIds.map((webhookId) => ({ webhookId, eventId, nextAttemptAt: now, createdAt: now })),
      tx,
    )
  }

  /** The decrypted secrets a delivery is signed with now. */
  function signingSecrets(row: Pick<WebhookRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>) {
    if (!secrets) return []
    try {
      const list = [secrets.open(row.secret)]
      if (row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > isoNow(clock))
        list.push(secrets.open(row.previousSecret))
      return list
    } catch {
      // Sealed with another SECRET_KEY: nothing can be signed until the right key is back.
      return []
    }
  }

  /** The wait before the next attempt, or null when the last one is spent. */
  function retryDelay(attempts: number, retryAfterMs: number | undefined): number | null {
    const scheduled = RETRY_DELAYS_MS[attempts - 1]
    if (scheduled === undefined) return null
    if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 1000), RETRY_AFTER_MAX_MS)
    return Math.round(scheduled * (1 - JITTER + 2 * JITTER * random()))
  }

  return {
    async create(input: CreateWebhookInput) {
      if (!secrets) throw noSecretKey()
      checkUrl(input.url)
      const secret = newSigningSecret()
      const now = isoNow(clock)
      const row = await repository.insert({
        url: input.url,
        description: input.description ?? '',
        events: JSON.stringify(input.events),
        enabled: input.enabled ?? true,
        secret: secrets.seal(secret),
        createdAt: now,
        updatedAt: now,
      })
      return { ...toWebhook(row), secret }
    },

    list: async (): Promise<Webhook[]> => (await repository.list()).map(toWebhook),

    get: async (id: number): Promise<Webhook> => toWebhook(await findOrFail(id)),

    /** `assertCurrent` sees the webhook as it stands, locked against other writers, before anything changes. */
    async update(id: number, patch: UpdateWebhookInput, assertCurrent?: (current: Webhook) => void) {
      checkUrl(patch.url)
      return database.transaction(async (tx) => {
        const row = await findOrFail(id, tx, true)
        assertCurrent?.(toWebhook(row))
        const updated = await repository.update(
          id,
          {
            url: patch.url ?? row.url,
            description: patch.description ?? row.description,
            events: patch.events ? JSON.stringify(patch.events) : row.events,
            enabled: patch.enabled ?? row.enabled,
            disabledReason: patch.enabled === true ? null : row.disabledReason,
            updatedAt: isoNow(clock),
          },
          tx,
        )
        return toWebhook(updated)
      })
    },

    async remove(id: number): Promise<void> {
      if (!(await repository.remove(id))) throw new NotFoundError('Webhook')
    },

    /** A new secret, shown once; the old one still signs (a second signature) for ROTATION_WINDOW_MS. */
    async rotateSecret(id: number) {
      if (!secrets) throw noSecretKey()
      const secret = newSigningSecret()
      const row = await database.transaction(async (tx) => {
        const current = await findOrFail(id, tx, true)
        const now = clock.now()
        return repository.update(
          id,
          {
            secret: secrets.seal(secret),
            previousSecret: current.secret,
            previousSecretExpiresAt: new Date(now.getTime() + ROTATION_WINDOW_MS).toISOString(),
            updatedAt: now.toISOString(),
          },
          tx,
        )
      })
      return { ...toWebhook(row), secret }
    },

    /** Queues a webhook.ping to this webhook alone. */
    async ping(id: number): Promise<Delivery> {
      const deliveryId = await database.transaction(async (tx) => {
        const row = await findOrFail(id, tx)
        if (!row.enabled) throw new ConflictError('The webhook is disabled: enable it first.')
        const [queued] = await enqueue(tx, 'webhook.ping', { id: row.id, url: row.url }, [row.id])
        return queued as number
      })
      return toDelivery((await repository.findDelivery(id, deliveryId)) as DeliveryView)
    },

    /** Newest first; `cursor` continues after the last delivery of the previous page. */
    async deliveries(id: number, query: ListDeliveriesQuery): Promise<Page<Delivery>> {
      await findOrFail(id)
      const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, '-id').id
      const [total, rows] = [
        await repository.countDeliveries(id),
        await repository.deliveriesPage(id, query.perPage + 1, before),
      ]
      const page = rows.slice(0, query.perPage)
      const last = page.at(-1)
      const nextCursor =
        rows.length > query.perPage && last ? encodeCursor({ sort: '-id', value: null, id: last.id }) : null
      return { data: page.map(toDelivery), meta: { perPage: query.perPage, total, nextCursor } }
    },

    /** Queues the same event again for this webhook (same `webhook-id`), as a new delivery. */
    async redeliver(id: number, deliveryId: number): Promise<Delivery> {
      const newId = await database.transaction(async (tx) => {
        const row = await findOrFail(id, tx)
        const delivery = await repository.findDelivery(id, deliveryId, tx)
        if (!delivery) throw new NotFoundError('Delivery')
        if (!row.enabled) throw new ConflictError('The webhook is disabled: enable it first.')
        const now = isoNow(clock)
        const [queued] = await repository.insertDeliveries(
          [{ webhookId: id, eventId: delivery.eventId, nextAttemptAt: now, createdAt: now }],
          tx,
        )
        return queued as number
      })
      return toDelivery((await repository.findDelivery(id, newId)) as DeliveryView)
    },

    /**
     * The outbox: records an event for every enabled webhook subscribed to its type, in the caller's transaction,
     * so the event exists exactly when the change does. Nothing is written when no webhook listens.
     */
    async record(tx: Executor, type: EventType, data: EventData): Promise<void> {
      const subscribers = (await repository.enabled(tx)).filter((webhook) =>
        (JSON.parse(webhook.events) as string[]).includes(type),
      )
      await enqueue(
        tx,
        type,
        data,
        subscribers.map((webhook) => webhook.id),
      )
    },

    /**
     * Takes due deliveries for this worker; each stays out of other workers' reach for `leaseMs`, after which a
     * delivery whose worker died is due again.
     */
    async claim(limit: number, leaseMs: number): Promise<Job[]> {
      const now = clock.now()
      const ids = await repository.claimDue(
        now.toISOString(),
        new Date(now.getTime() + leaseMs).toISOString(),
        limit,
      )
      const jobs: Job[] = []
      for (const id of ids) {
        const job = await repository.job(id)
        if (job)
          jobs.push({
            deliveryId: id,
            url: job.url,
            messageId: job.messageId,
            body: job.payload,
            secrets: signingSecrets(job),
          })
      }
      return jobs
    },

    /**
     * Records an attempt: a 2xx settles it; a 410 fails it and disables the webhook, a refused address fails it;
     * anything else is retried on the schedule (or after Retry-After) until the attempts are spent.
     */
    async settle(job: Job, result: SendResult): Promise<void> {
      await database.transaction(async (tx) => {
        const current = await repository.attemptState(job.deliveryId, tx)
        if (!current) return
        const now = clock.now()
        const attempts = current.attempts + 1
        const statusCode = result.statusCode ?? null
        const ok = statusCode !== null && statusCode >= 200 && statusCode < 300
        const gone = statusCode === 410
        const delay = ok || gone || result.refused ? null : retryDelay(attempts, result.retryAfterMs)
        const attempt: Attempt = {
          at: now.toISOString(),
          statusCode,
          durationMs: result.durationMs,
          response: result.response ?? null,
          error: result.error ?? null,
        }
        await repository.updateDelivery(
          job.deliveryId,
          {
            status: ok ? 'succeeded' : delay === null ? 'failed' : 'pending',
            attempts,
            nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay).toISOString(),
            lastAttemptAt: attempt.at,
            lastStatusCode: statusCode,
            lastDurationMs: result.durationMs,
            lastResponse: attempt.response,
            lastError: attempt.error,
            attemptLog: JSON.stringify([...(JSON.parse(current.attemptLog) as Attempt[]), attempt]),
          },
          tx,
        )
        if (gone)
          await repository.update(
            current.webhookId,
            {
              enabled: false,
              disabledReason: 'The receiver answered 410 Gone.',
              updatedAt: now.toISOString(),
            },
            tx,
          )
      })
    },
  }
}

export type WebhookService = ReturnType<typeof createWebhookService>
