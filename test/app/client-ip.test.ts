/**
 * TRUST_PROXY: unset, the client IP is the socket's; a list of proxies, X-Forwarded-For is believed only for the hops
 * through them; whatever a client writes there, only a valid IP is counted or stored (the 8 spoofed posts
 * under a limit of 3, and an `<svg/onload=…>` stored as the address).
 */
import { isIP } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { commentInput, postComment, storedComments } from '../helpers/comments.js'
import { createArticle } from '../helpers/data.js'
import { expectProblem } from '../helpers/http.js'

let t: TestApp
afterEach(() => t.app.close())

const XSS = '<svg/onload=alert(1)>'

async function storedIps(): Promise<unknown[]> {
  return (await storedComments(t)).map((row) => row.client_ip)
}

describe('TRUST_PROXY unset: the socket address', () => {
  it('ignores X-Forwarded-For altogether, so a spoofed header changes neither the limit nor what is stored', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '3' } })
    const article = await createArticle(t)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const res = await postComment(t, article.id, commentInput(), {
        remoteAddress: '203.0.113.5',
        headers: { 'x-forwarded-for': i % 2 ? XSS : `198.51.100.${i}` },
      })
      statuses.push(res.statusCode)
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429])
    expect(await storedIps()).toEqual(['203.0.113.5', '203.0.113.5', '203.0.113.5'])
  })
})

describe('TRUST_PROXY as a list of proxies', () => {
  it('believes only the hop its proxy appended: 8 posts with a new spoofed left-most address, 3 accepted under a limit of 3', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '3', TRUST_PROXY: '10.0.0.1' } })
    const article = await createArticle(t)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      // The client sends `198.51.100.i`; the proxy at 10.0.0.1 appends the address the client connected from.
      const res = await postComment(t, article.id, commentInput(), {
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.5` },
      })
      statuses.push(res.statusCode)
    }
    expect(statuses.filter((status) => status === 201)).toHaveLength(3)
    expect(statuses.slice(3)).toEqual([429, 429, 429, 429, 429])
    expect(await storedIps()).toEqual(['203.0.113.5', '203.0.113.5', '203.0.113.5'])
  })

  it('walks a chain of proxies in a CIDR range, and ignores the header from a client that is not a proxy', async () => {
    t = await buildTestApp({ env: { TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' } })
    const article = await createArticle(t)
    const post = (remoteAddress: string, xff: string) =>
      postComment(t, article.id, commentInput(), { remoteAddress, headers: { 'x-forwarded-for': xff } })
    expect((await post('10.1.2.3', '198.51.100.7, 10.0.0.9, 192.0.2.1')).statusCode).toBe(201)
    // Straight from the internet: its X-Forwarded-For is its own invention.
    expect((await post('203.0.113.9', '10.0.0.1')).statusCode).toBe(201)
    expect(await storedIps()).toEqual(['198.51.100.7', '203.0.113.9'])
  })

  it('stores the last trusted hop, never the text, when the first hop beyond the proxies is not an IP', async () => {
    t = await buildTestApp({ env: { TRUST_PROXY: '10.0.0.0/8' } })
    const article = await createArticle(t)
    const cases: [string, string][] = [
      ['10.0.0.1', XSS],
      ['10.0.0.2', `${XSS}, 10.0.0.1`],
      ['10.0.0.3', `198.51.100.1, ${XSS}, 10.0.0.4`],
      ['10.0.0.5', 'unknown'],
      ['10.0.0.6', '0x7f.1'],
      ['10.0.0.7', ' , '],
    ]
    for (const [remoteAddress, xff] of cases) {
      const res = await postComment(t, article.id, commentInput(), {
        remoteAddress,
        headers: { 'x-forwarded-for': xff },
      })
      expect(res.statusCode, res.body).toBe(201)
      expect(res.body).not.toContain('svg')
    }
    const ips = await storedIps()
    expect(ips).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7'])
    for (const ip of ips) expect(isIP(String(ip))).not.toBe(0)
  })

  it('works for IPv6 proxies and clients', async () => {
    t = await buildTestApp({ env: { TRUST_PROXY: '::1, fd00::/8' } })
    const article = await createArticle(t)
    const res = await postComment(t, article.id, commentInput(), {
      remoteAddress: '::1',
      headers: { 'x-forwarded-for': '2001:db8::5, fd00::7' },
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(await storedIps()).toEqual(['2001:db8::5'])
  })

  it('keys the limit on the client behind the proxy: two readers through one proxy do not hold each other back', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '1', TRUST_PROXY: '10.0.0.1' } })
    const article = await createArticle(t)
    const via = (client: string) => ({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client } })
    expect((await postComment(t, article.id, commentInput(), via('198.51.100.1'))).statusCode).toBe(201)
    expect((await postComment(t, article.id, commentInput(), via('198.51.100.2'))).statusCode).toBe(201)
    expectProblem(await postComment(t, article.id, commentInput(), via('198.51.100.1')), 429)
    expect(await storedIps()).toEqual(['198.51.100.1', '198.51.100.2'])
  })
})
