/**
 * `npm run bench`: every benchmark scenario in turn: search (bench/search.ts), then reads (bench/reads.ts).
 * `npm run bench -- --only reads` (or `--only search`) runs one; other flags go to the scenarios as they are.
 * Each scenario is imported only when it runs, so one that does not load cannot stop the other.
 */
import { parseArgs } from 'node:util'

const { values } = parseArgs({ strict: false, options: { only: { type: 'string' } } })
const runs = (name: string) => values.only === undefined || values.only === name

if (runs('search')) {
  const { runSearchBench } = await import('./search.js')
  await runSearchBench()
}
if (runs('reads')) {
  const { runReadsBench } = await import('./reads.js')
  await runReadsBench()
}
