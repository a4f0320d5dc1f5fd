/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), through the reference `standardwebhooks`
 * package: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per valid secret, space-separated.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

/** A new signing secret: `whsec_` and 32 random bytes in base64, the form the reference libraries read. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** A new `webhook-id`: random, so it stays unique whatever happens to the database's ids. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`
}

/** The three headers of a delivery; during a rotation `secrets` holds the new and the old one. */
export function signatureHeaders(
  messageId: string,
  at: Date,
  body: string,
  secrets: string[],
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  }
}
