/**
 * `npm run bench`: the public read path, side by side in one run. At each size (1,000 and 100,000 articles by
 * default) the same generated data is served by a bare Fastify + better-sqlite3 baseline, Sahifa on SQLite with
 * its read cache and with READ_CACHE_MB=0, and Sahifa on PostgreSQL both ways; each server is its own compiled
 * process on its own copy of the data, and rounds interleave them so drift hits all alike. Prints a table per
 * size and target with ratios to the baseline and a verdict on issue 10's targets; writes bench/results/reads.md.
 *
 *   npm run bench [-- --sizes 1000,100000 | --articles 1000] [--warmup 5 --duration 5 --rounds 3]
 *                 [--no-pg] [--fresh] [--load wrk|autocannon] [--quick] [--out path.md]
 */
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { encodeCursor } from '../src/lib/pagination.js'
import { queryTerms } from '../src/modules/search/search.query.js'
import { isLive, loadPostgres, SEARCH_WORD, sqliteData, TAG_SLUG } from './reads/data.js'
import { chooseLoad, type Load } from './reads/load.js'
import {
  cpuSeconds,
  cpuTicks,
  freePort,
  memoryMiB,
  pinning,
  run,
  runAlone,
  type Server,
  startServer,
  stopServers,
  waitUntilReady,
} from './reads/processes.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const PG_HOST = 'postgres://postgres@127.0.0.1:5432'
const PG_DATABASES = ['sahifa_bench', 'sahifa_bench_uncached']
const CONNECTIONS = 32
const PER_PAGE = 20
const DEEP_PAGE = 5_000
// READ_CACHE_MB's default: the most the cache may add to a server's memory.
const CACHE_BOUND_MIB = 64

interface Options {
  sizes: number[]
  warmup: number
  duration: number
  rounds: number
  pg: boolean
  fresh: boolean
  load?: string
  out: string
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sizes: { type: 'string' },
      articles: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      'no-pg': { type: 'boolean' },
      fresh: { type: 'boolean' },
      quick: { type: 'boolean' },
      load: { type: 'string' },
      out: { type: 'string' },
    },
  })
  const quick = values.quick === true
  const whole = (name: string, text: string | undefined, fallback: number, min: number, max: number) => {
    const value = text === undefined ? fallback : Number(text)
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`--${name}: a whole number ${min}..${max}`)
    return value
  }
  const sizesText = values.articles ?? values.sizes
  const sizes =
    sizesText === undefined
      ? quick
        ? [1_000]
        : [1_000, 100_000]
      : sizesText.split(',').map((size) => whole('sizes', size.replaceAll('_', ''), 0, 100, 1_000_000))
  if (values.load !== undefined && !['wrk', 'autocannon'].includes(values.load))
    throw new Error('--load: wrk or autocannon')
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    warmup: whole('warmup', values.warmup, quick ? 1 : 5, 0, 60),
    duration: whole('duration', values.duration, quick ? 2 : 5, 1, 120),
    rounds: whole('rounds', values.rounds, quick ? 1 : 3, 1, 20),
    pg: values['no-pg'] !== true && !quick,
    fresh: values.fresh === true,
    load: values.load,
    out: values.out ?? join(root, 'bench/results/reads.md'),
  }
}

// ---------------------------------------------------------------------------------------------- builds

/** Sahifa compiled with tsc outside dist/, at dist's depth beside package.json, node_modules and migrations. */
async function buildSahifa(workDir: string): Promise<string> {
  const dir = join(workDir, 'sahifa')
  mkdirSync(dir)
  for (const entry of ['package.json', 'node_modules', 'migrations', 'seeds']) {
    symlinkSync(join(root, entry), join(dir, entry))
  }
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], root)
  return join(dir, 'dist/server.js')
}

/** The baseline compiled too, so it carries no TypeScript loader at run time. */
async function buildBaseline(workDir: string): Promise<string> {
  const dir = join(workDir, 'baseline')
  mkdirSync(dir)
  for (const entry of ['package.json', 'node_modules']) symlinkSync(join(root, entry), join(dir, entry))
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  const flags = ['--outDir', dir, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext']
  const more = ['--target', 'es2022', '--skipLibCheck', '--esModuleInterop', '--types', 'node']
  await run(process.execPath, [tsc, ...flags, ...more, 'bench/reads/baseline.ts'], root)
  return join(dir, 'bench/reads/baseline.js')
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

async function pgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${PG_HOST}/postgres`, connectionTimeoutMillis: 2_000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function dropPostgres(): Promise<void> {
  await pgAdmin(async (client) => {
    for (const name of PG_DATABASES) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }).catch(() => undefined)
}

/** One database per PostgreSQL server (the second a template copy of the first), or null when none answers. */
async function preparePostgres(size: number, data: string): Promise<string[] | null> {
  try {
    await pgAdmin(async (client) => {
      await client.query('SELECT 1')
    })
  } catch (error) {
    process.stdout.write(`  PostgreSQL skipped: ${(error as Error).message}\n`)
    return null
  }
  await dropPostgres()
  const [first, second] = PG_DATABASES as [string, string]
  await pgAdmin((client) => client.query(`CREATE DATABASE ${first}`))
  const started = performance.now()
  await loadPostgres(`${PG_HOST}/${first}`, data)
  await pgAdmin((client) => client.query(`CREATE DATABASE ${second} TEMPLATE ${first}`))
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(`  loaded ${size.toLocaleString('en')} articles into PostgreSQL in ${seconds} s\n`)
  return PG_DATABASES.map((name) => `${PG_HOST}/${name}`)
}

// ---------------------------------------------------------------------------------------------- servers

type Kind = 'baseline' | 'sahifa'

interface BenchServer extends Server {
  kind: Kind
  engine: 'sqlite' | 'pg'
  cached: boolean
  /** PostgreSQL: the database whose backends work for this server (their CPU is part of its cost). */
  database?: string
}

const SERVER_LABELS: Record<string, string> = {
  baseline: 'baseline: Fastify + better-sqlite3',
  'sqlite-cached': 'Sahifa SQLite, cache on',
  'sqlite-uncached': 'Sahifa SQLite, READ_CACHE_MB=0',
  'pg-cached': 'Sahifa PostgreSQL, cache on',
  'pg-uncached': 'Sahifa PostgreSQL, READ_CACHE_MB=0',
}

const sahifaEnv = (databaseUrl: string, port: number, cached: boolean): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  SEED_SAMPLE: 'false',
  ADMIN_TOKEN: 'bench-admin-token-not-a-secret-0123456789',
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  DRAIN_DELAY_MS: '0',
  // Unset means the default (the cache on); 0 turns it off. A build without the cache ignores it.
  ...(cached ? {} : { READ_CACHE_MB: '0' }),
})

// ---------------------------------------------------------------------------------------------- what to expect

interface Expected {
  live: number
  firstPage: number[]
  slug: string
  slugId: number
  deepPage: number
  deepIds: number[]
  /** The cursor of the deep page, as Sahifa encodes it: for the baseline. */
  deepCursor: string
  tagTotal: number
  tagPage: number[]
  searchTotal: number
}

/** What every server must answer, read straight from the generated SQLite file. */
function expectations(data: string, size: number): Expected {
  const sqlite = new BetterSqlite3(data, { readonly: true, fileMustExist: true })
  try {
    const now = new Date().toISOString()
    const live = sqlite
      .prepare(`SELECT id, slug, published_at AS publishedAt FROM articles
        WHERE status = 'published' AND published_at <= ? ORDER BY published_at DESC, id DESC`)
      .all(now) as { id: number; slug: string; publishedAt: string }[]
    // The 5,000th page where it exists; on a smaller corpus the deepest full page (labelled as such).
    const deepPage = Math.max(2, Math.min(DEEP_PAGE, Math.floor(live.length / PER_PAGE)))
    const beforeDeep = live[(deepPage - 1) * PER_PAGE - 1]
    if (!beforeDeep) throw new Error(`${size} articles: too few for a cursor page`)
    // Article 321 or the first live one after it (the middle one on a small corpus).
    const target = Math.min(321, Math.ceil(size / 2))
    let slugIndex = target
    while (!isLive(slugIndex, size)) slugIndex++
    const slugRow = sqlite.prepare('SELECT id, slug FROM articles WHERE id = ?').get(slugIndex) as {
      id: number
      slug: string
    }
    const tagged = sqlite
      .prepare(`SELECT a.id FROM articles a WHERE a.status = 'published' AND a.published_at <= ?
        AND a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.slug = ?)
        ORDER BY a.published_at DESC, a.id DESC`)
      .all(now, TAG_SLUG) as { id: number }[]
    const match = queryTerms(SEARCH_WORD)
      .map((term) => `"${term}"`)
      .join(' AND ')
    const searchTotal = (
      sqlite
        .prepare(`SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH ?
          AND status = 'published' AND published_at <= ?`)
        .get(match, now) as { n: number }
    ).n
    return {
      live: live.length,
      firstPage: live.slice(0, PER_PAGE).map((row) => row.id),
      slug: slugRow.slug,
      slugId: slugRow.id,
      deepPage,
      deepIds: live.slice((deepPage - 1) * PER_PAGE, deepPage * PER_PAGE).map((row) => row.id),
      deepCursor: encodeCursor({ sort: '-publishedAt', value: beforeDeep.publishedAt, id: beforeDeep.id }),
      tagTotal: tagged.length,
      tagPage: tagged.slice(0, PER_PAGE).map((row) => row.id),
      searchTotal,
    }
  } finally {
    sqlite.close()
  }
}

// ---------------------------------------------------------------------------------------------- targets

type Summary = { id: number; slug: string; tags: { slug: string }[]; html?: string }
type ListBody = { data?: Summary[]; meta?: { total?: number; nextCursor?: string | null } }

interface Target {
  key: 'list' | 'slug' | 'deep' | 'search' | 'tag' | 'etag'
  name: string
  /** The request for one server (the cursor and ETag are each server's own). */
  path(server: BenchServer): string
  headers(server: BenchServer): Record<string, string>
  serves(server: BenchServer): boolean
  status: number
  /** Throws when the answer is wrong; returns the ids it shows, compared across servers of the same engine. */
  check?(body: unknown, server: BenchServer): number[]
}

const same = (actual: number[], expected: number[], what: string) => {
  if (actual.join(',') !== expected.join(','))
    throw new Error(`${what}: ids ${actual.join(',')} instead of ${expected.join(',')}`)
}

function ids(body: unknown, length: number): number[] {
  const data = (body as ListBody).data
  if (!Array.isArray(data) || data.length !== length) throw new Error(`expected ${length} articles`)
  if (data.some((article) => article.tags?.length !== 3)) throw new Error('expected 3 tags on each article')
  return data.map((article) => article.id)
}

function total(body: unknown, server: BenchServer, expected: number) {
  // The baseline keeps no totals: that is part of what it leaves out.
  if (server.kind === 'baseline') return
  const actual = (body as ListBody).meta?.total
  if (actual !== expected) throw new Error(`meta.total ${actual} instead of ${expected}`)
}

function targets(expected: Expected, cursors: Map<string, string>, etags: Map<string, string>): Target[] {
  const all = () => true
  const none = () => ({})
  const list = `/v1/articles?perPage=${PER_PAGE}`
  const deepLabel =
    expected.deepPage === DEEP_PAGE
      ? `cursor page ${DEEP_PAGE.toLocaleString('en')}`
      : `cursor page ${expected.deepPage.toLocaleString('en')} (deepest full page)`
  return [
    {
      key: 'list',
      name: `list ${PER_PAGE}`,
      path: () => list,
      headers: none,
      serves: all,
      status: 200,
      check(body, server) {
        total(body, server, expected.live)
        const shown = ids(body, PER_PAGE)
        same(shown, expected.firstPage, 'page 1')
        return shown
      },
    },
    {
      key: 'slug',
      name: 'one by slug',
      path: () => `/v1/articles/${encodeURIComponent(expected.slug)}`,
      headers: none,
      serves: all,
      status: 200,
      check(body) {
        const article = body as Summary
        if (article.slug !== expected.slug || article.id !== expected.slugId || !article.html)
          throw new Error(`expected article ${expected.slugId} with its html`)
        if (article.tags?.length !== 3) throw new Error('expected 3 tags')
        return [article.id]
      },
    },
    {
      key: 'deep',
      name: deepLabel,
      path: (server) =>
        `${list}&cursor=${encodeURIComponent(cursors.get(server.name) ?? expected.deepCursor)}`,
      headers: none,
      serves: all,
      status: 200,
      check(body, server) {
        total(body, server, expected.live)
        const shown = ids(body, PER_PAGE)
        same(shown, expected.deepIds, deepLabel)
        return shown
      },
    },
    {
      key: 'search',
      name: `search "${SEARCH_WORD}"`,
      path: () => `/v1/articles?${new URLSearchParams({ q: SEARCH_WORD })}`,
      headers: none,
      serves: all,
      status: 200,
      check(body, server) {
        total(body, server, expected.searchTotal)
        // PostgreSQL ranks with ts_rank, SQLite with bm25: the ids are compared within an engine only.
        return ids(body, Math.min(PER_PAGE, expected.searchTotal))
      },
    },
    {
      key: 'tag',
      name: 'tag page',
      path: () => `/v1/articles?${new URLSearchParams({ tag: TAG_SLUG, perPage: String(PER_PAGE) })}`,
      headers: none,
      serves: all,
      status: 200,
      check(body, server) {
        total(body, server, expected.tagTotal)
        const shown = ids(body, Math.min(PER_PAGE, expected.tagTotal))
        same(shown, expected.tagPage, 'tag page')
        const data = (body as ListBody).data ?? []
        if (data.some((article) => !article.tags.some((tag) => tag.slug === TAG_SLUG)))
          throw new Error(`an article without the tag ${TAG_SLUG}`)
        return shown
      },
    },
    {
      key: 'etag',
      name: `list ${PER_PAGE}, If-None-Match (304)`,
      path: () => list,
      headers: (server) => ({ 'if-none-match': etags.get(server.name) ?? '' }),
      // The baseline sends no ETag.
      serves: (server) => server.kind === 'sahifa',
      status: 304,
    },
  ]
}

const url = (server: BenchServer, path: string) => `http://127.0.0.1:${server.port}${path}`

async function fetchJson(server: BenchServer, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(url(server, path), { headers, signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  return { response, text }
}

/** Each server's own cursor for the deep page (read from page deep-1, whose meta.nextCursor points at it). */
async function serverCursors(servers: BenchServer[], expected: Expected): Promise<Map<string, string>> {
  const cursors = new Map<string, string>()
  for (const server of servers) {
    if (server.kind === 'baseline') continue
    const path = `/v1/articles?perPage=${PER_PAGE}&page=${expected.deepPage - 1}`
    const { response, text } = await fetchJson(server, path)
    const cursor = response.ok ? (JSON.parse(text) as ListBody).meta?.nextCursor : undefined
    // A build that gives no cursor with page answers is asked with the cursor computed from the row.
    cursors.set(server.name, cursor ?? expected.deepCursor)
  }
  return cursors
}

/** Every server answers each target with the expected status and content before any is measured. */
async function verify(servers: BenchServer[], list: Target[], etags: Map<string, string>): Promise<void> {
  for (const server of servers) {
    if (server.kind !== 'sahifa') continue
    const { response } = await fetchJson(server, `/v1/articles?perPage=${PER_PAGE}`)
    const etag = response.headers.get('etag')
    if (etag) etags.set(server.name, etag)
  }
  for (const target of list) {
    const shown = new Map<string, Set<string>>()
    for (const server of servers.filter((s) => target.serves(s))) {
      const path = target.path(server)
      const { response, text } = await fetchJson(server, path, target.headers(server))
      const where = `${server.label}: GET ${decodeURIComponent(path)}`
      if (response.status !== target.status)
        throw new Error(`${where}: ${response.status} instead of ${target.status}: ${text.slice(0, 300)}`)
      if (!target.check) continue
      try {
        const answers = shown.get(server.engine) ?? new Set()
        answers.add(target.check(JSON.parse(text), server).join(','))
        shown.set(server.engine, answers)
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}: ${text.slice(0, 300)}`)
      }
    }
    for (const [engine, answers] of shown) {
      if (answers.size > 1)
        throw new Error(
          `${target.name}: ${engine} servers show different articles: ${[...answers].join(' / ')}`,
        )
    }
  }
}

// ---------------------------------------------------------------------------------------------- measuring

interface Sample {
  reqPerSec: number
  p50: number
  p99: number
  requests: number
  cpu: number
  failures: number
  /**
   * The share of the server's CPU the hypervisor stole during the round (NaN when unpinned): it stalls every
   * request in flight, whatever the server does. wrk's CPU is not counted: 20–50% stolen from it left the p99
   * where it was (wrk needs a fraction of its CPU), while 10–22% stolen from the server's took p99 ÷ p50 from
   * about 2.5× to 3–8×.
   */
  steal: number
}

/** CPU seconds used so far by the server's process and, on PostgreSQL, by each backend serving its database. */
async function cpuOf(server: BenchServer): Promise<Map<number, number>> {
  const pids = [server.child.pid as number]
  if (server.database) {
    const { rows } = await pgAdmin((client) =>
      client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [server.database]),
    )
    pids.push(...rows.map((row) => row.pid))
  }
  const cpu = new Map<number, number>()
  for (const pid of pids) {
    try {
      cpu.set(pid, cpuSeconds(pid))
    } catch {
      // A backend that ended between the query and the read.
    }
  }
  return cpu
}

/** CPU seconds between two readings; a backend that appeared in between counts from zero. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0)
  return sum
}

/**
 * Waits until the server has worked off the requests still queued when the load stopped (its CPU time stops
 * moving), at most 20 s, so a backlog does not run into the next measurement.
 */
async function settle(server: BenchServer): Promise<void> {
  const deadline = Date.now() + 20_000
  let last = cpuBetween(new Map(), await cpuOf(server))
  while (Date.now() < deadline) {
    await sleep(150)
    const now = cpuBetween(new Map(), await cpuOf(server))
    if (now - last < 0.003) return
    last = now
  }
}

/**
 * Load discarded after a server is let go on (SIGCONT), before it is measured. A process frozen for half a minute
 * wakes with its timers overdue, its idle database connections closed and, on PostgreSQL, its lease on the data
 * version run out (it reads the row until it renews); its first tens of milliseconds are slower, and that is 1% of
 * a 5 s round. No server in service is ever frozen.
 */
const RESUME_SECONDS = 1

async function measure(load: Load, server: BenchServer, target: Target, seconds: number): Promise<Sample> {
  runAlone(server)
  await load.run(url(server, target.path(server)), {
    connections: CONNECTIONS,
    seconds: RESUME_SECONDS,
    headers: target.headers(server),
  })
  const before = await cpuOf(server)
  const ticksBefore = pinning ? cpuTicks(pinning.server) : null
  const result = await load.run(url(server, target.path(server)), {
    connections: CONNECTIONS,
    seconds,
    headers: target.headers(server),
  })
  const ticksAfter = pinning ? cpuTicks(pinning.server) : null
  const cpu = cpuBetween(before, await cpuOf(server))
  const steal =
    ticksBefore && ticksAfter
      ? (ticksAfter.steal - ticksBefore.steal) / (ticksAfter.total - ticksBefore.total)
      : Number.NaN
  if (server.exited) throw new Error(`${server.label} exited under load: see ${server.logPath}`)
  await settle(server)
  return {
    reqPerSec: result.requests / result.seconds,
    p50: result.p50,
    p99: result.p99,
    requests: result.requests,
    cpu,
    failures: result.failures,
    steal,
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

interface Stats {
  reqPerSec: number
  rounds: number[]
  p50: number
  p99: number
  cpuPerRequest: number
  failures: number
  /** Rounds in which not one answer came back (the server too slow for the round's length). */
  silent: number
  /** Each round's p50, p99 and stolen share (Sample.steal). */
  p50s: number[]
  p99s: number[]
  steal: number[]
}

function statsOf(samples: Sample[]): Stats {
  const requests = samples.reduce((sum, s) => sum + s.requests, 0)
  return {
    reqPerSec: median(samples.map((s) => s.reqPerSec)),
    rounds: samples.map((s) => s.reqPerSec),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    cpuPerRequest: requests ? (samples.reduce((sum, s) => sum + s.cpu, 0) / requests) * 1e6 : Number.NaN,
    failures: samples.reduce((sum, s) => sum + s.failures, 0),
    silent: samples.filter((s) => s.requests === 0).length,
    p50s: samples.map((s) => s.p50),
    p99s: samples.map((s) => s.p99),
    steal: samples.map((s) => s.steal),
  }
}

interface SizeResult {
  size: number
  expected: Expected
  servers: BenchServer[]
  targets: Target[]
  stats: Map<string, Stats>
  memory: Map<string, { rss: number; peak: number }>
  pgNote?: string
}

const statKey = (server: string, target: string) => `${server} ${target}`

async function runSize(
  size: number,
  options: Options,
  builds: { sahifa: string; baseline: string },
  load: Load,
  workDir: string,
): Promise<SizeResult> {
  process.stdout.write(`\n${size.toLocaleString('en')} articles\n`)
  const data = sqliteData(size, options.fresh)
  const expected = expectations(data, size)
  const pgUrls = options.pg ? await preparePostgres(size, data) : null

  const servers: BenchServer[] = []
  const add = async (
    name: string,
    kind: Kind,
    engine: 'sqlite' | 'pg',
    cached: boolean,
    entry: string,
    env: (port: number) => Record<string, string>,
    database?: string,
  ) => {
    const port = await freePort()
    const logPath = join(workDir, `${name}-${size}.log`)
    const label = SERVER_LABELS[name] ?? name
    const server = startServer(name, label, [entry], { cwd: workDir, env: env(port), port, logPath })
    servers.push(Object.assign(server, { kind, engine, cached, database }))
  }
  const copy = (name: string) => {
    const path = join(workDir, `${name}-${size}.db`)
    copyFileSync(data, path)
    return path
  }
  await add('baseline', 'baseline', 'sqlite', false, builds.baseline, (port) => ({
    DATABASE_URL: copy('baseline'),
    HOST: '127.0.0.1',
    PORT: String(port),
  }))
  for (const cached of [true, false]) {
    const name = cached ? 'sqlite-cached' : 'sqlite-uncached'
    await add(name, 'sahifa', 'sqlite', cached, builds.sahifa, (port) => sahifaEnv(copy(name), port, cached))
  }
  if (pgUrls) {
    for (const [i, cached] of [true, false].entries()) {
      const name = cached ? 'pg-cached' : 'pg-uncached'
      const databaseUrl = pgUrls[i] as string
      await add(
        name,
        'sahifa',
        'pg',
        cached,
        builds.sahifa,
        (port) => sahifaEnv(databaseUrl, port, cached),
        PG_DATABASES[i],
      )
    }
  }
  await Promise.all(
    servers.map((server) => waitUntilReady(server, url(server, `/v1/articles?perPage=${PER_PAGE}`), 180_000)),
  )
  const cursors = await serverCursors(servers, expected)
  const etags = new Map<string, string>()
  const list = targets(expected, cursors, etags)
  await verify(servers, list, etags)
  process.stdout.write(`  ${servers.length} servers up, every answer checked; warming up\n`)

  if (options.warmup > 0) {
    for (const target of list)
      for (const server of servers)
        if (target.serves(server)) await measure(load, server, target, options.warmup)
  }
  const samples = new Map<string, Sample[]>()
  // Each server's memory right after its own last measured round: read later, a server idle since its last round
  // (the baseline serves no 304 target) would have had V8's memory reducer shrink it while the others were loaded.
  const memory = new Map<string, { rss: number; peak: number }>()
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round, so no server always runs first (or right after the same neighbour).
    const order = servers.map((_, i) => servers[(i + round) % servers.length] as BenchServer)
    for (const target of list) {
      for (const server of order) {
        if (!target.serves(server)) continue
        const sample = await measure(load, server, target, options.duration)
        memory.set(server.name, memoryMiB(server.child.pid as number))
        const key = statKey(server.name, target.key)
        samples.set(key, [...(samples.get(key) ?? []), sample])
        process.stdout.write(
          `  round ${round + 1}/${options.rounds} ${target.key.padEnd(6)} ${server.name.padEnd(15)} ` +
            `${Math.round(sample.reqPerSec).toString().padStart(6)} req/s  p50 ${sample.p50.toFixed(1)} ms  ` +
            `p99 ${sample.p99.toFixed(1)} ms  steal ${percent(sample.steal)}${sample.failures ? `  ${sample.failures} FAILED` : ''}` +
            `${sample.requests === 0 ? '  NO ANSWER within the round' : ''}\n`,
        )
      }
    }
  }
  await stopServers()
  if (pgUrls) await dropPostgres()
  for (const server of servers) rmSync(join(workDir, `${server.name}-${size}.db`), { force: true })
  const stats = new Map([...samples].map(([key, list]) => [key, statsOf(list)]))
  return {
    size,
    expected,
    servers,
    targets: list,
    stats,
    memory,
    pgNote: options.pg && !pgUrls ? 'PostgreSQL did not answer on 127.0.0.1:5432: skipped' : undefined,
  }
}

// ---------------------------------------------------------------------------------------------- report

const fixed = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a'

/** A share as a whole percentage, `n/a` when unknown. */
const percent = (share: number) => (Number.isFinite(share) ? `${fixed(share * 100)}%` : 'n/a')

/** Each round's stolen share of the server's CPU, as `2 / 9 / 4`. */
const stealRounds = (stats: Stats) =>
  stats.steal.every(Number.isFinite) ? stats.steal.map((share) => fixed(share * 100)).join(' / ') : 'n/a'

/** A ratio as `1.23×`, or `n/a` when a figure is missing (no answer in a round). */
const times = (value: number) => (Number.isFinite(value) ? `${fixed(value, 2)}×` : 'n/a')

function machine(): string {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model
  return `${cpus().length} CPUs (nproc), ${model ?? 'unknown CPU'}, Node ${process.version}`
}

function sizeTables(result: SizeResult): string[] {
  const lines: string[] = [`## ${result.size.toLocaleString('en')} articles`, '']
  if (result.pgNote) lines.push(`_${result.pgNote}._`, '')
  for (const target of result.targets) {
    lines.push(
      `### ${target.name}: \`GET ${decodeURIComponent(target.path(result.servers[0] as BenchServer))}\``,
      '',
    )
    lines.push(
      '| server | req/s | rounds req/s | ÷ baseline | p50 ms | p99 ms | p99 ÷ p50 | rounds p99 ÷ p50 | steal % | CPU µs/req | failed |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    )
    const baseline = result.stats.get(statKey('baseline', target.key))
    for (const server of result.servers) {
      const stats = result.stats.get(statKey(server.name, target.key))
      if (!stats) continue
      lines.push(
        `| ${server.label} | ${fixed(stats.reqPerSec)} | ${stats.rounds.map((r) => fixed(r)).join(' / ')} | ` +
          `${baseline ? fixed(stats.reqPerSec / baseline.reqPerSec, 2) : 'n/a'} | ${fixed(stats.p50, 1)} | ` +
          `${fixed(stats.p99, 1)} | ${fixed(stats.p99 / stats.p50, 1)} | ` +
          `${stats.p99s.map((p99, i) => fixed(p99 / (stats.p50s[i] as number), 1)).join(' / ')} | ${stealRounds(stats)} | ` +
          `${fixed(stats.cpuPerRequest)} | ` +
          `${stats.failures} |`,
      )
    }
    lines.push('')
  }
  lines.push('### Memory after the load', '', '| server | RSS MiB | peak RSS MiB |', '| --- | ---: | ---: |')
  for (const server of result.servers) {
    const memory = result.memory.get(server.name)
    lines.push(
      `| ${server.label} | ${fixed(memory?.rss ?? Number.NaN)} | ${fixed(memory?.peak ?? Number.NaN)} |`,
    )
  }
  lines.push('')
  return lines
}

interface Check {
  /** null: the run lacks what the check needs; 'info': a figure the issue asks for, with no bound of its own. */
  pass: boolean | null | 'info'
  text: string
}

/** A round counts as quiet when the hypervisor stole at most this share of the server's CPU. */
const QUIET_STEAL = 0.02

/** p99 ÷ p50 over all rounds (medians), and over the quiet rounds alone (NaN when none was quiet). */
function tails(stats: Stats): { all: number; quiet: number; quietRounds: number } {
  const quiet = stats.steal.flatMap((share, i) => (share <= QUIET_STEAL ? [i] : []))
  const pick = (values: number[]) => quiet.map((i) => values[i] as number)
  return {
    all: stats.p99 / stats.p50,
    quiet: quiet.length ? median(pick(stats.p99s)) / median(pick(stats.p50s)) : Number.NaN,
    quietRounds: quiet.length,
  }
}

function verdict(results: SizeResult[]): Check[] {
  const checks: Check[] = []
  const get = (result: SizeResult, server: string, target: string) =>
    result.stats.get(statKey(server, target))
  const ratioCheck = (text: string, value: number, limit: number, atLeast: boolean): Check => ({
    pass: Number.isFinite(value) ? (atLeast ? value >= limit : value <= limit) : null,
    text: `${text}: ${times(value)} (${atLeast ? '≥' : '≤'} ${limit}×)`,
  })
  for (const result of results) {
    const size = result.size.toLocaleString('en')
    const engines = [...new Set(result.servers.filter((s) => s.kind === 'sahifa').map((s) => s.engine))]
    for (const engine of engines) {
      const which = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'
      for (const [cached, limit] of [
        [false, 0.8],
        [true, 2],
      ] as const) {
        const name = `${engine}-${cached ? 'cached' : 'uncached'}`
        for (const target of ['list', 'slug']) {
          const server = get(result, name, target)
          const baseline = get(result, 'baseline', target)
          if (!server || !baseline) continue
          const text = `${size}: ${which} ${cached ? 'cached' : 'READ_CACHE_MB=0'}, ${target === 'list' ? 'list 20' : 'one by slug'} req/s ÷ baseline`
          const value = server.reqPerSec / baseline.reqPerSec
          // The bounds are the embedded default's; PostgreSQL's figures are asked for beside them (issue 10).
          checks.push(
            engine === 'sqlite'
              ? ratioCheck(text, value, limit, true)
              : { pass: 'info', text: `${text}: ${times(value)} (SQLite's bound: ${limit}×)` },
          )
        }
      }
    }
    for (const server of result.servers.filter((s) => s.kind === 'sahifa')) {
      const measured = result.targets
        .map((target) => ({ target, stats: get(result, server.name, target.key) }))
        .flatMap(({ target, stats }) => (stats ? [{ name: target.name, stats, ...tails(stats) }] : []))
      for (const quiet of [false, true]) {
        const ratio = (entry: (typeof measured)[number]) => (quiet ? entry.quiet : entry.all)
        const worst = [...measured].sort((a, b) => ratio(b) - ratio(a))
        const over = worst.filter((entry) => ratio(entry) > 4)
        const unknown = worst.filter((entry) => !Number.isFinite(ratio(entry)))
        const which = quiet ? `in the rounds with ≤ ${QUIET_STEAL * 100}% stolen` : 'over all rounds'
        const describe = (entry: (typeof measured)[number]) =>
          `${entry.name} (${times(ratio(entry))}; ${quiet ? `${entry.quietRounds} of ${entry.stats.steal.length} rounds` : `steal ${stealRounds(entry.stats)} %`})`
        checks.push({
          pass: over.length ? false : worst.length === 0 || unknown.length ? null : true,
          text:
            `${size}: ${server.label}, p99 ≤ 4× p50 on every target ${which}: ` +
            (over.length
              ? `over on ${over.map(describe).join(', ')}`
              : worst[0]
                ? `worst ${describe(worst[0])}`
                : 'nothing measured') +
            (unknown.length ? `; no such round for ${unknown.map((entry) => entry.name).join(', ')}` : ''),
        })
      }
    }
    const baselineRss = result.memory.get('baseline')?.rss ?? Number.NaN
    for (const server of result.servers.filter((s) => s.kind === 'sahifa')) {
      const rss = result.memory.get(server.name)?.rss ?? Number.NaN
      const bound = server.cached ? CACHE_BOUND_MIB : 0
      const limit = 1.5 * baselineRss + bound
      checks.push({
        pass: Number.isFinite(rss) && Number.isFinite(limit) ? rss <= limit : null,
        text: `${size}: ${server.label}, RSS after load ${fixed(rss)} MiB (≤ 1.5 × baseline ${fixed(baselineRss)} + ${bound} = ${fixed(limit)} MiB)`,
      })
    }
  }
  // Scaling: the largest size measured against 1,000 (or the smallest), uncached, where the database does the work.
  const small = results[0]
  const large = results.at(-1)
  if (large) {
    const engines = [...new Set(large.servers.filter((s) => s.kind === 'sahifa').map((s) => s.engine))]
    const size = large.size.toLocaleString('en')
    for (const engine of engines) {
      const which = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'
      const name = `${engine}-uncached`
      const list = large.stats.get(statKey(name, 'list'))
      const cost = (stats: Stats | undefined) => stats?.cpuPerRequest ?? Number.NaN
      const latency = (a: Stats | undefined, b: Stats | undefined) =>
        `; p50 ${fixed(a?.p50 ?? Number.NaN, 1)} vs ${fixed(b?.p50 ?? Number.NaN, 1)} ms`
      if (small && small !== large) {
        const smallList = small.stats.get(statKey(name, 'list'))
        const check = ratioCheck(
          `${which} READ_CACHE_MB=0, list page 1 CPU/request at ${size} ÷ at ${small.size.toLocaleString('en')}`,
          cost(list) / cost(smallList),
          1.5,
          false,
        )
        checks.push({ ...check, text: check.text + latency(list, smallList) })
      } else {
        checks.push({ pass: null, text: `${which}: list at 100,000 vs 1,000 needs both sizes in the run` })
      }
      const deep = large.stats.get(statKey(name, 'deep'))
      const deepCheck = ratioCheck(
        `${size}: ${which} READ_CACHE_MB=0, ${large.targets.find((t) => t.key === 'deep')?.name} CPU/request ÷ page 1`,
        cost(deep) / cost(list),
        1.2,
        false,
      )
      checks.push({ ...deepCheck, text: deepCheck.text + latency(deep, list) })
      const search = large.stats.get(statKey(name, 'search'))
      const searchCheck = ratioCheck(
        `${size}: ${which} READ_CACHE_MB=0, search CPU/request ÷ list`,
        cost(search) / cost(list),
        3,
        false,
      )
      checks.push({ ...searchCheck, text: searchCheck.text + latency(search, list) })
    }
  }
  const failed = results.flatMap((result) =>
    [...result.stats]
      .filter(([, stats]) => stats.failures > 0 || stats.silent > 0)
      .map(
        ([key, stats]) =>
          `${result.size} ${key}: ${stats.failures}${stats.silent ? ` (+${stats.silent} rounds with no answer)` : ''}`,
      ),
  )
  checks.push({
    pass: failed.length === 0,
    text: failed.length
      ? `failed requests: ${failed.join(', ')}`
      : 'no failed request on any server or target',
  })
  return checks
}

function report(options: Options, load: Load, results: SizeResult[], started: Date): string {
  const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1)
  const lines = [
    '# Read path benchmark',
    '',
    `- Date: ${started.toISOString()} (took ${minutes} min); \`npm run bench -- ${process.argv.slice(2).join(' ')}\``,
    `- Machine: ${machine()}`,
    `- CPUs: ${pinning ? `each server (every thread) pinned to CPU ${pinning.server}, wrk and this bench to CPU ${pinning.load} (taskset); PostgreSQL unpinned` : 'not pinned (taskset missing or one CPU)'}`,
    `- Load: ${load.name}, ${CONNECTIONS} connections, on one server at a time (the others stopped with SIGSTOP; ${RESUME_SECONDS} s of load discarded after each resume); ${options.warmup} s warm-up per server and target discarded, then ${options.rounds} round${options.rounds === 1 ? '' : 's'} × ${options.duration} s, servers interleaved (order rotated each round)`,
    '- Data: the same generated Arabic articles (3 tags each, every 50th a draft, 2 scheduled) in every server; each server its own process on 127.0.0.1 with its own copy (PostgreSQL: a database each), LOG_LEVEL=warn; Sahifa compiled with tsc',
    `- Servers: baseline = bare Fastify 5 + better-sqlite3, prepared statements, no auth/validation/totals/ETag; "cache on" = READ_CACHE_MB unset (default ${CACHE_BOUND_MIB})`,
    `- req/s, p50, p99: medians of the rounds; CPU µs/req: server user+system time (/proc/<pid>/stat; on PostgreSQL plus its database backends) over all measured rounds ÷ requests; steal %: per round, the share of the server's CPU that the hypervisor gave to another VM (/proc/stat), a stall no server can avoid; a round with ≤ ${QUIET_STEAL * 100}% is quiet; RSS: the server process's VmRSS right after its last measured round (PostgreSQL's own memory not included), peak = VmHWM; failed: answers ≥ 400, socket errors and timeouts`,
    '',
  ]
  const checks = verdict(results)
  lines.push('## Verdict (issue 10 targets)', '')
  for (const check of checks)
    lines.push(
      `- ${check.pass === null ? '**n/a**' : check.pass === 'info' ? 'info' : check.pass ? 'pass' : '**FAIL**'}: ${check.text}`,
    )
  lines.push('')
  for (const result of results) lines.push(...sizeTables(result))
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------- main

export async function runReadsBench(argv: string[] = process.argv.slice(2)): Promise<string> {
  const options = readOptions(argv)
  const started = new Date()
  const workDir = mkdtempSync('/tmp/sahifa-bench-')
  const cleanUp = async () => {
    await stopServers()
    if (options.pg) await dropPostgres()
    rmSync(workDir, { recursive: true, force: true })
  }
  // Ctrl-C still ends the servers, drops the databases and removes the build.
  const onSignal = () => void cleanUp().finally(() => process.exit(130))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // This process and what it starts (wrk) on the load's CPU; each server moves itself to its own (processes.ts).
    if (pinning)
      execFileSync('taskset', ['-a', '-p', '-c', pinning.load, String(process.pid)], { stdio: 'ignore' })
    const load = chooseLoad(workDir, options.load)
    const perSize =
      6 *
      (options.pg ? 5 : 3) *
      (options.warmup + options.rounds * options.duration + (1 + options.rounds) * RESUME_SECONDS)
    process.stdout.write(
      `Read benchmark: ${options.sizes.map((s) => s.toLocaleString('en')).join(' and ')} articles, ${load.name}; ` +
        `about ${Math.ceil((perSize * options.sizes.length) / 60)} min of load after data and builds\n`,
    )
    const [sahifa, baseline] = await Promise.all([buildSahifa(workDir), buildBaseline(workDir)])
    const results: SizeResult[] = []
    for (const size of options.sizes)
      results.push(await runSize(size, options, { sahifa, baseline }, load, workDir))
    const markdown = report(options, load, results, started)
    mkdirSync(dirname(options.out), { recursive: true })
    writeFileSync(options.out, `${markdown}\n`)
    process.stdout.write(`\n${markdown}\nWritten to ${options.out}\n`)
    return markdown
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanUp()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runReadsBench()
}
