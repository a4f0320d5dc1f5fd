/**
 * V8 flags the server runs with, set before it serves (server.ts imports this first).
 *
 * Allocation-site pretenuring off: V8 watches where objects are allocated and, when most of a site's objects
 * outlive a young collection, allocates that site's objects in the old generation from then on. One burst of
 * slow requests (a cold node's first misses, 32 at once) was enough for it to decide that request objects live
 * long; for minutes afterwards a fifth of each young collection survived into the old generation, a scavenge took
 * 15 ms instead of 0.5 ms and a full collection ran every 1.5 s, so cached answers' p99 stayed at 20–25 ms instead
 * of 5 ms (docs/benchmarks.md). Its cost: the few objects that do live long (the read cache's entries) are copied
 * once more on their way to the old generation.
 */
import v8 from 'node:v8'

v8.setFlagsFromString('--no-allocation-site-pretenuring')
