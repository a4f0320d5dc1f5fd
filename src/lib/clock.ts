/** The one source of "now" for services: tests move a clock instead of sleeping. */

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** Now as the API writes times: ISO-8601 UTC with milliseconds. */
export function isoNow(clock: Clock): string {
  return clock.now().toISOString()
}
