/**
 * Property-based fuzzing (fast-check, fixed seeds) of every operation in the served OpenAPI document: path
 * parameters, query strings and bodies generated from the operation's own schemas, mutated, or arbitrary JSON and
 * Unicode, sent with no token, an editor's or an admin's. Whatever is sent: no 5xx, every answer keeps the document
 * (buildTestApp checks each one), and a 4xx stores nothing (every table, counted and read, before and after).
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './helpers/app.js'
import { createApprovedComment, createComment } from './helpers/comments.js'
import { createArticle, minutesFromNow } from './helpers/data.js'
import { TEST_ENGINE } from './helpers/engine.js'

type Schema = { [keyword: string]: unknown }

interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: Schema
}

interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
}

interface Document {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

const RUNS_PER_OPERATION = 40
const SEED = 20_251_111
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete'])

// One app to read the document the server serves; each operation then gets a fresh app of its own.
const probe = await buildTestApp()
const document = (await probe.app.inject({ method: 'GET', url: '/docs/json' })).json() as Document
await probe.app.close()

const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
  Object.entries(byMethod)
    .filter(([method]) => METHODS.has(method))
    .map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
)

// Characters that have broken text handling somewhere: controls, bidi overrides, lone surrogates, zero-width
// ones, what closes a Link target or a query, percent signs, quotes, and Arabic with its diacritics.
const NASTY = [
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u202e',
  '\u2066',
  '\ud800',
  '\udfff',
  '\u200b',
  '\u200f',
  '\ufeff',
  '\u3164',
  '>',
  '<',
  ',',
  ';',
  '%',
  '%00',
  '"',
  "'",
  '\\',
  '/',
  '?',
  '#',
  '&',
  '\n',
  '\t',
  'ـ',
  'ً',
  'إ',
]
const plain = fc.constantFrom('ا', 'ل', 'ب', 'ي', 'ة', 'a', 'B', '7', ' ', '-', '.')
const character = fc.oneof(
  { weight: 4, arbitrary: plain },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
)
/** Text that any field would take, and text of anything at all. */
const plainText = (minLength = 0, maxLength = 40) =>
  fc.string({ unit: plain, minLength, maxLength }).filter((value) => value.trim().length >= minLength)
const text = (minLength = 0, maxLength = 40) => fc.string({ unit: character, minLength, maxLength })

// Numbers as text that z.coerce would read as ids: each must be a 400, never id 1, 16 or 12.
const LOOSE_NUMBERS = [
  '1e0',
  '0x10',
  ' 12',
  '12 ',
  '+1',
  '-1',
  '0',
  '01',
  '1.0',
  '١',
  '１',
  '2147483648',
  '1'.repeat(30),
]

const TIMES = [
  '9999-12-31T23:59:59-23:59',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '1970-01-01T00:00:00+00:01',
  '1969-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '2017-11-01T09:30:00+03:00',
]

function resolve(schema: Schema): Schema {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  return resolve(document.components?.schemas?.[ref.split('/').pop() as string] ?? {})
}

/** Values that fit the schema, most of the time; its examples and edge values too. */
function fromSchema(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw)
  const examples = 'example' in schema ? [fc.constant(schema.example)] : []
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  if ('const' in schema) return fc.constant(schema.const)
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (alternatives) return fc.oneof(...alternatives.map((inner) => fromSchema(inner, depth)))
  if (Array.isArray(schema.type)) {
    return fc.oneof(...(schema.type as string[]).map((type) => fromSchema({ ...schema, type }, depth)))
  }
  const bound = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback)
  switch (schema.type) {
    case 'null':
      return fc.constant(null)
    case 'boolean':
      return fc.boolean()
    case 'integer': {
      const min = bound(schema.minimum, bound(schema.exclusiveMinimum, -5) + 1)
      const max = Math.min(bound(schema.maximum, 50), min + 50)
      return fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min, max }) },
        { weight: 1, arbitrary: fc.constantFrom(0, -1, 2_147_483_648, Number.MAX_SAFE_INTEGER) },
        ...examples.map((arbitrary) => ({ weight: 1, arbitrary })),
      )
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true })
    case 'array': {
      const items = fromSchema((schema.items as Schema | undefined) ?? {}, depth + 1)
      return fc.array(items, { maxLength: Math.min(bound(schema.maxItems, 4), 4) })
    }
    case 'object': {
      if (depth > 3) return fc.constant({})
      const properties = (schema.properties ?? {}) as Record<string, Schema>
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, inner]) => [key, fromSchema(inner, depth + 1)]),
      )
      const record = fc.record(model, { requiredKeys: (schema.required as string[] | undefined) ?? [] })
      return fc.oneof(
        { weight: 3, arbitrary: record },
        ...examples.map((arbitrary) => ({ weight: 1, arbitrary })),
      )
    }
    case 'string': {
      const minLength = bound(schema.minLength, 0)
      const maxLength = Math.max(minLength, Math.min(bound(schema.maxLength, 40), 60))
      const byFormat =
        schema.format === 'date-time'
          ? fc.oneof(
              fc
                .date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
                .map((date) => date.toISOString()),
              fc.constantFrom(...TIMES),
            )
          : schema.format === 'email'
            ? fc.oneof(fc.emailAddress(), fc.constantFrom('reader@example.com', 'Reader@EXAMPLE.com'))
            : schema.format === 'uri'
              ? fc.oneof(
                  fc.webUrl(),
                  fc.constantFrom('https://bank.example@evil.example/', 'http://u:p@x.example'),
                )
              : plainText(minLength, maxLength)
      return fc.oneof(
        { weight: 5, arbitrary: byFormat },
        { weight: 2, arbitrary: text(minLength, maxLength) },
        ...examples.map((arbitrary) => ({ weight: 2, arbitrary })),
      )
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** A body that fits, one with a field broken or added, arbitrary JSON, or text that may not be JSON at all. */
function bodies(schema: Schema): fc.Arbitrary<{ json?: unknown; raw?: string }> {
  const fitting = fromSchema(schema)
  const broken = fc.tuple(fitting, text(1, 12), fc.jsonValue({ maxDepth: 2 })).map(([value, key, inner]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
    const keys = Object.keys(value)
    const target = keys.length > 0 && key.length % 2 === 0 ? (keys[key.length % keys.length] as string) : key
    return { ...value, [target]: inner }
  })
  return fc.oneof(
    { weight: 5, arbitrary: fitting.map((json) => ({ json })) },
    { weight: 3, arbitrary: broken.map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.oneof(fc.json(), text(0, 30)).map((raw) => ({ raw })) },
  )
}

interface Fixtures {
  pathValues: string[]
}

/** Something for the paths to find: live, draft and scheduled articles, tags, related links, comments. */
async function arrange(t: TestApp): Promise<Fixtures> {
  const live = await createArticle(t, { title: 'بوتين في طهران', tags: ['إيران', 'روسيا'] })
  const draft = await createArticle(t, { title: 'مسودة', status: 'draft' })
  const scheduled = await createArticle(t, { title: 'مجدول', publishedAt: minutesFromNow(60) })
  const linked = await t.app.inject({
    method: 'PUT',
    url: `/v1/articles/${live.id}/related`,
    headers: t.editorAuth,
    payload: { articleIds: [draft.id, scheduled.id] },
  })
  expect(linked.statusCode, linked.body).toBe(200)
  const approved = await createApprovedComment(t, live.id)
  await createComment(t, live.id, { parentId: approved.id })
  return { pathValues: ['1', '2', '3', live.slug, draft.slug, 'إيران', '999999'] }
}

const AUTH = ['none', 'editor', 'admin'] as const

/** encodeURIComponent, but a lone surrogate goes out as the bytes WTF-8 gives it: not UTF-8, for the router to refuse. */
function encodePathSegment(value: string): string {
  return Array.from(value, (char) => {
    const code = char.codePointAt(0) as number
    if (code < 0xd800 || code > 0xdfff) return encodeURIComponent(char)
    const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
    return bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('')
  }).join('')
}

function requests(path: string, method: string, operation: Operation, fixtures: Fixtures) {
  const parameters = operation.parameters ?? []
  const pathValue = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...fixtures.pathValues) },
    { weight: 2, arbitrary: fc.constantFrom(...LOOSE_NUMBERS) },
    { weight: 2, arbitrary: text(1, 30) },
  )
  const pathParams = fc.record(
    Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, pathValue])),
  )
  const inQuery = parameters.filter((p) => p.in === 'query')
  const queryOf = (value: (p: Parameter) => fc.Arbitrary<string>) =>
    fc.record(Object.fromEntries(inQuery.map((p) => [p.name, value(p)])), { requiredKeys: [] })
  // Mostly values the schema allows, so the runs reach the services; else anything, and unknown keys.
  const fittingQuery = queryOf((p) => fromSchema(p.schema ?? {}).map(String))
  const chaoticQuery = fc
    .tuple(
      queryOf(() => fc.oneof(fc.constantFrom(...LOOSE_NUMBERS, ''), text(0, 30))),
      fc.dictionary(text(1, 8), text(0, 8), { maxKeys: 2 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }))
  const query = fc.oneof({ weight: 3, arbitrary: fittingQuery }, { weight: 1, arbitrary: chaoticQuery })
  const schema = Object.values(operation.requestBody?.content ?? {})[0]?.schema
  const body = schema ? fc.option(bodies(schema), { nil: undefined, freq: 8 }) : fc.constant(undefined)
  return fc
    .record({
      pathParams,
      query,
      body,
      auth: fc.constantFrom(...AUTH),
      ip: fc.constantFrom('203.0.113.1', '203.0.113.2'),
      ifMatch: fc.option(fc.constantFrom('"stale"', '*', 'W/"x"'), { freq: 4 }),
    })
    .map((parts) => {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodePathSegment(parts.pathParams[name] as string),
      )
      const search = new URLSearchParams(parts.query as Record<string, string>).toString()
      return { ...parts, method, url: search ? `${url}?${search}` : url }
    })
}

/** Every table but the rate-limit counters (they count every request, answered or refused: that is their job). */
async function tableNames(t: TestApp): Promise<string[]> {
  const rows =
    TEST_ENGINE === 'sqlite'
      ? await t.query<{ name: string }>(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
        )
      : await t.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public'")
  // Bookkeeping, not content: rate counters, and the nodes' leases, renewed and acknowledged in the background.
  return rows.map((row) => row.name).filter((name) => !['rate_limits', 'data_version_nodes'].includes(name))
}

/** Each table's row count and rows; a token's last use is bookkeeping of authentication, not content. */
async function snapshot(t: TestApp, tables: string[]) {
  const state: Record<string, { count: number; rows: string[] }> = {}
  for (const table of tables) {
    const rows = await t.query<Record<string, unknown>>(`select * from "${table}"`)
    state[table] = {
      count: rows.length,
      rows: rows.map(({ last_used_at: _bookkeeping, ...row }) => JSON.stringify(row)).sort(),
    }
  }
  return state
}

let t: TestApp | undefined

afterEach(async () => {
  await t?.app.close()
  t = undefined
})

describe('fuzzing every operation of the OpenAPI document', () => {
  it('found operations to fuzz, with and without bodies', () => {
    expect(operations.length).toBeGreaterThan(20)
    expect(operations.filter(({ operation }) => operation.requestBody).length).toBeGreaterThan(5)
  })

  it.each(operations.map((entry) => [`${entry.method} ${entry.path}`, entry] as const))(
    '%s: no 5xx, answers as documented, nothing stored by a 4xx',
    async (_name, { path, method, operation }) => {
      t = await buildTestApp({ env: { RATE_LIMIT_COMMENTS_PER_MINUTE: '100000' } })
      const app = t
      const fixtures = await arrange(app)
      const tables = await tableNames(app)
      const statuses = new Map<number, number>()
      await fc.assert(
        fc.asyncProperty(requests(path, method, operation, fixtures), async (request) => {
          const before = await snapshot(app, tables)
          const headers: Record<string, string> = {}
          if (request.auth === 'editor') Object.assign(headers, app.editorAuth)
          if (request.auth === 'admin') Object.assign(headers, app.adminAuth)
          if (request.ifMatch !== null) headers['if-match'] = request.ifMatch
          // JSON.stringify writes a lone surrogate as \udXXX, so it arrives as sent.
          const payload = request.body && (request.body.raw ?? JSON.stringify(request.body.json))
          if (payload !== undefined) headers['content-type'] = 'application/json'
          const res = await app.app.inject({
            method: request.method as 'GET',
            url: request.url,
            headers,
            remoteAddress: request.ip,
            ...(payload === undefined ? {} : { payload }),
          })
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
          expect(res.statusCode, `${request.method} ${request.url} → ${res.body}`).toBeLessThan(500)
          if (res.statusCode >= 400) expect(await snapshot(app, tables)).toEqual(before)
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED, verbose: 1 },
      )
      // FUZZ_DEBUG=1 prints which statuses each operation got, to see what the generators reach.
      if (process.env.FUZZ_DEBUG) console.log(`${method} ${path}`, JSON.stringify([...statuses]))
      // The generated requests were not all turned away by validation: some reached the service behind it.
      expect([...statuses.keys()].some((status) => status !== 400)).toBe(true)
    },
  )
})
