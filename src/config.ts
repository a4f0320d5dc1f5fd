/** Configuration: read from the environment once, validated by zod, frozen. The only reader of process.env. */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { z } from 'zod'

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

const positiveInt = z.coerce
  .number({ message: 'expected a number' })
  .int('expected a whole number')
  .positive()

// The bearer alphabet the auth plugin accepts (RFC 6750's b64token, without the trailing `=`).
const TOKEN_ALPHABET = /^[A-Za-z0-9\-_.~+/]+$/
// Examples copied from docs and compose files: a server must not start with a token everyone has read.
const PLACEHOLDER =
  /change[-_.]?me|replace[-_.]?me|placeholder|your[-_.]?(admin[-_.]?)?token|something[-_.]?long/i

/** An admin secret: long enough not to be guessed, in the alphabet a bearer header can carry, no placeholder. */
export const AdminTokenSchema = z
  .string()
  .min(32, 'must be at least 32 characters long')
  .regex(TOKEN_ALPHABET, 'may contain only A–Z a–z 0–9 and - _ . ~ + /')
  .refine((token) => !PLACEHOLDER.test(token), {
    message: 'is a placeholder from an example; generate one, e.g. with `openssl rand -hex 32`',
  })

/** One proxy for TRUST_PROXY: an IPv4 or IPv6 address, optionally with a CIDR prefix length. */
function isProxyAddress(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
}

// `false` (the client is the socket's peer) or the proxies whose X-Forwarded-For hops are believed. Believing
// every hop would let any client choose its own address, so the boolean that means that is refused.
const TrustProxySchema = z.string().transform((value, ctx): false | readonly string[] => {
  const trimmed = value.trim().toLowerCase()
  if (['false', '0', 'no'].includes(trimmed)) return false
  if (['true', '1', 'yes'].includes(trimmed)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'refused: believing every X-Forwarded-For hop lets any client choose its own IP; ' +
        "list the proxies' addresses or CIDR ranges instead",
    })
    return z.NEVER
  }
  const proxies = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (proxies.length === 0 || !proxies.every(isProxyAddress)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected false, or a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8)',
    })
    return z.NEVER
  }
  return Object.freeze(proxies)
})

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
  ADMIN_TOKEN: AdminTokenSchema.optional(),
  // A file holding ADMIN_TOKEN (a Docker or Kubernetes secret), read by loadConfig.
  ADMIN_TOKEN_FILE: z.string().min(1).optional(),
  // Where the first admin token is written (mode 0600); default: beside the SQLite file, else ./data.
  ADMIN_TOKEN_OUTPUT: z.string().min(1).optional(),
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
  TRUST_PROXY: TrustProxySchema.default(false),
  // The whole request must arrive within this; its headers within 10 s (http-options.ts).
  REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  RATE_LIMIT_BAD_TOKENS_PER_MINUTE: positiveInt.default(30),
  DOCS_ENABLED: booleanFromEnv.default(true),
  // After SIGTERM, /health answers 503 "draining" this long while everything is still served.
  DRAIN_DELAY_MS: z.coerce.number({ message: 'expected a number' }).int().min(0).default(5000),
  // SQLite's PRAGMA synchronous: normal survives a crash of the process, full also a power loss.
  DB_SYNCHRONOUS: z.enum(['normal', 'full'], { message: 'expected normal or full' }).default('normal'),
  // Revisions kept per article; the oldest beyond this are pruned as new ones are stored.
  REVISIONS_KEEP: positiveInt.default(50),
  // Memory for cached public answers (plugins/read-cache.ts); 0 turns the cache off.
  READ_CACHE_MB: z.coerce.number({ message: 'expected a number' }).min(0).max(65_536).default(64),
  // Encrypts secrets at rest (webhook signing secrets); needed before the first webhook is created.
  SECRET_KEY: z
    .string()
    .min(32, 'must be at least 32 characters long, e.g. `openssl rand -base64 32`')
    .refine((key) => !PLACEHOLDER.test(key), { message: 'is a placeholder from an example; generate one' })
    .optional(),
  // Development and tests only: webhooks may then use http:// and private, loopback or link-local addresses.
  WEBHOOKS_ALLOW_PRIVATE: booleanFromEnv.default(false),
  // How often the webhook worker looks for due deliveries and scheduled articles whose time has come.
  WEBHOOKS_POLL_MS: positiveInt.default(1000),
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
  const fileLines = readAdminTokenFile(present)
  const result = EnvSchema.safeParse(present)
  const lines = [
    ...fileLines,
    ...(result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
  ]
  if (!result.success || lines.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  return Object.freeze(result.data)
}

/** ADMIN_TOKEN_FILE: its content (trimmed) becomes ADMIN_TOKEN; the problems found, naming the variable. */
function readAdminTokenFile(present: Record<string, string | undefined>): string[] {
  const path = present.ADMIN_TOKEN_FILE
  if (path === undefined) return []
  if (present.ADMIN_TOKEN !== undefined)
    return ['ADMIN_TOKEN_FILE: set ADMIN_TOKEN or ADMIN_TOKEN_FILE, not both']
  let token: string
  try {
    token = readFileSync(path, 'utf8').trim()
  } catch {
    return ['ADMIN_TOKEN_FILE: the file cannot be read']
  }
  const checked = AdminTokenSchema.safeParse(token)
  if (!checked.success)
    return checked.error.issues.map((issue) => `ADMIN_TOKEN_FILE: the token ${issue.message}`)
  present.ADMIN_TOKEN = token
  return []
}
