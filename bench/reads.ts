/**
 * Read path benchmark: the public list and one article by slug, served by a bare Fastify + better-sqlite3
 * baseline, Sahifa before the data-layer refactor (a git ref, SQLite), Sahifa now (SQLite) and, when PostgreSQL
 * answers on 127.0.0.1:5432, Sahifa now on PostgreSQL. Each server is its own compiled child process on its own
 * copy of the same data; rounds interleave the servers so drift hits all alike. Writes bench/results/reads-<N>.md.
 *
 *   npm run bench:reads [-- --articles 1000 --before da3f245 --warmup 5 --duration 5 --rounds 3 --no-pg --fresh]
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { articleSlug, generate, isLive, sqliteData } from './reads/data.js'
import {
  cpuSeconds,
  freePort,
  rssMiB,
  run,
  type Server,
  startServer,
  stopServers,
  waitUntilReady,
} from './reads/processes.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const BEFORE_DIR = '/tmp/sahifa-before'
const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
const PG_URL = 'postgres://postgres@127.0.0.1:5432/sahifa_bench'
const CONNECTIONS = 32
const PER_PAGE = 20
// "Not slower": after/before req/s at least this, and CPU per request at most its inverse. Rounds of one server
// differ by a few percent, so a smaller gap is noise; CPU per request is the steadier of the two (the load
// generator shares the machine).
const NOT_SLOWER = 0.95

interface Options {
  articles: number
  before: string
  warmup: number
  duration: number
  rounds: number
  pg: boolean
  fresh: boolean
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      articles: { type: 'string' },
      before: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      'no-pg': { type: 'boolean' },
      fresh: { type: 'boolean' },
    },
  })
  const count = (name: string, fallback: number, max: number) => {
    const value = values[name] === undefined ? fallback : Number(values[name])
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new Error(`--${name}: a whole number 1..${max}`)
    return value
  }
  return {
    articles: count('articles', 1_000, 1_000_000),
    before: typeof values.before === 'string' ? values.before : 'da3f245',
    warmup: count('warmup', 5, 60),
    duration: count('duration', 5, 60),
    rounds: count('rounds', 3, 20),
    pg: values['no-pg'] !== true,
    fresh: values.fresh === true,
  }
}

/** A compiled Sahifa: `dist/` beside the package.json, node_modules and migrations it resolves at run time. */
async function buildBefore(ref: string): Promise<string> {
  await removeBefore()
  await run('git', ['worktree', 'add', '--detach', BEFORE_DIR, ref], root)
  // The old code's dependencies are a subset of the new code's.
  symlinkSync(join(root, 'node_modules'), join(BEFORE_DIR, 'node_modules'))
  await run(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    BEFORE_DIR,
  )
  return BEFORE_DIR
}

async function removeBefore(): Promise<void> {
  if (!existsSync(BEFORE_DIR)) return
  await run('git', ['worktree', 'remove', '--force', BEFORE_DIR], root).catch(() => undefined)
  rmSync(BEFORE_DIR, { recursive: true, force: true })
  await run('git', ['worktree', 'prune'], root)
}

/** The working tree compiled outside dist/ (which stays as it is), at dist's depth so migrations resolve. */
async function buildAfter(workDir: string): Promise<string> {
  const dir = join(workDir, 'after')
  mkdirSync(dir)
  for (const entry of ['package.json', 'node_modules', 'migrations', 'seeds']) {
    symlinkSync(join(root, entry), join(dir, entry))
  }
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], root)
  return dir
}

/** A fresh sahifa_bench database with the same articles, or null when PostgreSQL does not answer. */
async function loadPostgres(articles: number): Promise<string | null> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2_000 })
  try {
    await admin.connect()
  } catch (error) {
    process.stdout.write(`  PostgreSQL skipped: ${(error as Error).message}\n`)
    return null
  }
  try {
    await admin.query('DROP DATABASE IF EXISTS sahifa_bench WITH (FORCE)')
    await admin.query('CREATE DATABASE sahifa_bench')
  } finally {
    await admin.end()
  }
  const started = performance.now()
  await generate(PG_URL, articles)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(`  loaded ${articles.toLocaleString('en')} articles into PostgreSQL in ${seconds} s\n`)
  return PG_URL
}

async function dropPostgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2_000 })
  try {
    await admin.connect()
    await admin.query('DROP DATABASE IF EXISTS sahifa_bench WITH (FORCE)')
  } catch {
    // Nothing to drop, or nothing to drop it from.
  } finally {
    await admin.end().catch(() => undefined)
  }
}

const sahifaEnv = (databaseUrl: string, port: number) => ({
  DATABASE_URL: databaseUrl,
  SEED_SAMPLE: 'false',
  ADMIN_TOKEN: 'bench-admin-token-not-a-secret-0123456789',
  PORT: String(port),
  HOST: '127.0.0.1',
  CACHE_MAX_AGE_SECONDS: '60',
  LOG_LEVEL: 'warn',
})

interface Target {
  name: string
  path: string
  /** What must hold of the answer, and the ids it shows (compared across servers). */
  check(body: unknown): number[]
}

function targets(articles: number): Target[] {
  const live = Array.from({ length: articles }, (_, i) => i + 1).filter((i) => isLive(i, articles))
  // Article 321 as asked, or the first live one after it (or the middle one on a small corpus).
  const index = live.find((i) => i >= Math.min(321, Math.ceil(articles / 2))) ?? live[0] ?? 1
  const slug = articleSlug(index, articles)
  type Summary = { id: number; slug: string; tags: unknown[] }
  return [
    {
      name: `list ${PER_PAGE}`,
      path: `/v1/articles?perPage=${PER_PAGE}`,
      check(body) {
        const data = (body as { data?: Summary[] }).data
        const expected = Math.min(PER_PAGE, live.length)
        if (!Array.isArray(data) || data.length !== expected) throw new Error(`expected ${expected} articles`)
        if (data.some((article) => article.tags.length !== 3))
          throw new Error('expected 3 tags on each article')
        return data.map((article) => article.id)
      },
    },
    {
      name: 'by slug',
      path: `/v1/articles/${slug}`,
      check(body) {
        const article = body as Summary & { html?: string }
        if (article.slug !== slug || article.tags?.length !== 3 || !article.html)
          throw new Error(`expected ${slug}`)
        return [article.id]
      },
    },
  ]
}

/** Every server answers 200 with plausible JSON, and all show the same articles. */
async function verify(servers: Server[], list: Target[]): Promise<void> {
  for (const target of list) {
    const shown = new Map<string, string>()
    for (const server of servers) {
      const response = await fetch(`http://127.0.0.1:${server.port}${target.path}`, {
        signal: AbortSignal.timeout(5_000),
      })
      const text = await response.text()
      if (response.status !== 200)
        throw new Error(`${server.label} ${target.path}: ${response.status} ${text.slice(0, 300)}`)
      try {
        shown.set(server.name, target.check(JSON.parse(text)).join(','))
      } catch (error) {
        throw new Error(`${server.label} ${target.path}: ${(error as Error).message}: ${text.slice(0, 300)}`)
      }
    }
    if (new Set(shown.values()).size !== 1) {
      throw new Error(
        `${target.path}: servers show different articles: ${JSON.stringify(Object.fromEntries(shown))}`,
      )
    }
  }
}

interface Sample {
  reqPerSec: number
  p50: number
  p99: number
  requests: number
  cpu: number
  failures: number
}

async function measure(server: Server, target: Target, seconds: number): Promise<Sample> {
  const pid = server.child.pid as number
  const cpuBefore = cpuSeconds(pid)
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${target.path}`,
    connections: CONNECTIONS,
    workers: 1,
    duration: seconds,
  })
  const cpu = cpuSeconds(pid) - cpuBefore
  if (server.exited) throw new Error(`${server.label} exited under load: see ${server.logPath}`)
  return {
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpu,
    failures: result.errors + result.timeouts + result.non2xx,
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function machine(): string {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model
  return `${cpus().length} CPUs (nproc), ${model ?? 'unknown CPU'}, Node ${process.version}`
}

function report(
  options: Options,
  servers: Server[],
  list: Target[],
  samples: Map<string, Sample[]>,
  rss: Map<string, number>,
) {
  const fixed = (value: number, digits = 0) =>
    value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  const lines = [
    `# Read path benchmark: ${options.articles.toLocaleString('en')} articles`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${machine()}`,
    `- Load: autocannon, ${CONNECTIONS} connections, 1 worker; ${options.warmup} s warm-up discarded, then ${options.rounds} round${options.rounds === 1 ? '' : 's'} × ${options.duration} s per server and target, servers interleaved (order rotated each round)`,
    `- Servers: each its own process on 127.0.0.1 and its own copy of the data, LOG_LEVEL=warn; "before" is git ref \`${options.before}\`, "after" the working tree, both compiled with tsc`,
    '- req/s, p50 and p99: medians of the rounds; CPU: server user+system time over all measured rounds ÷ requests; RSS: after the load',
    '',
  ]
  const verdicts: string[] = []
  for (const target of list) {
    lines.push(`## ${target.name}: \`GET ${target.path}\``, '')
    lines.push(
      '| server | req/s | rounds req/s | p50 ms | p99 ms | ÷ baseline | after ÷ before | CPU µs/req | RSS MiB | failed |',
    )
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    const stats = (name: string) => {
      const runs = samples.get(`${name} ${target.name}`) ?? []
      const requests = runs.reduce((sum, s) => sum + s.requests, 0)
      return {
        runs,
        reqPerSec: median(runs.map((s) => s.reqPerSec)),
        cpuPerRequest: requests ? (runs.reduce((sum, s) => sum + s.cpu, 0) / requests) * 1e6 : Number.NaN,
      }
    }
    const baseline = stats('baseline')
    const before = stats('before')
    for (const server of servers) {
      const { runs, reqPerSec, cpuPerRequest } = stats(server.name)
      const vsBefore = server.name.startsWith('after') ? fixed(reqPerSec / before.reqPerSec, 2) : ''
      lines.push(
        `| ${server.label} | ${fixed(reqPerSec)} | ${runs.map((s) => fixed(s.reqPerSec)).join(' / ')} | ` +
          `${fixed(median(runs.map((s) => s.p50)), 1)} | ${fixed(median(runs.map((s) => s.p99)), 1)} | ` +
          `${fixed(reqPerSec / baseline.reqPerSec, 2)} | ${vsBefore} | ${fixed(cpuPerRequest)} | ` +
          `${fixed(rss.get(server.name) ?? Number.NaN)} | ${runs.reduce((sum, s) => sum + s.failures, 0)} |`,
      )
    }
    const after = stats('after')
    const ratio = after.reqPerSec / before.reqPerSec
    const cpuRatio = after.cpuPerRequest / before.cpuPerRequest
    const slower = [
      ratio < NOT_SLOWER ? `req/s below ${NOT_SLOWER}` : '',
      cpuRatio > 1 / NOT_SLOWER ? `CPU per request above ${fixed(1 / NOT_SLOWER, 2)}` : '',
    ].filter(Boolean)
    verdicts.push(
      `- ${target.name}: after ÷ before = ${fixed(ratio, 2)} req/s, ${fixed(cpuRatio, 2)} CPU per request: ` +
        (slower.length ? `**slower** (${slower.join(', ')})` : 'not slower'),
    )
    lines.push('')
  }
  lines.push(
    `## Verdict (SQLite, after vs before; "not slower": req/s ratio ≥ ${NOT_SLOWER} and CPU per request ratio ≤ ${fixed(1 / NOT_SLOWER, 2)})`,
    '',
    ...verdicts,
    '',
  )
  return lines.join('\n')
}

export async function runReadsBench(argv: string[] = process.argv.slice(2)): Promise<string> {
  const options = readOptions(argv)
  const workDir = mkdtempSync('/tmp/sahifa-reads-')
  let pgUrl: string | null = null
  const cleanUp = async () => {
    await stopServers()
    await removeBefore().catch((error) =>
      process.stderr.write(`  could not remove ${BEFORE_DIR}: ${error}\n`),
    )
    // Also after a load that failed half-way.
    if (options.pg) await dropPostgres()
    rmSync(workDir, { recursive: true, force: true })
  }
  // Ctrl-C still ends the servers and removes the worktree.
  const onSignal = () => void cleanUp().finally(() => process.exit(130))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    process.stdout.write(`Read benchmark: ${options.articles} articles, before = ${options.before}\n`)
    const data = await sqliteData(options.articles, options.fresh)
    const [beforeDir, afterDir] = await Promise.all([buildBefore(options.before), buildAfter(workDir)])
    pgUrl = options.pg ? await loadPostgres(options.articles) : null

    const copy = (name: string) => {
      const path = join(workDir, `${name}.db`)
      copyFileSync(data, path)
      return path
    }
    const servers: Server[] = []
    const add = async (
      name: string,
      label: string,
      args: string[],
      cwd: string,
      env: (port: number) => Record<string, string>,
    ) => {
      const port = await freePort()
      const logPath = join(workDir, `${name}.log`)
      servers.push(startServer(name, label, args, { cwd, env: env(port), port, logPath }))
    }
    await add(
      'baseline',
      'baseline: Fastify + better-sqlite3',
      ['--import', 'tsx', 'bench/reads/baseline.ts'],
      root,
      (port) => ({
        DATABASE_URL: copy('baseline'),
        HOST: '127.0.0.1',
        PORT: String(port),
      }),
    )
    await add('before', `before (${options.before}), SQLite`, ['dist/server.js'], beforeDir, (port) =>
      sahifaEnv(copy('before'), port),
    )
    await add('after', 'after (working tree), SQLite', ['dist/server.js'], afterDir, (port) =>
      sahifaEnv(copy('after'), port),
    )
    if (pgUrl) {
      const url = pgUrl
      await add('after-pg', 'after (working tree), PostgreSQL', ['dist/server.js'], afterDir, (port) =>
        sahifaEnv(url, port),
      )
    }
    const list = targets(options.articles)
    await Promise.all(
      servers.map((server) => waitUntilReady(server, `http://127.0.0.1:${server.port}${list[0]?.path}`)),
    )
    await verify(servers, list)
    process.stdout.write(`  ${servers.length} servers up and answering alike; warming up\n`)

    for (const target of list) for (const server of servers) await measure(server, target, options.warmup)

    const samples = new Map<string, Sample[]>()
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round, so no server always runs first (or right after the same neighbour).
      const order = servers.map((_, i) => servers[(i + round) % servers.length] as Server)
      for (const target of list) {
        for (const server of order) {
          const sample = await measure(server, target, options.duration)
          const key = `${server.name} ${target.name}`
          samples.set(key, [...(samples.get(key) ?? []), sample])
          process.stdout.write(
            `  round ${round + 1}/${options.rounds} ${target.name.padEnd(8)} ${server.name.padEnd(9)} ` +
              `${Math.round(sample.reqPerSec).toString().padStart(6)} req/s  p99 ${sample.p99} ms` +
              `${sample.failures ? `  ${sample.failures} failed` : ''}\n`,
          )
        }
      }
    }
    const rss = new Map(servers.map((server) => [server.name, rssMiB(server.child.pid as number)]))

    const markdown = report(options, servers, list, samples, rss)
    const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
    mkdirSync(resultsDir, { recursive: true })
    const out = join(resultsDir, `reads-${options.articles}.md`)
    writeFileSync(out, markdown)
    process.stdout.write(`\n${markdown}\nWritten to ${out}\n`)
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
