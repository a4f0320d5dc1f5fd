/** A real webhook receiver on 127.0.0.1: keeps every request, answers as the test says (204 by default). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  path: string
  headers: Record<string, string>
  body: string
}

export type Answer = (request: Received, response: ServerResponse) => void

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string
  port: number
  received: Received[]
  /** How the next requests are answered. */
  answer(fn: Answer): void
  /** The JSON bodies received, in order. */
  events(): { type: string; timestamp: string; data: Record<string, unknown> }[]
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  let answer: Answer = (_request, response) => response.writeHead(204).end()
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const entry: Received = {
        path: request.url ?? '',
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
      }
      received.push(entry)
      answer(entry, response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    answer: (fn) => {
      answer = fn
    },
    events: () => received.map((entry) => JSON.parse(entry.body)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
