/**
 * RATE_LIMIT_BAD_TOKENS_PER_MINUTE: a client IP past that many invalid tokens in a minute gets 429 with Retry-After
 * for every token it sends until its minute is over; other IPs with valid tokens are not held back; every failure
 * is logged, never with the token or the address.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, buildTestApp, captureLog, type TestApp } from '../helpers/app.js'
import { expectProblem } from '../helpers/http.js'

let t: TestApp
afterEach(() => t.app.close())

const GUESS = 'sahifa_this-guess-is-wrong-0123456789abcdefghijklm'
const ATTACKER = '198.51.100.66'
const OTHER = '203.0.113.9'

function withToken(token: string, remoteAddress: string, url = '/v1/tokens') {
  return t.app.inject({ url, remoteAddress, headers: { authorization: `Bearer ${token}` } })
}

describe('invalid tokens per client IP', () => {
  it('answers 401 up to the limit, then 429 with Retry-After to every token from that IP, a right one included', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '3' } })
    for (let i = 0; i < 3; i++) expectProblem(await withToken(`${GUESS}${i}`, ATTACKER), 401)
    const held = await withToken(GUESS, ATTACKER)
    const body = expectProblem(held, 429)
    expect(body.title).toBe('Too Many Requests')
    const retryAfter = Number(held.headers['retry-after'])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(held.body).not.toContain(GUESS)
    // A right guess from the same address is held too, or the 429 would tell right from wrong.
    expectProblem(await withToken(ADMIN_TOKEN, ATTACKER), 429)
    // A reader at that address without a token still reads.
    expect((await t.app.inject({ url: '/v1/articles', remoteAddress: ATTACKER })).statusCode).toBe(200)
  })

  it('does not hold back valid tokens, or the first invalid ones, from other addresses', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '2' } })
    for (let i = 0; i < 4; i++) await withToken(GUESS, ATTACKER)
    expectProblem(await withToken(GUESS, ATTACKER), 429)
    expect((await withToken(ADMIN_TOKEN, OTHER)).statusCode).toBe(200)
    const editor = t.editorAuth.authorization.slice('Bearer '.length)
    expect((await withToken(editor, '192.0.2.1', '/v1/articles?status=draft')).statusCode).toBe(200)
    expectProblem(await withToken(GUESS, OTHER), 401)
  })

  it('counts malformed Authorization headers as failures too', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '2' } })
    const malformed = (value: string) =>
      t.app.inject({ url: '/v1/articles', remoteAddress: ATTACKER, headers: { authorization: value } })
    expectProblem(await malformed('Basic dXNlcjpwYXNz'), 401)
    expectProblem(await malformed('Bearer'), 401)
    expectProblem(await malformed('Bearer a-guess'), 429)
  })

  it('holds the default of 30 a minute', async () => {
    t = await buildTestApp()
    expect(t.config.RATE_LIMIT_BAD_TOKENS_PER_MINUTE).toBe(30)
    const statuses: number[] = []
    for (let i = 0; i < 32; i++) statuses.push((await withToken(`${GUESS}${i}`, ATTACKER)).statusCode)
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true)
    expect(statuses.slice(30)).toEqual([429, 429])
  })

  it('counts one IPv6 /64 as one client, as the comment limit does', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '2' } })
    expectProblem(await withToken(GUESS, '2001:db8:1:2::1'), 401)
    expectProblem(await withToken(GUESS, '2001:db8:1:2::2'), 401)
    expectProblem(await withToken(GUESS, '2001:db8:1:2:ffff::3'), 429)
    expect((await withToken(ADMIN_TOKEN, '2001:db8:1:3::1')).statusCode).toBe(200)
  })

  it('counts the client behind a trusted proxy, not the proxy', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '1', TRUST_PROXY: '10.0.0.1' } })
    const via = (client: string, token: string) =>
      t.app.inject({
        url: '/v1/tokens',
        remoteAddress: '10.0.0.1',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      })
    expectProblem(await via(ATTACKER, GUESS), 401)
    expectProblem(await via(ATTACKER, GUESS), 429)
    expect((await via(OTHER, ADMIN_TOKEN)).statusCode).toBe(200)
  })

  it('logs every failure with its reason, never the token, the header or the address', async () => {
    const log = captureLog()
    t = await buildTestApp({ env: { RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '2' }, logStream: log.stream })
    await withToken(GUESS, ATTACKER)
    await t.app.inject({
      url: '/v1/articles',
      remoteAddress: ATTACKER,
      headers: { authorization: 'Basic Zm9v' },
    })
    await withToken(GUESS, ATTACKER)
    const failures = log.lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === 'authentication failed')
    expect(failures.map((entry) => entry.reason)).toEqual([
      'unknown or revoked token',
      'malformed Authorization header',
      'too many invalid tokens',
    ])
    for (const entry of failures) {
      expect(entry.level).toBe(40)
      expect(entry.reqId).toEqual(expect.any(String))
    }
    const all = log.lines.join('\n')
    for (const secret of [GUESS, 'Zm9v', ATTACKER]) expect(all).not.toContain(secret)
  })
})
