/**
 * Every answer carries nosniff and Referrer-Policy: no-referrer; API answers the CSP `default-src 'none';
 * frame-ancestors 'none'`; /docs a CSP of its own that Swagger UI works under (test/e2e drives it); DOCS_ENABLED=false
 * turns /docs and /docs/json into 404s.
 */
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle } from '../helpers/data.js'
import { expectProblem } from '../helpers/http.js'

let t: TestApp
afterEach(() => t.app.close())

const API_CSP = "default-src 'none'; frame-ancestors 'none'"

type Headers = Record<string, string | string[] | number | undefined>

function expectBaseHeaders(headers: Headers, what: string) {
  expect(headers['x-content-type-options'], what).toBe('nosniff')
  expect(headers['referrer-policy'], what).toBe('no-referrer')
}

/** The CSP as a map of directive to its sources. */
function directives(csp: unknown): Record<string, string[]> {
  return Object.fromEntries(
    String(csp)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name as string, sources]),
  )
}

describe('security headers', () => {
  it('are on every kind of API answer, errors and 304s included', async () => {
    t = await buildTestApp()
    const article = await createArticle(t)
    const first = await t.app.inject({ url: `/v1/articles/${article.id}` })
    const answers: [string, { statusCode: number; headers: Headers }][] = [
      ['a read', first],
      [
        'a 304',
        await t.app.inject({
          url: `/v1/articles/${article.id}`,
          headers: { 'if-none-match': String(first.headers.etag) },
        }),
      ],
      ['a list', await t.app.inject({ url: '/v1/articles' })],
      ['/health', await t.app.inject({ url: '/health' })],
      ['a 404 route', await t.app.inject({ url: '/v1/nothing-here' })],
      ['a 404 resource', await t.app.inject({ url: '/v1/articles/999999' })],
      ['a 400', await t.app.inject({ url: '/v1/articles?perPage=1000' })],
      ['a 401', await t.app.inject({ url: '/v1/tokens', headers: { authorization: 'Bearer wrong' } })],
      ['a router error (bad percent-encoding)', await t.app.inject({ url: '/v1/articles/%E0%A4%A' })],
      [
        'a 415',
        await t.app.inject({
          method: 'POST',
          url: '/v1/tags',
          headers: { ...t.editorAuth, 'content-type': 'text/plain' },
          payload: 'x',
        }),
      ],
      [
        'a 201',
        await t.app.inject({
          method: 'POST',
          url: '/v1/tags',
          headers: t.editorAuth,
          payload: { name: 'أمن' },
        }),
      ],
      [
        'a 204',
        await t.app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}`, headers: t.editorAuth }),
      ],
      [
        'a CORS preflight',
        await t.app.inject({
          method: 'OPTIONS',
          url: '/v1/articles',
          headers: { origin: 'https://news.example', 'access-control-request-method': 'GET' },
        }),
      ],
    ]
    expect(answers.map(([, res]) => res.statusCode)).toEqual([
      200, 304, 200, 200, 404, 404, 400, 401, 400, 415, 201, 204, 204,
    ])
    for (const [what, res] of answers) {
      expectBaseHeaders(res.headers, what)
      expect(res.headers['content-security-policy'], what).toBe(API_CSP)
      expect(res.headers['x-frame-options'], what).toBe('DENY')
      // TLS ends at the proxy, which decides on HSTS.
      expect(res.headers['strict-transport-security'], what).toBeUndefined()
    }
  })

  it('are on answers over a real socket too', async () => {
    t = await buildTestApp()
    const res = await request(t.app.server).get('/v1/articles')
    expect(res.status).toBe(200)
    expectBaseHeaders(res.headers, 'GET /v1/articles')
    expect(res.headers['content-security-policy']).toBe(API_CSP)
  })

  it('give /docs a CSP that lets Swagger UI load its own scripts, styles and images, and talk to this server only', async () => {
    t = await buildTestApp()
    for (const url of [
      '/docs',
      '/docs/',
      '/docs/static/swagger-ui-bundle.js',
      '/docs/static/swagger-initializer.js',
    ]) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expectBaseHeaders(res.headers, url)
      const csp = directives(res.headers['content-security-policy'])
      expect(csp, url).toMatchObject({
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'object-src': ["'none'"],
      })
      expect(JSON.stringify(csp), url).not.toMatch(/unsafe-|\*/)
    }
    const html = await t.app.inject({ url: '/docs/' })
    expect(html.headers['content-type']).toMatch(/^text\/html/)
    // Nothing inline for the CSP to block: the page only links its files.
    expect(html.body).not.toMatch(/<script>(?!\s*<\/script>)|<style>|\sstyle="/)
    const document = await t.app.inject({ url: '/docs/json' })
    expect(document.statusCode).toBe(200)
    expect(document.json().openapi).toBe('3.1.0')
  })
})

describe('DOCS_ENABLED=false', () => {
  it('turns /docs, its files and /docs/json into 404s, and leaves the API alone', async () => {
    t = await buildTestApp({ env: { DOCS_ENABLED: 'false' } })
    for (const url of ['/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/swagger-ui-bundle.js']) {
      const res = await t.app.inject({ url })
      expectProblem(res, 404)
      expect(res.body, url).not.toContain('swagger')
    }
    expect((await t.app.inject({ url: '/v1/articles' })).statusCode).toBe(200)
    // The document is still built (npm run openapi, the contract checks), only not served.
    expect(t.app.swagger().paths).toHaveProperty('/v1/articles')
  })
})
