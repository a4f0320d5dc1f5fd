/**
 * Secrets at rest: AES-256-GCM with a key derived from SECRET_KEY by HKDF-SHA256. A stored value is
 * `v1.<iv>.<ciphertext+tag>` (base64url); the tag makes a wrong key or a tampered value fail to open, never
 * decrypt to garbage.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export interface SecretBox {
  seal(plaintext: string): string
  /** Throws when the value was sealed with another key or changed since. */
  open(sealed: string): string
}

/** `purpose` separates keys derived from one SECRET_KEY for different uses. */
export function createSecretBox(secretKey: string, purpose: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'sahifa', purpose, 32))
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`
    },
    open(value) {
      const [version, iv, data] = value.split('.')
      if (version !== VERSION || !iv || !data) throw new Error('not a sealed secret')
      const bytes = Buffer.from(data, 'base64url')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8')
    },
  }
}
