/**
 * Sends one delivery: a POST with Node's http/https, no redirects followed, a time limit on the whole attempt
 * (DNS included), and at most 1 KB of the answer read. Unless private addresses are allowed, the URL must be
 * https and every address its host resolves to must be public; the connection then goes to the address that was
 * checked (the lookup is pinned), so a DNS answer that changes in between (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { hostOf, isForbiddenAddress } from './webhooks.address.js'

/** The most of an answer's body that is read and kept. */
export const RESPONSE_KEEP_BYTES = 1024
export const DEFAULT_TIMEOUT_MS = 15_000

export interface SendOptions {
  /** WEBHOOKS_ALLOW_PRIVATE: http and private addresses are allowed (development and tests). */
  allowPrivate: boolean
  timeoutMs?: number
}

export interface SendResult {
  /** The answer's status; absent when none came (refused, unreachable, timed out). */
  statusCode?: number
  durationMs: number
  /** The first 1 KB of the answer's body. */
  response?: string
  /** Why no answer came, or why it was not sent. */
  error?: string
  /** Retry-After of the answer, in milliseconds. */
  retryAfterMs?: number
  /** Not sent, and retrying cannot help: the URL or its address is refused. */
  refused?: boolean
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

class Refused extends Error {}

/** The addresses of the URL's host, every one checked unless private addresses are allowed. */
async function resolve(url: URL, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  const host = hostOf(url)
  const family = isIP(host)
  const addresses = family !== 0 ? [{ address: host, family }] : await dnsLookup(host, { all: true })
  if (addresses.length === 0) throw new Refused('the host has no address')
  if (!allowPrivate && addresses.some(({ address }) => isForbiddenAddress(address)))
    throw new Refused('refused: the host resolves to a loopback, private, link-local or reserved address')
  return addresses[0] as { address: string; family: number }
}

// Text a database can store: PostgreSQL refuses NUL in text.
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD')

export async function send(
  urlText: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const url = new URL(urlText)
  if (url.protocol !== 'https:' && !(options.allowPrivate && url.protocol === 'http:'))
    return { durationMs: 0, error: 'refused: the URL is not https', refused: true }

  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const pinned = await Promise.race([
      resolve(url, options.allowPrivate),
      new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(new Error('timed out'))),
      ),
    ])
    // Both call forms: Node asks for every address (`all`) when it may try several families.
    const lookup: LookupFunction = (_host, lookupOptions, callback) => {
      if (lookupOptions.all) (callback as never as (e: null, a: unknown[]) => void)(null, [pinned])
      else callback(null, pinned.address, pinned.family)
    }
    return await new Promise<SendResult>((done) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Sahifa-Webhooks/1',
          ...headers,
        },
        lookup,
        agent: false,
        signal: controller.signal,
      })
      request.on('error', (error) =>
        done({
          durationMs: elapsed(),
          error: controller.signal.aborted
            ? `timed out after ${timeoutMs} ms`
            : `${error.name}: ${describe(error)}`,
        }),
      )
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let kept = 0
        let finished = false
        const finish = () => {
          if (finished) return
          finished = true
          response.removeAllListeners('data')
          done({
            statusCode: response.statusCode,
            durationMs: elapsed(),
            response: storable(Buffer.concat(chunks).subarray(0, RESPONSE_KEEP_BYTES).toString('utf8')),
            retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()),
          })
          // The rest of the answer is not wanted: the connection is dropped rather than drained.
          response.destroy()
        }
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          kept += chunk.length
          if (kept >= RESPONSE_KEEP_BYTES) finish()
        })
        response.on('end', finish)
        response.on('error', finish)
      })
      request.end(body)
    })
  } catch (error) {
    if (error instanceof Refused) return { durationMs: elapsed(), error: error.message, refused: true }
    return {
      durationMs: elapsed(),
      error: (error as Error).message === 'timed out' ? `timed out after ${timeoutMs} ms` : describe(error),
    }
  } finally {
    clearTimeout(timer)
  }
}

/** A network error as a short phrase (its code), never a stack. */
function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string }
  return code ?? message?.slice(0, 200) ?? 'failed'
}
