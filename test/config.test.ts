/** loadConfig: the defaults of every variable in the contract's Operations section, and errors that name it. */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'

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
    })
    expect(config.ADMIN_TOKEN).toBeUndefined()
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: '/var/lib/sahifa/db.sqlite',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      CORS_ORIGINS: 'https://news.example, https://admin.example',
      LOG_LEVEL: 'debug',
      COMMENTS_AUTO_APPROVE: 'true',
      RATE_LIMIT_COMMENTS_PER_MINUTE: '10',
      BODY_LIMIT_BYTES: '2048',
      CACHE_MAX_AGE_SECONDS: '0',
      SEED_SAMPLE: 'false',
      TRUST_PROXY: '1',
    })
    expect(config).toEqual({
      PORT: 8080,
      HOST: '0.0.0.0',
      DATABASE_URL: '/var/lib/sahifa/db.sqlite',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      CORS_ORIGINS: ['https://news.example', 'https://admin.example'],
      LOG_LEVEL: 'debug',
      COMMENTS_AUTO_APPROVE: true,
      RATE_LIMIT_COMMENTS_PER_MINUTE: 10,
      BODY_LIMIT_BYTES: 2048,
      CACHE_MAX_AGE_SECONDS: 0,
      SEED_SAMPLE: false,
      TRUST_PROXY: true,
    })
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
    ['ADMIN_TOKEN', 'short'],
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
