/**
 * Request work in slices of the event loop's turns. libuv accepts one connection per turn (libuv#3696), and a turn
 * runs every request that is ready; with SQLite's synchronous statements, 32 busy connections made a turn of
 * 32 × 9 ms for a search, so the n-th new connection waited n such turns (seconds) for its first answer, and timers
 * (the scheduled go-live, the webhook worker) waited as long. Here a turn starts new requests only until SLICE_MS
 * of it have passed; the others wait, in the order they came, for the next turns. A turn then holds at most two
 * slices (its poll phase's and its check phase's), each overrun by one request at most. Nothing waits while the
 * server keeps up: a request that finds no queue starts at once.
 */
import type { FastifyInstance, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'

// Measured with wrk (docs/benchmarks.md): 1–2 ms keeps a new connection's first answer near everyone's, 10 ms
// does not; throughput is the same.
const SLICE_MS = 2

function turnSlices(sliceMs: number) {
  // When the open slice began, -1 when none is open. A slice closes in the check phase of the turn it opened in
  // (or of the next turn, when it opened there), so an idle loop never keeps a stale one.
  let sliceStart = -1
  let waiting = 0

  const closeSlice = () => {
    sliceStart = -1
  }
  const mayStart = () => {
    const now = performance.now()
    if (sliceStart < 0) {
      sliceStart = now
      setImmediate(closeSlice)
    }
    return now - sliceStart < sliceMs
  }
  // One immediate per waiting request, so that Node runs each one's promise chain (its synchronous statements)
  // before the next immediate asks the time. Immediates set during the check phase run in the next turn, after its
  // poll phase has accepted and read: those that found the slice spent go back in line, still ahead of newcomers.
  const retry = (start: () => void) => {
    if (!mayStart()) {
      setImmediate(retry, start)
      return
    }
    waiting -= 1
    start()
  }

  return {
    /** Runs `start` now, or in a later turn behind the requests already waiting. */
    admit(start: () => void): void {
      if (waiting === 0 && mayStart()) {
        start()
        return
      }
      waiting += 1
      setImmediate(retry, start)
    },
  }
}

export default fp(
  async function fairTurnsPlugin(app: FastifyInstance) {
    const slices = turnSlices(SLICE_MS)
    // The first onRequest hook of the app, so that waiting comes before any work: auth, the read cache, the route.
    app.addHook('onRequest', (_request, _reply, done: HookHandlerDoneFunction) => {
      slices.admit(done)
    })
  },
  { name: 'fair-turns' },
)
