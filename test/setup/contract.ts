/** Runs around every test file: a test whose answers broke the OpenAPI document fails; the counts are kept. */

import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { afterAll, afterEach } from 'vitest'
import { ContractError, contractCounts, takeContractFailures } from '../helpers/contract.js'
import { CONTRACT_COUNTS_DIR } from './global.js'

afterEach(() => {
  const failures = takeContractFailures()
  if (failures.length > 0) throw new ContractError(failures)
})

afterAll(() => {
  const counts = contractCounts()
  if (counts.validated + counts.rejected + counts.skipped === 0) return
  // A nested run (test/contract.test.ts) keeps its counts apart from the suite's.
  const dir = process.env.CONTRACT_COUNTS_DIR ?? CONTRACT_COUNTS_DIR
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}/${randomUUID()}.json`, JSON.stringify(counts))
})
