/**
 * The Fastify server options that bound how long a client may take: the whole request within REQUEST_TIMEOUT_MS,
 * its headers within 10 s, then a 408 and a closed connection instead of a worker held for ever; and the
 * problem+json answer Node's parser errors get (Fastify's default is its own JSON shape).
 */
import { type ServerOptions, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import { PROBLEM_CONTENT_TYPE, problem } from './lib/problem.js'
import { BASE_SECURITY_HEADERS } from './plugins/security-headers.js'

export const HEADERS_TIMEOUT_MS = 10_000
// How often Node looks for requests past their time; its default (30 s) would let a slow one run that much longer.
const TIMEOUT_CHECK_INTERVAL_MS = 1_000

const DETAILS: Record<number, string> = {
  400: 'The request could not be parsed.',
  408: 'The request took too long to arrive.',
  431: 'The request headers are larger than the server accepts.',
}

const STATUS_BY_CODE: Record<string, number> = { ERR_HTTP_REQUEST_TIMEOUT: 408, HPE_HEADER_OVERFLOW: 431 }

/** Node's clientError: written straight to the socket, since there is no request to reply through. */
function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  // A response already under way on this connection must not be interleaved with another.
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (!socket.writable || current?.headersSent) {
    socket.destroy()
    return
  }
  const status = STATUS_BY_CODE[error.code] ?? 400
  const body = JSON.stringify({ ...problem(status, DETAILS[status] as string), title: STATUS_CODES[status] })
  const headers = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
    ...BASE_SECURITY_HEADERS,
  }
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`)
  socket.destroySoon()
}

export function timeoutOptions(
  config: Pick<Config, 'REQUEST_TIMEOUT_MS'>,
): Pick<FastifyServerOptions, 'requestTimeout' | 'clientErrorHandler'> & { http: ServerOptions } {
  // Node refuses a headers timeout longer than the request's.
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS)
  return {
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, headersTimeout),
    },
    clientErrorHandler,
  }
}
