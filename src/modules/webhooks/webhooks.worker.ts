/**
 * The worker in every server process: on each tick it announces the scheduled articles whose time has come, then
 * sends the due deliveries. Several nodes may run it on one PostgreSQL database: each delivery is claimed by one
 * worker (SKIP LOCKED and a lease), each announcement by one conditional UPDATE.
 */
import type { Logger } from 'pino'
import type { ArticleService } from '../articles/articles.service.js'
import { DEFAULT_TIMEOUT_MS, type SendOptions, type SendResult, send } from './webhooks.delivery.js'
import type { Job, WebhookService } from './webhooks.service.js'
import { signatureHeaders } from './webhooks.signing.js'

/** Deliveries taken, and sent side by side, per round. */
const BATCH = 10

export interface WorkerDeps {
  webhooks: Pick<WebhookService, 'claim' | 'settle'>
  articles: Pick<ArticleService, 'announceDue'>
  logger: Pick<Logger, 'info' | 'error'>
  /** WEBHOOKS_POLL_MS */
  pollMs: number
  send: SendOptions
}

export interface RunSummary {
  announced: number
  attempted: number
}

export function createWebhookWorker({ webhooks, articles, logger, pollMs, send: sendOptions }: WorkerDeps) {
  const timeoutMs = sendOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS
  // Long enough for a whole attempt and its bookkeeping; a worker gone longer than this is presumed dead.
  const leaseMs = timeoutMs + 60_000
  let timer: NodeJS.Timeout | undefined
  let stopped = true
  // Set by stop(): a round in progress finishes its batch and takes no more.
  let closing = false
  // One round at a time in this process: the poll and a caller (a test, the start) queue behind each other.
  let current: Promise<unknown> = Promise.resolve()

  async function attempt(job: Job): Promise<void> {
    let result: SendResult
    if (job.secrets.length === 0) {
      result = {
        durationMs: 0,
        error: 'not sent: the signing secret cannot be read (is SECRET_KEY set, and the same?)',
      }
    } else {
      // The signature's time is the wall clock: receivers hold it against theirs to refuse replays.
      const headers = signatureHeaders(job.messageId, new Date(), job.body, job.secrets)
      result = await send(job.url, headers, job.body, sendOptions)
    }
    await webhooks.settle(job, result)
  }

  async function round(): Promise<RunSummary> {
    const announced = await articles.announceDue()
    let attempted = 0
    while (!closing) {
      const jobs = await webhooks.claim(BATCH, leaseMs)
      if (jobs.length === 0) break
      await Promise.all(jobs.map(attempt))
      attempted += jobs.length
    }
    return { announced, attempted }
  }

  /** One tick now, after any in progress: what it announced and how many attempts it made. */
  function runOnce(): Promise<RunSummary> {
    const run = current.then(round, round)
    current = run.catch(() => {})
    return run
  }

  function schedule(): void {
    if (stopped) return
    timer = setTimeout(async () => {
      try {
        await runOnce()
      } catch (error) {
        // Never the message: a driver's may quote the values of a query.
        logger.error({ err: { name: (error as Error).name } }, 'webhook worker round failed')
      }
      schedule()
    }, pollMs)
    timer.unref()
  }

  return {
    runOnce,
    /** Ticks at once (scheduled articles due while the server was down), then every `pollMs`. */
    start(): void {
      if (!stopped) return
      stopped = false
      closing = false
      runOnce().then(
        () => logger.info({ pollMs }, 'webhook worker started'),
        (error: Error) => logger.error({ err: { name: error.name } }, 'webhook worker round failed'),
      )
      schedule()
    },
    /** Stops ticking and waits for the round in progress. */
    async stop(): Promise<void> {
      stopped = true
      closing = true
      clearTimeout(timer)
      await current
    },
  }
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>
