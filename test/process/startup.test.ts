/**
 * What `npm start` does before it listens, in a real process: a bad TRUST_PROXY or ADMIN_TOKEN stops it with a
 * message naming the variable; ADMIN_TOKEN_FILE is read; the first admin token goes to an owner-only file, and
 * never to the log stream.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_ENGINE } from '../helpers/engine.js'
import { killAll, spawnServer } from '../helpers/process.js'

afterEach(killAll)

const base = (port: number) => `http://127.0.0.1:${port}`

describe('start-up refusals', () => {
  it.each([
    ['TRUST_PROXY', 'true', 'any client choose its own IP'],
    ['TRUST_PROXY', 'proxy.internal', 'CIDR'],
    ['ADMIN_TOKEN', 'change-me-to-something-long', 'at least 32 characters'],
    ['ADMIN_TOKEN', 'change-me-to-something-long-0123456789', 'placeholder'],
    ['ADMIN_TOKEN', 'a-token-of-more-than-32-characters-with-$', 'may contain only'],
    ['DB_SYNCHRONOUS', 'off', 'normal or full'],
  ])('%s=%s: exits 1 before listening, naming the variable and never its value', async (name, value, why) => {
    const server = await spawnServer({ [name]: value }, { listen: false })
    expect(await server.exited()).toEqual({ code: 1, signal: null })
    expect(server.stderr()).toContain(`${name}: `)
    expect(server.stderr()).toContain(why)
    expect(server.stderr() + server.stdout()).not.toContain(value)
    expect(server.stdout()).not.toMatch(/listening/i)
  })
})

describe('the admin token at start-up', () => {
  it('writes the first token to a file readable by its owner only, prints the path, and never logs the token', async () => {
    // Beside the SQLite file by default; PostgreSQL has no file, so the test says where, as a deployment would.
    const server = await spawnServer(
      (folder): Record<string, string> =>
        TEST_ENGINE === 'pg' ? { ADMIN_TOKEN_OUTPUT: join(folder, 'admin-token.txt') } : {},
    )
    const file = join(server.folder, 'admin-token.txt')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const token = readFileSync(file, 'utf8').trim()
    expect(token).toMatch(/^sahifa_[A-Za-z0-9_-]{43}$/)
    expect(server.stdout()).toContain(file)
    expect(server.stdout() + server.stderr()).not.toContain(token)
    expect(server.stdout()).not.toMatch(/sahifa_[A-Za-z0-9_-]{20}/)

    const res = await fetch(`${base(server.port)}/v1/tokens`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ name: 'first-admin', role: 'admin' }),
    ])
  })

  it('reads ADMIN_TOKEN_FILE, accepts its token and makes no first token', async () => {
    const token = 'K7-v2_Qx.pL~9+mR/4wN8cZ0bT6yH3sJ1dF'
    const server = await spawnServer((folder) => {
      writeFileSync(join(folder, 'secret'), `${token}\n`, { mode: 0o600 })
      return { ADMIN_TOKEN_FILE: join(folder, 'secret'), ADMIN_TOKEN_OUTPUT: join(folder, 'admin-token.txt') }
    })
    const res = await fetch(`${base(server.port)}/v1/tokens`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { data: unknown[] }).data).toEqual([])
    expect(() => statSync(join(server.folder, 'admin-token.txt'))).toThrow()
    expect(server.stdout() + server.stderr()).not.toContain(token)
  })
})

describe('what an embedded server loads', () => {
  const refuseDrivers = `--import=${new URL('../fixtures/refuse-drivers.mjs', import.meta.url).pathname}`

  it('a SQLite server without REDIS_URL starts and answers without loading the PostgreSQL or Redis client', async () => {
    const server = await spawnServer((folder) => ({
      DATABASE_URL: join(folder, 'embedded.db'),
      NODE_OPTIONS: refuseDrivers,
    }))
    const res = await fetch(`${base(server.port)}/v1/articles`)
    expect(res.status).toBe(200)
    expect(server.stderr()).not.toContain('refused to load')
  })

  it('the refusal is real: a PostgreSQL URL then fails to start, naming the driver', async () => {
    const server = await spawnServer(
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', NODE_OPTIONS: refuseDrivers },
      { listen: false },
    )
    expect((await server.exited()).code).not.toBe(0)
    expect(server.stderr()).toContain('refused to load pg')
  })
})
