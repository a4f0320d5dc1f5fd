/** openapi/openapi.json is an artifact: it must be what `npm run openapi` writes now. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderOpenApiDocument } from '../src/openapi-document.js'
import { reachableFromResponses } from './helpers/openapi.js'

describe('openapi/openapi.json', () => {
  it('is up to date with the route schemas (run `npm run openapi` when this fails)', async () => {
    const committed = readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8')
    expect(await renderOpenApiDocument()).toBe(committed)
  })

  it('gives every operation an operationId, tags, a summary and at least one error answer', async () => {
    const document = JSON.parse(await renderOpenApiDocument())
    const ids = new Set<string>()
    for (const [path, operations] of Object.entries<Record<string, Record<string, unknown>>>(
      document.paths,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`
        expect(operation.operationId, where).toEqual(expect.any(String))
        expect(ids.has(operation.operationId as string), `${where} repeats an operationId`).toBe(false)
        ids.add(operation.operationId as string)
        expect(operation.tags, where).toEqual([expect.any(String)])
        expect(operation.summary, where).toEqual(expect.any(String))
        const statuses = Object.keys(operation.responses as object)
        expect(
          statuses.some((status) => Number(status) >= 400),
          where,
        ).toBe(true)
      }
    }
  })

  it('never shows the commenter e-mail in a response schema', async () => {
    const document = JSON.parse(await renderOpenApiDocument())
    for (const operations of Object.values<Record<string, { responses: object }>>(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(JSON.stringify(operation.responses)).not.toMatch(/authorEmail|author_email/i)
      }
    }
    // Any depth: a response schema could reach the e-mail through a component that refers to another one.
    for (const schema of reachableFromResponses(document)) {
      expect(JSON.stringify(schema)).not.toMatch(/authorEmail|author_email|clientIp|client_ip/i)
    }
    // Stronger: outside request bodies the document never names it, not even in an unused component.
    const { paths, ...rest } = document
    const withoutRequestBodies = Object.values<Record<string, object>>(paths).flatMap((operations) =>
      Object.values(operations).map(
        ({ requestBody: _request, ...operation }: { requestBody?: unknown }) => operation,
      ),
    )
    expect(JSON.stringify([rest, withoutRequestBodies])).not.toMatch(/authorEmail|author_email/i)
    // The request body of a new comment does name it, so the checks above look at the right document.
    expect(JSON.stringify(paths['/v1/articles/{idOrSlug}/comments'].post.requestBody)).toContain(
      'authorEmail',
    )
  })
})
