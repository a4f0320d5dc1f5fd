/** Once per `npm test`: sums the answers every test file checked against the OpenAPI document. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

export const CONTRACT_COUNTS_DIR = 'test-results/contract-counts'
export const CONTRACT_COUNT_FILE = 'test-results/contract-count.txt'

export function setup(): void {
  rmSync(CONTRACT_COUNTS_DIR, { recursive: true, force: true })
  rmSync(CONTRACT_COUNT_FILE, { force: true })
}

export function teardown(): void {
  const total = { validated: 0, rejected: 0, skipped: 0 }
  let files = 0
  const names = existsSync(CONTRACT_COUNTS_DIR) ? readdirSync(CONTRACT_COUNTS_DIR) : []
  for (const name of names) {
    const counts = JSON.parse(readFileSync(`${CONTRACT_COUNTS_DIR}/${name}`, 'utf8'))
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += counts[key]
    files += 1
  }
  rmSync(CONTRACT_COUNTS_DIR, { recursive: true, force: true })
  mkdirSync('test-results', { recursive: true })
  const lines = [
    `${total.validated} responses validated against the OpenAPI document (status, content type, body), in ${files} test files`,
    `${total.rejected} rejected (failing their tests, or on purpose in test/contract.test.ts)`,
    `${total.skipped} answers of routes hidden from the document (Swagger UI, CORS preflight) not checked`,
  ]
  writeFileSync(CONTRACT_COUNT_FILE, `${lines.join('\n')}\n`)
}
