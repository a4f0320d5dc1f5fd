/** Assertions on HTTP answers shared by the integration tests: problem+json bodies and pagination headers. */
import { expect } from 'vitest'

interface Answer {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
  json: () => unknown
}

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  errors?: { path: string; message: string }[]
}

/** Checks the RFC 9457 shape and content type, and that none of Fastify's own error fields leak. */
export function expectProblem(res: Answer, status: number): ProblemBody {
  expect(res.statusCode, res.body).toBe(status)
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/)
  const body = res.json() as ProblemBody & Record<string, unknown>
  expect(body).toMatchObject({
    type: 'about:blank',
    title: expect.any(String),
    status,
    detail: expect.any(String),
  })
  expect(body.title.length).toBeGreaterThan(0)
  expect(body.detail.length).toBeGreaterThan(0)
  for (const fastifyField of ['statusCode', 'error', 'message', 'code', 'stack']) {
    expect(body, `leaks Fastify's ${fastifyField}`).not.toHaveProperty(fastifyField)
  }
  return body
}

/** The paths named in a problem's `errors`. */
export function errorPaths(body: ProblemBody): string[] {
  return (body.errors ?? []).map((error) => error.path)
}

/** `Link: <url>; rel="next", …` as a map from rel to URL. */
export function parseLinks(header: unknown): Record<string, string> {
  const links: Record<string, string> = {}
  if (typeof header !== 'string') return links
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="([^"]+)"/.exec(part.trim())
    if (match) links[match[2] as string] = match[1] as string
  }
  return links
}

/** A query parameter of a relative URL. */
export function queryParam(url: string, name: string): string | null {
  return new URL(url, 'http://localhost').searchParams.get(name)
}
