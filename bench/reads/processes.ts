/** Child processes for the read benchmark: bounded commands, servers on 127.0.0.1, and what /proc says of them. */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** Runs a command to completion, failing after `timeoutMs`; its output is shown only when it fails. */
export async function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<void> {
  try {
    await execFileAsync(command, args, {
      cwd,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 << 20,
    })
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`.trim())
  }
}

/** A port the kernel has just handed out on 127.0.0.1 (released at once, so the server can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

export interface Server {
  name: string
  label: string
  port: number
  child: ChildProcess
  logPath: string
  exited: boolean
}

const started: Server[] = []

/**
 * One CPU for the server under load and another for the load generator, when there are two and taskset is here.
 * Unpinned on two cores, the scheduler now and then puts wrk, or one of the server's own threads (GC, libuv),
 * on the core the server's event loop runs on: every server, the bare baseline too, then shows a p99 of 100 to
 * 500 ms over a p50 of 15 to 40 ms. Pinned, the tail is the server's own.
 */
export const pinning: { server: string; load: string } | null = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
  } catch {
    return null
  }
  return availableParallelism() >= 2 ? { server: '0', load: '1' } : null
})()

/** Starts `node args…` itself (no shell or npx in between), so the child's pid is the server's. */
export function startServer(
  name: string,
  label: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; port: number; logPath: string },
): Server {
  const log = openSync(options.logPath, 'w')
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', log, log],
  })
  closeSync(log)
  // Every thread, so the server's GC and libuv threads stay off the load generator's CPU.
  if (pinning && child.pid !== undefined)
    execFileSync('taskset', ['-a', '-p', '-c', pinning.server, String(child.pid)], { stdio: 'ignore' })
  const server: Server = { name, label, port: options.port, child, logPath: options.logPath, exited: false }
  child.once('exit', () => {
    server.exited = true
  })
  started.push(server)
  return server
}

/** Waits until `url` answers 200, for at most `timeoutMs`; a server that exits or never answers throws. */
export async function waitUntilReady(server: Server, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exited) break
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    await sleep(200)
  }
  const log = readFileSync(server.logPath, 'utf8').slice(-2_000)
  throw new Error(`${server.label} did not come up (${server.exited ? 'exited' : 'timed out'}):\n${log}`)
}

/**
 * Stops (SIGSTOP) every server started here but `server`, and lets `server` run. The servers share one CPU; an
 * idle one is not idle to V8, whose memory reducer runs a full mark-compact some seconds after its load ended, in
 * steps of up to 23 ms (--trace-gc), on the CPU the measured server needs: the measured server's p99 then carried
 * its neighbour's garbage collection.
 */
export function runAlone(server: Server): void {
  for (const other of started) {
    if (!other.exited) other.child.kill(other === server ? 'SIGCONT' : 'SIGSTOP')
  }
}

/** Ends every server started here: SIGTERM, then SIGKILL for any still running after 5 s. */
export async function stopServers(): Promise<void> {
  const running = started.splice(0).filter((server) => !server.exited)
  // A stopped process would keep SIGTERM pending.
  for (const server of running) server.child.kill('SIGCONT')
  for (const server of running) server.child.kill('SIGTERM')
  const deadline = Date.now() + 5_000
  while (running.some((server) => !server.exited) && Date.now() < deadline) await sleep(50)
  for (const server of running) if (!server.exited) server.child.kill('SIGKILL')
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100
  } catch {
    return 100
  }
})()

/** User plus system CPU seconds the process has used (/proc/<pid>/stat, fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces: count from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/**
 * A CPU's time so far in clock ticks (/proc/stat): all of it, and what the hypervisor stole (time the CPU was
 * ready to run but the VM was not given the core). Stolen time on the server's CPU stalls its event loop whatever
 * the server does, so the bench shows it beside each tail.
 */
export function cpuTicks(cpu: string): { total: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(`cpu${cpu} `))
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number)
  return { total: ticks.reduce((sum, t) => sum + t, 0), steal: ticks[7] ?? Number.NaN }
}

/** Resident memory in MiB (/proc/<pid>/status): now (VmRSS) and at its peak so far (VmHWM). */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
    return match ? Number(match[1]) / 1024 : Number.NaN
  }
  return { rss: field('VmRSS'), peak: field('VmHWM') }
}
