#!/usr/bin/env node
/**
 * `npm run import:wxr -- <export.xml> [--dry-run] [--json]`, or the `sahifa-import-wxr` bin: imports a WordPress
 * export into the database DATABASE_URL names, through the same services as the API. The report goes to stdout
 * (`--json` for scripts), the progress bar to stderr when it is a terminal. Exit 0 when the whole file was read,
 * 1 when the import stopped early (not WXR, broken XML: what came before is imported), 2 on a usage error.
 */
import { createReadStream, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { pino } from 'pino'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/open.js'
import { createLogger } from '../logger.js'
import { formatReport } from '../modules/imports/imports.report.js'
import { createServices } from '../services.js'

const USAGE = 'Usage: sahifa-import-wxr <export.xml> [--dry-run] [--json]'

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`)
  process.exit(2)
}

function readArgs() {
  try {
    return parseArgs({
      options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      allowPositionals: true,
    })
  } catch (error) {
    return usage((error as Error).message)
  }
}

const args = readArgs()
if (args.values.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
const [file, ...extra] = args.positionals
if (!file || extra.length > 0) usage(file ? 'Give one export file.' : 'Which export file?')
let size: number
try {
  const stat = statSync(file)
  if (!stat.isFile()) usage(`${file} is not a file.`)
  size = stat.size
} catch {
  usage(`${file} cannot be read.`)
}

const config = loadConfig()
const database = await openDatabase(config.DATABASE_URL)
await database.migrate()
// Log lines (a Redis outage, say) go to stderr: stdout is the report's.
const services = await createServices({ database, config, logger: createLogger(config, pino.destination(2)) })
await services.search.rebuildIfNeeded()

const bar = process.stderr.isTTY
  ? new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: '{bar} {percentage}% | {done}/{seen} items | {rate} items/s | {duration_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    )
  : null
const started = Date.now()
bar?.start(size, 0, { done: 0, seen: 0, rate: '0' })

try {
  const report = await services.imports.importWxr(createReadStream(file), {
    dryRun: args.values['dry-run'] ?? false,
    onProgress: (progress) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001)
      bar?.update(progress.bytesRead, {
        done: progress.itemsDone,
        seen: progress.itemsSeen,
        rate: (progress.itemsDone / seconds).toFixed(0),
      })
    },
  })
  bar?.update(size)
  bar?.stop()
  process.stdout.write(
    args.values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
  )
  if (report.error) {
    if (args.values.json) process.stderr.write(`Stopped: ${report.error.message}\n`)
    process.exitCode = 1
  }
} catch (error) {
  bar?.stop()
  // Never the driver's message: it may quote the values of a failed query (commenters' e-mail addresses).
  const { name, cause } = (error ?? {}) as { name?: string; cause?: { code?: string } }
  process.stderr.write(`The import failed: ${name ?? 'error'}${cause?.code ? ` (${cause.code})` : ''}\n`)
  process.exitCode = 1
} finally {
  await services.close()
  await database.close()
}
