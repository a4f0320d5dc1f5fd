/** loadConfig: the defaults of every variable in the contract's Operations section, and errors that name it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'

const A_TOKEN = 'Zk3-q9_Tn.w~R+7/xP2mL8vB4cY6hJ0sD'

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('loadConfig accepted a bad value')
}

describe('loadConfig', () => {
  it('gives every variable its documented default', () => {
    const config = loadConfig({})
    expect(config).toEqual({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE_URL: './data/sahifa.db',
      CORS_ORIGINS: '*',
      LOG_LEVEL: 'info',
      COMMENTS_AUTO_APPROVE: false,
      // The contract leaves these two defaults to us.
      RATE_LIMIT_COMMENTS_PER_MINUTE: 5,
      BODY_LIMIT_BYTES: 1024 * 1024,
      CACHE_MAX_AGE_SECONDS: 60,
      SEED_SAMPLE: true,
      TRUST_PROXY: false,
      REQUEST_TIMEOUT_MS: 30_000,
      RATE_LIMIT_BAD_TOKENS_PER_MINUTE: 30,
      DOCS_ENABLED: true,
      DRAIN_DELAY_MS: 5000,
      DB_SYNCHRONOUS: 'normal',
      REVISIONS_KEEP: 50,
      READ_CACHE_MB: 64,
      WEBHOOKS_ALLOW_PRIVATE: false,
      WEBHOOKS_POLL_MS: 1000,
    })
    expect(config.ADMIN_TOKEN).toBeUndefined()
    expect(config.SECRET_KEY).toBeUndefined()
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: '/var/lib/sahifa/db.sqlite',
      ADMIN_TOKEN: A_TOKEN,
      ADMIN_TOKEN_OUTPUT: '/run/sahifa/first-token.txt',
      CORS_ORIGINS: 'https://news.example, https://admin.example',
      LOG_LEVEL: 'debug',
      COMMENTS_AUTO_APPROVE: 'true',
      RATE_LIMIT_COMMENTS_PER_MINUTE: '10',
      BODY_LIMIT_BYTES: '2048',
      CACHE_MAX_AGE_SECONDS: '0',
      SEED_SAMPLE: 'false',
      TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,fd00::/8',
      REQUEST_TIMEOUT_MS: '5000',
      RATE_LIMIT_BAD_TOKENS_PER_MINUTE: '7',
      DOCS_ENABLED: 'false',
      DRAIN_DELAY_MS: '0',
      DB_SYNCHRONOUS: 'full',
      REVISIONS_KEEP: '7',
      READ_CACHE_MB: '0.5',
      SECRET_KEY: 'k7Qv2nX9pL4rT8wZ1cF6hJ3mB5dG0sYe',
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      WEBHOOKS_POLL_MS: '250',
    })
    expect(config).toEqual({
      PORT: 8080,
      HOST: '0.0.0.0',
      DATABASE_URL: '/var/lib/sahifa/db.sqlite',
      ADMIN_TOKEN: A_TOKEN,
      ADMIN_TOKEN_OUTPUT: '/run/sahifa/first-token.txt',
      CORS_ORIGINS: ['https://news.example', 'https://admin.example'],
      LOG_LEVEL: 'debug',
      COMMENTS_AUTO_APPROVE: true,
      RATE_LIMIT_COMMENTS_PER_MINUTE: 10,
      BODY_LIMIT_BYTES: 2048,
      CACHE_MAX_AGE_SECONDS: 0,
      SEED_SAMPLE: false,
      TRUST_PROXY: ['10.0.0.1', '192.168.0.0/16', 'fd00::/8'],
      REQUEST_TIMEOUT_MS: 5000,
      RATE_LIMIT_BAD_TOKENS_PER_MINUTE: 7,
      DOCS_ENABLED: false,
      DRAIN_DELAY_MS: 0,
      DB_SYNCHRONOUS: 'full',
      REVISIONS_KEEP: 7,
      READ_CACHE_MB: 0.5,
      SECRET_KEY: 'k7Qv2nX9pL4rT8wZ1cF6hJ3mB5dG0sYe',
      WEBHOOKS_ALLOW_PRIVATE: true,
      WEBHOOKS_POLL_MS: 250,
    })
  })

  it('refuses a short or placeholder SECRET_KEY, naming the variable and never its value', () => {
    for (const SECRET_KEY of ['too-short', 'change-me-change-me-change-me-change-me']) {
      const error = configError({ SECRET_KEY })
      expect(error.message).toContain('SECRET_KEY')
      expect(error.message).not.toContain(SECRET_KEY)
    }
  })

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', ADMIN_TOKEN: '' })
    expect(config.PORT).toBe(3000)
    expect(config.ADMIN_TOKEN).toBeUndefined()
  })

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toHaveProperty('PATH')
  })

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['COMMENTS_AUTO_APPROVE', 'maybe'],
    ['SEED_SAMPLE', 'sure'],
    ['TRUST_PROXY', 'perhaps'],
    ['CORS_ORIGINS', 'not a url'],
    ['CORS_ORIGINS', 'https://ok.example,nonsense'],
    ['BODY_LIMIT_BYTES', '-1'],
    ['BODY_LIMIT_BYTES', 'lots'],
    ['RATE_LIMIT_COMMENTS_PER_MINUTE', '0'],
    ['RATE_LIMIT_COMMENTS_PER_MINUTE', 'fast'],
    ['CACHE_MAX_AGE_SECONDS', '-5'],
    ['CACHE_MAX_AGE_SECONDS', 'forever'],
    ['LOG_LEVEL', 'loud'],
    ['REVISIONS_KEEP', '0'],
    ['READ_CACHE_MB', '-1'],
    ['READ_CACHE_MB', 'lots'],
    ['REVISIONS_KEEP', 'all'],
    ['ADMIN_TOKEN', 'short'],
    ['ADMIN_TOKEN', 'only-31-characters-long-0123456'],
    // Outside the bearer alphabet: accepted by the old rule, yet no Authorization header could carry it.
    ['ADMIN_TOKEN', 'a-long-enough-token-with-a-bang!-and$dollar'],
    ['ADMIN_TOKEN', 'a token with spaces in it, long enough to pass'],
    // Placeholders: the old README's example and its kin.
    ['ADMIN_TOKEN', 'change-me-to-something-long'],
    ['ADMIN_TOKEN', 'CHANGE_ME_0123456789abcdef0123456789'],
    ['ADMIN_TOKEN', 'replace-me-with-a-real-secret-0123456789'],
    ['ADMIN_TOKEN', 'your-admin-token-goes-here-0123456789'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '1'],
    ['TRUST_PROXY', '2'],
    ['TRUST_PROXY', 'loopback'],
    ['TRUST_PROXY', '10.0.0.1,proxy.internal'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '::1/129'],
    ['TRUST_PROXY', '10.0.0.1/8/8'],
    ['TRUST_PROXY', ' , '],
    ['REQUEST_TIMEOUT_MS', '0'],
    ['REQUEST_TIMEOUT_MS', 'slow'],
    ['RATE_LIMIT_BAD_TOKENS_PER_MINUTE', '0'],
    ['RATE_LIMIT_BAD_TOKENS_PER_MINUTE', 'many'],
    ['DOCS_ENABLED', 'public'],
    ['DRAIN_DELAY_MS', '-1'],
    ['DRAIN_DELAY_MS', 'soon'],
    ['DB_SYNCHRONOUS', 'off'],
    ['DB_SYNCHRONOUS', 'extra'],
  ])('rejects %s=%s naming the variable, never its value', (name, value) => {
    const error = configError({ [name]: value })
    expect(error.message).toContain(name)
    expect(error.message).not.toContain(value)
  })

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', TRUST_PROXY: 'perhaps' })
    for (const name of ['PORT', 'LOG_LEVEL', 'TRUST_PROXY']) expect(error.message).toContain(name)
    expect(error.message).not.toContain('HOST')
  })
})

describe('TRUST_PROXY', () => {
  it('means the socket address when false, 0 or no', () => {
    for (const value of ['false', '0', 'no', 'FALSE']) {
      expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toBe(false)
    }
  })

  it('refuses true, saying why and naming the variable', () => {
    const error = configError({ TRUST_PROXY: 'true' })
    expect(error.message).toMatch(/^ {2}TRUST_PROXY: refused: .*any client choose its own IP/m)
  })

  it('keeps a list of addresses and CIDR ranges, IPv4 and IPv6, frozen', () => {
    const { TRUST_PROXY } = loadConfig({ TRUST_PROXY: '127.0.0.1,::1, 10.0.0.0/8 , 2001:db8::/32' })
    expect(TRUST_PROXY).toEqual(['127.0.0.1', '::1', '10.0.0.0/8', '2001:db8::/32'])
    expect(Object.isFrozen(TRUST_PROXY)).toBe(true)
  })
})

describe('ADMIN_TOKEN and ADMIN_TOKEN_FILE', () => {
  const folder = mkdtempSync(join(tmpdir(), 'sahifa-config-'))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))
  const file = (name: string, content: string) => {
    const path = join(folder, name)
    writeFileSync(path, content)
    return path
  }

  it('accepts 32 characters of the whole token alphabet', () => {
    const token = 'AZaz09-_.~+/AZaz09-_.~+/AZaz09-_'
    expect(token).toHaveLength(32)
    expect(loadConfig({ ADMIN_TOKEN: token }).ADMIN_TOKEN).toBe(token)
  })

  it('reads the token from ADMIN_TOKEN_FILE, without the trailing newline', () => {
    const config = loadConfig({ ADMIN_TOKEN_FILE: file('token', `${A_TOKEN}\n`) })
    expect(config.ADMIN_TOKEN).toBe(A_TOKEN)
  })

  it.each([
    ['a short token', 'short-token\n', 'at least 32 characters'],
    ['a placeholder', 'change-me-to-something-long-0123456789\n', 'placeholder'],
    ['characters outside the alphabet', `${A_TOKEN}!$\n`, 'may contain only'],
    ['nothing', '', 'at least 32 characters'],
  ])('refuses a file holding %s, naming ADMIN_TOKEN_FILE and never the content', (what, content, message) => {
    const error = configError({ ADMIN_TOKEN_FILE: file(what.replaceAll(' ', '-'), content) })
    expect(error.message).toContain('ADMIN_TOKEN_FILE: the token')
    expect(error.message).toContain(message)
    if (content.trim()) expect(error.message).not.toContain(content.trim())
  })

  it('refuses a file that cannot be read, naming the variable', () => {
    const error = configError({ ADMIN_TOKEN_FILE: join(folder, 'missing') })
    expect(error.message).toContain('ADMIN_TOKEN_FILE: the file cannot be read')
  })

  it('refuses ADMIN_TOKEN and ADMIN_TOKEN_FILE together', () => {
    const error = configError({ ADMIN_TOKEN: A_TOKEN, ADMIN_TOKEN_FILE: file('both', A_TOKEN) })
    expect(error.message).toContain('ADMIN_TOKEN_FILE: set ADMIN_TOKEN or ADMIN_TOKEN_FILE, not both')
    expect(error.message).not.toContain(A_TOKEN)
  })

  it('keeps accepting the test helpers’ token', async () => {
    const { ADMIN_TOKEN } = await import('./helpers/app.js')
    expect(loadConfig({ ADMIN_TOKEN }).ADMIN_TOKEN).toBe(ADMIN_TOKEN)
  })
})
