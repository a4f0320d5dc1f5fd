/**
 * When a cached answer or count stops being right: when the data version moves (any write, on any node), or when a
 * scheduled article's time comes, which changes what the public sees without any write.
 */
import { LRUCache } from 'lru-cache'
import type { Clock } from '../lib/clock.js'
import type { DataVersion } from './data-version.js'

/** What a cached thing was read under: the data version, and the first go-live after it (ms; Infinity if none). */
export interface Stamp {
  version: number
  until: number
}

export interface Freshness {
  /** The stamp of a read made now. Take it before reading, so the read is at least as new as its stamp. */
  stamp(): Promise<Stamp>
  /** Whether something read under `stamp` is what a read now would give. */
  holds(stamp: Stamp): Promise<boolean>
}

export interface FreshnessDeps {
  version: DataVersion
  clock: Clock
  /** The earliest publishedAt of a scheduled article after `now`, or null. */
  nextGoLive(now: string): Promise<string | null>
}

export function createFreshness({ version, clock, nextGoLive }: FreshnessDeps): Freshness {
  // The stamp of the newest version seen; the go-live time is looked up again only when either has passed.
  let known: Stamp = { version: -1, until: 0 }
  return {
    async stamp() {
      const current = await version.read()
      const now = clock.now().getTime()
      if (current !== known.version || now >= known.until) {
        const next = await nextGoLive(new Date(now).toISOString())
        known = { version: current, until: next === null ? Number.POSITIVE_INFINITY : Date.parse(next) }
      }
      return known
    },
    async holds(stamp) {
      return clock.now().getTime() < stamp.until && (await version.read()) === stamp.version
    },
  }
}

const sameStamp = (a: Stamp, b: Stamp) => a.version === b.version && a.until === b.until

/**
 * Values read under a stamp (counts, mostly), kept while it holds, `max` keys at most. What is kept is the promise,
 * so callers that miss together (a cold node, the first reads after a write) share one read; a failed read is not
 * kept.
 */
export function keptPerStamp<T>(max: number) {
  const kept = new LRUCache<string, { stamp: Stamp; value: Promise<T> }>({ max })
  const peek = (key: string, stamp: Stamp): Promise<T> | undefined => {
    const entry = kept.get(key)
    return entry && sameStamp(entry.stamp, stamp) ? entry.value : undefined
  }
  const keep = (key: string, stamp: Stamp, value: Promise<T>): Promise<T> => {
    const entry = { stamp, value }
    kept.set(key, entry)
    value.catch(() => {
      if (kept.get(key) === entry) kept.delete(key)
    })
    return value
  }
  return {
    peek,
    keep,
    /** The kept value, or `read()`'s, kept from now on. */
    get: (key: string, stamp: Stamp, read: () => Promise<T>): Promise<T> =>
      peek(key, stamp) ?? keep(key, stamp, read()),
  }
}
