/**
 * The server as a real process (`node --import tsx src/server.ts`), for what only a process shows: start-up
 * refusals, timeouts on a real socket, the drain on SIGTERM. On 127.0.0.1, a port of its own, a fresh database of the
 * engine under test (a temporary SQLite file, or an empty PostgreSQL database); every wait is bounded, and the
 * child is killed when a test is done with it, passed or failed.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyDatabaseUrl, TEST_ENGINE } from './engine.js'

const ROOT = new URL('../..', import.meta.url).pathname

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ServerProcess {
  child: ChildProcess
  /** The folder the SQLite file (and the first admin token, by default) goes in. */
  folder: string
  databaseUrl: string
  port: number
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves when the process has exited (within `ms`, or rejects). */
  exited(ms?: number): Promise<Exit>
  /** SIGKILL unless already gone, then removes the folder. Safe to call twice. */
  kill(): Promise<void>
}

const running = new Set<ServerProcess>()

/** Kills every child still running: for an afterEach/afterAll, so a failed test leaves none behind. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.kill()))
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Starts the server; with `listen` (the default) waits until it says where it listens. Without, for a start that
 * must fail, `exited()` tells how. `given` may be made from the process's folder (for paths inside it).
 */
export async function spawnServer(
  given: Record<string, string> | ((folder: string) => Record<string, string>) = {},
  { listen = true, startMs = 30_000 }: { listen?: boolean; startMs?: number } = {},
): Promise<ServerProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'sahifa-process-'))
  const env = typeof given === 'function' ? given(folder) : given
  const databaseUrl =
    env.DATABASE_URL ?? (TEST_ENGINE === 'pg' ? await emptyDatabaseUrl() : join(folder, 'sahifa.db'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    // Only what the server needs: nothing of this process's own configuration leaks in.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? folder,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SEED_SAMPLE: 'false',
      DRAIN_DELAY_MS: '0',
      DATABASE_URL: databaseUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk
  })
  const exit = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  const server: ServerProcess = {
    child,
    folder,
    databaseUrl,
    port: 0,
    stdout: () => out,
    stderr: () => err,
    exited: (ms = 20_000) => withTimeout(exit, ms, 'waiting for the server to exit'),
    async kill() {
      running.delete(server)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await withTimeout(exit, 10_000, 'waiting for the killed server').catch(() => {})
      rmSync(folder, { recursive: true, force: true })
    },
  }
  running.add(server)
  if (!listen) return server

  const listening = new Promise<number>((resolve, reject) => {
    const look = () => {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (match) resolve(Number(match[1]))
    }
    child.stdout?.on('data', look)
    exit.then(({ code }) => reject(new Error(`the server exited (${code}) before listening:\n${err}`)))
  })
  try {
    server.port = await withTimeout(listening, startMs, 'waiting for the server to listen')
  } catch (error) {
    await server.kill()
    throw error
  }
  return server
}

/** A raw TCP connection to the server, keeping what it receives and how it ended. */
export interface RawConnection {
  socket: Socket
  received(): string
  /** How the connection ended: `end` (the server closed it cleanly), or the error (ECONNRESET…). */
  ended: Promise<'end' | Error>
  /** Resolves once `pattern` is in what was received (within `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<string>
}

export function openConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let data = ''
    const waiters: (() => void)[] = []
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      data += chunk
      for (const wake of waiters.splice(0)) wake()
    })
    const ended = new Promise<'end' | Error>((done) => {
      socket.once('error', (error) => done(error))
      socket.once('end', () => done('end'))
      socket.once('close', () => done('end'))
    })
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => data,
        ended,
        waitFor(pattern, ms = 10_000) {
          const check = (settle: (value: string) => void) => {
            const match = pattern.exec(data)
            if (match) settle(match[0])
            return match !== null
          }
          return withTimeout(
            new Promise<string>((settle) => {
              const again = () => {
                if (!check(settle)) waiters.push(again)
              }
              again()
            }),
            ms,
            `waiting for ${pattern}`,
          )
        },
      }),
    )
    socket.once('error', reject)
  })
}

/** One HTTP/1.1 answer parsed from raw bytes: status, headers (lower-case), body as declared by Content-Length. */
export function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const split = text.indexOf('\r\n\r\n')
  if (split < 0) throw new Error(`no complete head in ${JSON.stringify(text.slice(0, 200))}`)
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n')
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]
    }),
  )
  const length = Number(headers['content-length'] ?? 0)
  const body = Buffer.from(text.slice(split + 4), 'utf8')
    .subarray(0, length)
    .toString('utf8')
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
