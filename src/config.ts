/** Configuration: read from the environment once, validated by zod, frozen. The only reader of process.env. */
import { z } from 'zod'

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

const positiveInt = z.coerce
  .number({ message: 'expected a number' })
  .int('expected a whole number')
  .positive()

const EnvSchema = z.object({
  PORT: z.coerce.number({ message: 'expected a number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  // A SQLite file (or file:…, :memory:), or postgres://… for PostgreSQL: the engine follows the URL.
  DATABASE_URL: z.string().min(1).default('./data/sahifa.db'),
  // Optional: what several nodes share beyond the database (rate-limit counters, the change signal).
  REDIS_URL: z
    .string()
    .refine((value) => /^rediss?:\/\/./.test(value) && URL.canParse(value), {
      message: 'expected a redis:// or rediss:// URL',
    })
    .optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters long').optional(),
  CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((value) =>
      value.trim() === '*'
        ? ('*' as const)
        : value
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean),
    )
    .refine((origins) => origins === '*' || origins.every((origin) => URL.canParse(origin)), {
      message: 'expected * or a comma-separated list of origins such as https://example.com',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COMMENTS_AUTO_APPROVE: booleanFromEnv.default(false),
  RATE_LIMIT_COMMENTS_PER_MINUTE: positiveInt.default(5),
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  CACHE_MAX_AGE_SECONDS: z.coerce.number({ message: 'expected a number' }).int().min(0).default(60),
  SEED_SAMPLE: booleanFromEnv.default(true),
  TRUST_PROXY: booleanFromEnv.default(false),
})

export type Config = Readonly<z.output<typeof EnvSchema>>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses the environment; a bad value throws a ConfigError naming every bad variable (never its value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as it does in most shells and compose files.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  )
  const result = EnvSchema.safeParse(present)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  return Object.freeze(result.data)
}
