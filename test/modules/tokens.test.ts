/**
 * Tokens and roles through HTTP, and the first-start chores of bootstrap(): the first admin token written once to
 * an owner-only file, seeds.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { adminTokenFile, bootstrap } from '../../src/bootstrap.js'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import { openDatabase } from '../../src/db/open.js'
import { createLogger } from '../../src/logger.js'
import { createServices, type Services } from '../../src/services.js'
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../helpers/app.js'
import { createArticle, SAMPLE_SLUG, SAMPLE_TITLE } from '../helpers/data.js'
import { emptyDatabaseUrl, rawQuery } from '../helpers/engine.js'
import { errorPaths, expectProblem } from '../helpers/http.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(() => t.app.close())

async function createToken(payload: Record<string, unknown>, headers: Record<string, string> = t.adminAuth) {
  return t.app.inject({ method: 'POST', url: '/v1/tokens', headers, payload })
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('/v1/tokens', () => {
  it('lets ADMIN_TOKEN create a token whose secret is answered once, 201 with Location', async () => {
    const res = await createToken({ name: 'alice', role: 'editor' })
    expect(res.statusCode, res.body).toBe(201)
    const created = res.json()
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'alice',
      role: 'editor',
      createdAt: expect.any(String),
      lastUsedAt: null,
      token: expect.stringMatching(/^sahifa_[A-Za-z0-9_-]{43}$/),
    })
    expect(res.headers.location).toBe(`/v1/tokens/${created.id}`)
    const again = await t.app.inject({ method: 'GET', url: `/v1/tokens/${created.id}`, headers: t.adminAuth })
    expect(again.json()).not.toHaveProperty('token')
    expect(again.body).not.toContain(created.token)
  })

  it('makes every secret different', async () => {
    const a = (await createToken({ name: 'a', role: 'editor' })).json().token
    const b = (await createToken({ name: 'b', role: 'editor' })).json().token
    expect(a).not.toBe(b)
  })

  it('lists tokens without their secrets', async () => {
    const secret = (await createToken({ name: 'alice', role: 'editor' })).json().token
    const res = await t.app.inject({ method: 'GET', url: '/v1/tokens', headers: t.adminAuth })
    expect(res.statusCode).toBe(200)
    const { data } = res.json()
    expect(data.map((token: { name: string; role: string }) => [token.name, token.role])).toEqual([
      ['test-editor', 'editor'],
      ['alice', 'editor'],
    ])
    for (const token of data) {
      expect(Object.keys(token).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'role'])
    }
    expect(res.body).not.toContain(secret)
    expect(res.body).not.toContain('sahifa_')
  })

  it('stores only a SHA-256 hash of the secret', async () => {
    const secret = (await createToken({ name: 'alice', role: 'editor' })).json().token as string
    const rows = await t.query('select * from tokens')
    const dump = JSON.stringify(rows)
    expect(dump).not.toContain(secret)
    expect(dump).not.toContain(secret.slice('sahifa_'.length))
    const { createHash } = await import('node:crypto')
    const hash = createHash('sha256').update(secret).digest('hex')
    expect(rows.some((row) => row.token_hash === hash)).toBe(true)
  })

  it('marks lastUsedAt when a token is used', async () => {
    const created = (await createToken({ name: 'alice', role: 'editor' })).json()
    await t.app.inject({ method: 'GET', url: '/v1/articles', headers: bearer(created.token) })
    const res = await t.app.inject({ method: 'GET', url: `/v1/tokens/${created.id}`, headers: t.adminAuth })
    expect(Date.parse(res.json().lastUsedAt)).not.toBeNaN()
  })

  it('lets a created admin token manage tokens, and an editor token write articles and tags', async () => {
    const admin = (await createToken({ name: 'root', role: 'admin' })).json().token
    const editor = (await createToken({ name: 'alice', role: 'editor' }, bearer(admin))).json().token
    expect(editor).toEqual(expect.any(String))
    const article = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: bearer(editor),
      payload: { title: 'خبر', body: 'نص' },
    })
    expect(article.statusCode).toBe(201)
    const tag = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: bearer(editor),
      payload: { name: 'وسم' },
    })
    expect(tag.statusCode).toBe(201)
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.json().id}`,
      headers: bearer(editor),
      payload: { title: 'خبر معدل' },
    })
    expect(patched.statusCode).toBe(200)
  })

  it.each([
    ['POST', '/v1/tokens'],
    ['GET', '/v1/tokens'],
    ['GET', '/v1/tokens/1'],
    ['DELETE', '/v1/tokens/1'],
  ])('answers %s %s with 403 to an editor and 401 without a token', async (method, path) => {
    const payload = method === 'POST' ? { name: 'x', role: 'admin' } : undefined
    const editor = await t.app.inject({ method: method as 'GET', url: path, headers: t.editorAuth, payload })
    expectProblem(editor, 403)
    const anonymous = await t.app.inject({ method: method as 'GET', url: path, payload })
    expectProblem(anonymous, 401)
    expect(anonymous.headers['www-authenticate']).toBe('Bearer')
    expect(await t.count('tokens')).toBe(1)
  })

  it('answers 400 to a bad body and 404 to an unknown id', async () => {
    const bad = expectProblem(await createToken({ name: '', role: 'owner' }), 400)
    expect(errorPaths(bad).sort()).toEqual(['name', 'role'])
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/tokens/999', headers: t.adminAuth }), 404)
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/v1/tokens/999', headers: t.adminAuth }), 404)
    expect(
      errorPaths(
        expectProblem(
          await t.app.inject({ method: 'GET', url: '/v1/tokens/abc', headers: t.adminAuth }),
          400,
        ),
      ),
    ).toEqual(['id'])
  })

  it('revokes a token at once', async () => {
    const created = (await createToken({ name: 'alice', role: 'editor' })).json()
    const before = await t.app.inject({
      method: 'GET',
      url: '/v1/articles?status=draft',
      headers: bearer(created.token),
    })
    expect(before.statusCode).toBe(200)
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/tokens/${created.id}`,
      headers: t.adminAuth,
    })
    expect(revoked.statusCode).toBe(204)
    expect(revoked.body).toBe('')
    const after = await t.app.inject({
      method: 'GET',
      url: '/v1/articles?status=draft',
      headers: bearer(created.token),
    })
    expectProblem(after, 401)
    expect(after.headers['www-authenticate']).toBe('Bearer')
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: bearer(created.token),
      payload: { title: 'x', body: 'y' },
    })
    expectProblem(write, 401)
  })
})

describe('Authorization header', () => {
  it('answers 401 with WWW-Authenticate to an invalid token even on a public GET', async () => {
    await createArticle(t, { title: SAMPLE_TITLE })
    for (const path of ['/v1/articles', `/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}`, '/v1/tags']) {
      const res = await t.app.inject({ method: 'GET', url: path, headers: bearer('sahifa_not-a-real-token') })
      const problem = expectProblem(res, 401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
      expect(JSON.stringify(problem)).not.toContain('not-a-real-token')
    }
  })

  it.each([
    ['Basic dXNlcjpwYXNz'],
    ['Bearer'],
    ['Bearer '],
    [ADMIN_TOKEN],
    [`Bearer ${ADMIN_TOKEN} extra`],
    ['Token abc'],
  ])('answers 401 to the malformed header %j', async (authorization) => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/articles', headers: { authorization } })
    expectProblem(res, 401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it('accepts the bearer scheme in any case', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/tokens',
      headers: { authorization: `bearer ${ADMIN_TOKEN}` },
    })
    expect(res.statusCode).toBe(200)
  })
})

/** A server's first start on a fresh, empty database of the engine under test, as `npm start` makes it. */
interface Started {
  config: ReturnType<typeof loadConfig>
  database: Database
  services: Services
  printed: string[]
  /** Where this start writes the first admin token (ADMIN_TOKEN_OUTPUT, in a folder of its own). */
  tokenFile: string
  run(): Promise<void>
  query<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T[]>
  counts(): Promise<{ a: number; t: number }>
}

const started: Started[] = []

afterEach(async () => {
  for (const s of started.splice(0)) {
    await s.services.close()
    await s.database.close()
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

const folders: string[] = []

async function start(env: Record<string, string> = {}): Promise<Started> {
  const folder = mkdtempSync(join(tmpdir(), 'sahifa-bootstrap-'))
  folders.push(folder)
  const config = loadConfig({
    DATABASE_URL: await emptyDatabaseUrl(),
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN_OUTPUT: join(folder, 'admin-token.txt'),
    ...env,
  })
  const database = await openDatabase(config.DATABASE_URL)
  const log = createLogger(config)
  const services = await createServices({ database, config, logger: log })
  const printed: string[] = []
  const query = <T = Record<string, unknown>>(text: string, ...params: unknown[]) =>
    rawQuery<T>(database, text, ...params)
  const s: Started = {
    config,
    database,
    services,
    printed,
    tokenFile: adminTokenFile(config),
    run: () => bootstrap(database, services, config, log, (line) => printed.push(line)),
    query,
    counts: async () =>
      (
        await query<{ a: number; t: number }>(
          'select (select count(*) from articles) as a, (select count(*) from tags) as t',
        )
      )[0] as { a: number; t: number },
  }
  started.push(s)
  return s
}

async function tokenCount(s: Started): Promise<number> {
  return ((await s.query<{ n: number }>('select count(*) as n from tokens'))[0] as { n: number }).n
}

describe('bootstrap()', () => {
  it('writes a first admin token once to a file only its owner may read, prints the path only, and it works', async () => {
    const s = await start({ SEED_SAMPLE: 'false' })
    await s.run()
    const secret = readFileSync(s.tokenFile, 'utf8').trim()
    expect(secret).toMatch(/^sahifa_[A-Za-z0-9_-]{43}$/)
    expect(statSync(s.tokenFile).mode & 0o777).toBe(0o600)
    expect(s.printed).toHaveLength(1)
    expect(s.printed[0]).toContain(s.tokenFile)
    expect(s.printed[0]).not.toContain(secret)
    expect(s.printed[0]).not.toMatch(/sahifa_/)
    const rows = await s.query<{ role: string; token_hash: string }>(
      'select name, role, token_hash from tokens',
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.role).toBe('admin')
    expect(JSON.stringify(rows)).not.toContain(secret)

    await s.run()
    expect(s.printed).toHaveLength(1)
    expect(await tokenCount(s)).toBe(1)
    expect(readFileSync(s.tokenFile, 'utf8').trim()).toBe(secret)

    const app = await buildApp({ config: s.config, services: s.services, logger: createLogger(s.config) })
    try {
      const res = await app.inject({ method: 'GET', url: '/v1/tokens', headers: bearer(secret) })
      expect(res.statusCode).toBe(200)
      expect(res.json().data).toHaveLength(1)
    } finally {
      await app.close()
    }
  })

  it('prints nothing, writes no file and creates no token when ADMIN_TOKEN is set', async () => {
    const s = await start({ ADMIN_TOKEN, SEED_SAMPLE: 'false' })
    await s.run()
    expect(s.printed).toEqual([])
    expect(await tokenCount(s)).toBe(0)
    expect(() => statSync(s.tokenFile)).toThrow()
  })

  it('replaces a file left from an earlier database, whatever its mode, with a fresh owner-only one', async () => {
    const s = await start({ SEED_SAMPLE: 'false' })
    writeFileSync(s.tokenFile, 'an old token\n')
    chmodSync(s.tokenFile, 0o644)
    await s.run()
    expect(readFileSync(s.tokenFile, 'utf8')).toMatch(/^sahifa_\S+\n$/)
    expect(statSync(s.tokenFile).mode & 0o777).toBe(0o600)
  })

  it('creates no token when the file cannot be written, so the next start tries again', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sahifa-bootstrap-'))
    folders.push(folder)
    // A regular file where the folder should be: the token file cannot be made under it.
    writeFileSync(join(folder, 'not-a-folder'), '')
    const s = await start({ SEED_SAMPLE: 'false', ADMIN_TOKEN_OUTPUT: join(folder, 'not-a-folder', 'token') })
    await expect(s.run()).rejects.toThrow()
    expect(await tokenCount(s)).toBe(0)
    expect(s.printed).toEqual([])
  })

  it('puts the file beside the SQLite file unless ADMIN_TOKEN_OUTPUT says where', () => {
    const at = (env: Record<string, string>) => adminTokenFile(loadConfig(env))
    expect(at({ DATABASE_URL: '/var/lib/sahifa/sahifa.db' })).toBe('/var/lib/sahifa/admin-token.txt')
    expect(at({ DATABASE_URL: 'file:/srv/news.db' })).toBe('/srv/admin-token.txt')
    expect(at({})).toBe(resolve('data/admin-token.txt'))
    expect(at({ DATABASE_URL: ':memory:' })).toBe(resolve('data/admin-token.txt'))
    expect(at({ DATABASE_URL: 'postgres://db.example/sahifa' })).toBe(resolve('data/admin-token.txt'))
    expect(at({ DATABASE_URL: '/var/lib/sahifa/sahifa.db', ADMIN_TOKEN_OUTPUT: '/run/secrets/first' })).toBe(
      '/run/secrets/first',
    )
  })

  it('seeds the sample content once, and serves the sample article at its Arabic slug', async () => {
    const s = await start({ ADMIN_TOKEN })
    await s.run()
    const first = await s.counts()
    expect(first.a).toBeGreaterThanOrEqual(5)
    expect(first.t).toBeGreaterThanOrEqual(3)
    await s.run()
    expect(await s.counts()).toEqual(first)

    const app = await buildApp({ config: s.config, services: s.services, logger: createLogger(s.config) })
    try {
      const res = await app.inject({ method: 'GET', url: `/v1/articles/${encodeURIComponent(SAMPLE_SLUG)}` })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({
        slug: SAMPLE_SLUG,
        title: SAMPLE_TITLE,
        status: 'published',
        tags: [{ slug: 'العطار-التركي', name: 'العطار التركي' }],
      })
      expect(res.json().html).toContain('<p>')
      const list = await app.inject({ method: 'GET', url: '/v1/articles?perPage=100' })
      expect(list.json().meta.total).toBeGreaterThanOrEqual(3)
    } finally {
      await app.close()
    }
  })

  it('seeds nothing with SEED_SAMPLE=false', async () => {
    const s = await start({ ADMIN_TOKEN, SEED_SAMPLE: 'false' })
    await s.run()
    expect(await s.counts()).toEqual({
      a: 0,
      t: 0,
    })
  })
})

describe('bootstrap() on a database that kept its tags but lost every article', () => {
  it('seeds again without tripping over the existing tags', async () => {
    const s = await start({ ADMIN_TOKEN })
    await s.run()
    const { t: tags } = await s.counts()
    await s.query('delete from articles')
    await expect(s.run()).resolves.toBeUndefined()
    expect((await s.counts()).t).toBe(tags)
    const [sample] = await s.query('select id from articles where slug = ?', SAMPLE_SLUG)
    expect(sample).toEqual({ id: expect.any(Number) })
  })
})
