/** The part of autocannon's programmatic API the read benchmark uses (the package ships no types). */
declare module 'autocannon' {
  interface Options {
    url: string
    connections?: number
    duration?: number
    workers?: number
    timeout?: number
    headers?: Record<string, string>
  }
  interface Histogram {
    average: number
    p50: number
    p99: number
    total: number
  }
  interface Result {
    latency: Histogram
    requests: Histogram & { sent: number }
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '3xx': number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
