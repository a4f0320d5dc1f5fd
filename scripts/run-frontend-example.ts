/**
 * npm run test:client: regenerates the example's types from openapi/openapi.json, type-checks it, and runs it
 * against the real server on a temporary database. A renamed field fails at tsc; a wrong answer at run time.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { startServer } from '../test/helpers/server.js'

/** What this script reads of the example's result; the example itself is type-checked by its own tsconfig. */
interface ExampleResult {
  latest: { slug: string; title: string }[]
  article: { id: number; slug: string; title: string; html: string }
  related: { relation: string }[]
  comments: { articleId: number }[]
  posted: { id: number; status: string }
  refused: Record<string, string>
}

const ARABIC = /\p{Script=Arabic}/u

function step(title: string, command: string[]): void {
  console.log(`\n▶ ${title}: ${command.join(' ')}`)
  try {
    execFileSync(command[0] as string, command.slice(1), { stdio: 'inherit' })
  } catch {
    console.error(`\n✖ The frontend example: ${title} failed`)
    process.exit(1)
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`The frontend example: ${message}`)
}

step('types', ['npm', 'run', '--silent', 'client:types'])
step('type-check', ['npx', 'tsc', '--noEmit', '-p', 'examples/frontend'])

const seeded = JSON.parse(readFileSync(new URL('../seeds/content.json', import.meta.url), 'utf8')) as {
  articles: { title: string }[]
}
const seededArabicTitles = new Set(
  seeded.articles.map((article) => article.title).filter((t) => ARABIC.test(t)),
)

const server = await startServer()
try {
  console.log(`\n▶ run: examples/frontend/src/main.ts against ${server.baseUrl} (a temporary database)\n`)
  // Loaded by path so that the root tsconfig leaves the example to its own.
  const example = (await import(new URL('../examples/frontend/src/main.ts', import.meta.url).href)) as {
    main(baseUrl: string): Promise<ExampleResult>
  }
  const result = await example.main(server.baseUrl)

  check(result.latest.length > 0, 'the front page is empty')
  check(ARABIC.test(result.article.slug), `it opened ${result.article.slug}, not an Arabic slug`)
  check(
    seededArabicTitles.has(result.article.title),
    `it opened "${result.article.title}", not a seeded article`,
  )
  check(result.article.html.length > 0, 'the article has no HTML')
  check(
    result.related.every((item) => item.relation === 'manual' || item.relation === 'tags'),
    'a related article has no relation',
  )
  check(
    result.comments.every((comment) => comment.articleId === result.article.id),
    'a listed comment belongs to another article',
  )
  check(result.posted.status === 'pending', `the new comment is ${result.posted.status}, not pending`)
  check('authorEmail' in result.refused, 'the refused form does not name authorEmail')
  check(!JSON.stringify(result.refused).includes('not-an-address'), 'the problem repeats the sent address')
  console.log(`\n✔ The frontend example ran against the API: it opened /${result.article.slug}`)
} catch (error) {
  console.error(`\n✖ ${(error as Error).stack ?? error}`)
  process.exitCode = 1
} finally {
  await server.close()
}
