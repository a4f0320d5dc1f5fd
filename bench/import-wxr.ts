/**
 * `npm run bench:import -- [--posts 20000] [--engine sqlite|pg] [--parse-only]`: generates an export of that many
 * posts (bench/.data, once) and imports it into a new database, then prints the time, the rows and the peak RSS
 * of this process, which does nothing else. `--parse-only` reads the file with the reader alone (saxes).
 */
import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import { createLogger } from '../src/logger.js'
import { readWxr } from '../src/modules/imports/wxr.reader.js'
import { createServices } from '../src/services.js'
import { generateWxr } from './wxr/generate.js'

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '20000' },
    engine: { type: 'string', default: 'sqlite' },
    'parse-only': { type: 'boolean', default: false },
  },
})
const posts = Number(values.posts)
const file = `bench/.data/wxr-${posts}.xml`
mkdirSync('bench/.data', { recursive: true })
if (!existsSync(file)) {
  const started = Date.now()
  await generateWxr(file, { posts })
  console.log(`generated ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
console.log(`export: ${mib(statSync(file).size)}, ${posts} posts`)

const started = Date.now()
if (values['parse-only']) {
  const stats = { bytesRead: 0, dropped: 0, itemsSeen: 0 }
  for await (const _ of readWxr(createReadStream(file), stats)) {
    // Reading only.
  }
  console.log(`parsed ${stats.itemsSeen} items in ${((Date.now() - started) / 1000).toFixed(1)} s`)
} else {
  let url = 'bench/.data/import.db'
  if (values.engine === 'pg') {
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' })
    await admin.connect()
    await admin.query('DROP DATABASE IF EXISTS sahifa_bench_import')
    await admin.query('CREATE DATABASE sahifa_bench_import')
    await admin.end()
    url = 'postgres://postgres@127.0.0.1:5432/sahifa_bench_import'
  } else for (const suffix of ['', '-wal', '-shm']) rmSync(`${url}${suffix}`, { force: true })
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' })
  const database = await openDatabase(url)
  await database.migrate()
  const services = await createServices({ database, config, logger: createLogger(config) })
  let last = 0
  const report = await services.imports.importWxr(createReadStream(file), {
    onProgress: ({ itemsDone }) => {
      if (itemsDone - last < 5000) return
      last = itemsDone
      console.log(
        `  ${itemsDone} items, ${((Date.now() - started) / 1000).toFixed(0)} s, RSS ${mib(process.memoryUsage.rss())}`,
      )
    },
  })
  const seconds = (Date.now() - started) / 1000
  const { post, comment, term, attachment } = report.counts
  console.log(
    `imported into ${database.engine} in ${seconds.toFixed(1)} s (${(report.items / seconds).toFixed(0)} items/s): ` +
      `${post.created} posts, ${comment.created} comments (${comment.skipped} skipped), ${term.created} terms, ` +
      `${attachment.skipped} attachments, ${report.coverImagesResolved} covers set in the second pass`,
  )
  await services.close()
  await database.close()
}
// maxRSS is in KiB: the high-water mark of this whole process.
console.log(`peak RSS: ${mib(process.resourceUsage().maxRSS * 1024)}`)
