/**
 * "Something changed": published after every write commits, heard by every node (the read cache listens).
 * In one process an EventEmitter; across nodes Redis pub/sub when REDIS_URL is set, else PostgreSQL's
 * LISTEN/NOTIFY. A single SQLite process needs nothing more.
 */
import { EventEmitter } from 'node:events'
import type { Redis } from 'ioredis'
import type pg from 'pg'

export type ChangeTopic = 'articles' | 'tags' | 'comments' | 'related' | 'tokens'

export interface Change {
  topic: ChangeTopic
  id?: number
}

export interface ChangeSignal {
  /** Resolves once the change is handed to every node's transport (not when every node has heard it). */
  publish(change: Change): Promise<void>
  /** Returns the unsubscribe function. */
  subscribe(listener: (change: Change) => void): () => void
  close(): Promise<void>
}

const CHANNEL = 'sahifa_changes'

function parse(message: string): Change | null {
  try {
    const value = JSON.parse(message) as Change
    return typeof value?.topic === 'string' ? value : null
  } catch {
    return null
  }
}

function emitterSignal(send: (message: string) => Promise<void>, onClose: () => Promise<void>) {
  const emitter = new EventEmitter()
  const signal: ChangeSignal & { deliver(message: string): void } = {
    publish: (change) => send(JSON.stringify(change)),
    subscribe(listener) {
      emitter.on('change', listener)
      return () => emitter.off('change', listener)
    },
    deliver(message) {
      const change = parse(message)
      if (change) emitter.emit('change', change)
    },
    close: onClose,
  }
  return signal
}

export function localChangeSignal(): ChangeSignal {
  const signal = emitterSignal(
    async (message) => signal.deliver(message),
    async () => {},
  )
  return signal
}

/**
 * A connection of its own listens (outside the pool, so closing the pool never waits for it); NOTIFY goes
 * through the pool.
 */
export async function pgChangeSignal(pool: pg.Pool): Promise<ChangeSignal> {
  // Loaded here: a SQLite server never needs the driver.
  const { Client } = (await import('pg')).default
  const listener = new Client(pool.options)
  // A lost listener must not crash the process; /health reports the database when it is away.
  listener.on('error', () => {})
  await listener.connect()
  let closed = false
  const signal = emitterSignal(
    async (message) => void (await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, message])),
    async () => {
      if (closed) return
      closed = true
      listener.removeAllListeners('notification')
      await listener.end().catch(() => {})
    },
  )
  listener.on('notification', (msg) => {
    if (msg.channel === CHANNEL && msg.payload) signal.deliver(msg.payload)
  })
  await listener.query(`LISTEN ${CHANNEL}`)
  return signal
}

/** Pub/sub needs a connection of its own: a subscribed Redis connection can do nothing else. */
export async function redisChangeSignal(redis: Redis): Promise<ChangeSignal> {
  const subscriber = redis.duplicate()
  const signal = emitterSignal(
    async (message) => void (await redis.publish(CHANNEL, message)),
    async () => subscriber.disconnect(),
  )
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === CHANNEL) signal.deliver(message)
  })
  await subscriber.subscribe(CHANNEL)
  return signal
}
