/**
 * The load generator: wrk when it is installed (one thread, a Lua `done` callback printing its figures as
 * JSON), else autocannon in this process (one worker). Either way the same connections, duration and headers.
 */
import { execFile, execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import autocannon from 'autocannon'

const execFileAsync = promisify(execFile)

export interface LoadResult {
  requests: number
  seconds: number
  /** Milliseconds. */
  p50: number
  p99: number
  /** Answers with a status other than the one expected, connection errors and timeouts. */
  failures: number
}

export interface Load {
  /** What the report says about the tool. */
  name: string
  run(
    url: string,
    options: { connections: number; seconds: number; headers: Record<string, string> },
  ): Promise<LoadResult>
}

// Only a `done` callback: a `response` one would hand every answer to Lua and cost wrk more CPU than the servers'
// differences. wrk counts a status above 399 as an error (errors.status); the 304 target expects its 304.
const WRK_SCRIPT = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
`

function wrkLoad(path: string, workDir: string): Load {
  const script = join(workDir, 'bench.lua')
  writeFileSync(script, WRK_SCRIPT)
  return {
    name: `wrk (${path}), 1 thread`,
    async run(url, { connections, seconds, headers }) {
      const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script]
      for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`)
      const { stdout } = await execFileAsync(path, [...args, url], {
        timeout: (seconds + 30) * 1000,
        maxBuffer: 1 << 20,
      })
      const line = /^RESULT (.+)$/m.exec(stdout)?.[1]
      if (!line) throw new Error(`wrk printed no result:\n${stdout}`)
      const r = JSON.parse(line) as Record<string, number>
      const n = (key: string) => r[key] ?? 0
      return {
        requests: n('requests'),
        seconds: n('duration_us') / 1e6,
        p50: n('p50_us') / 1000,
        p99: n('p99_us') / 1000,
        failures: n('status') + n('connect') + n('read') + n('write') + n('timeout'),
      }
    },
  }
}

const autocannonLoad: Load = {
  name: 'autocannon, in the bench process, 1 worker',
  async run(url, { connections, seconds, headers }) {
    const result = await autocannon({ url, connections, workers: 1, duration: seconds, headers })
    // autocannon's non2xx counts a 304 as a failure; the 304 target asks for exactly that, so count 3xx apart.
    const not304 = headers['if-none-match'] === undefined ? result.non2xx : result.non2xx - result['3xx']
    return {
      requests: result.requests.total,
      seconds: result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failures: result.errors + result.timeouts + not304,
    }
  },
}

/** wrk from PATH when it runs, else autocannon; `prefer` forces one. */
export function chooseLoad(workDir: string, prefer?: string): Load {
  if (prefer === 'autocannon') return autocannonLoad
  try {
    const path = execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim()
    if (path) return wrkLoad(path, workDir)
  } catch {
    // Not installed.
  }
  if (prefer === 'wrk') throw new Error('--load wrk: wrk is not installed (apt-get install wrk)')
  return { ...autocannonLoad, name: `${autocannonLoad.name} (wrk is not installed)` }
}
