/** The pino logger: request ids, redacted secrets and e-mails, no bodies, no client addresses. */
import { type DestinationStream, type Logger, pino } from 'pino'
import type { Config } from './config.js'

// Paths pino blanks out wherever they appear in a log object. Bodies are never logged at all (see serializers).
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'authorEmail',
  '*.authorEmail',
  'email',
  '*.email',
  'clientIp',
  '*.clientIp',
]

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        // The client address is personal data kept for comment moderation only; it stays out of the logs.
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  )
}
