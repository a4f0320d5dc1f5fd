/** API tokens: random secrets shown once, stored as SHA-256 hashes, checked in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { asc, count, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { tokens } from '../../db/schema.js'
import { NotFoundError } from '../../lib/errors.js'

export type Role = 'admin' | 'editor'

export interface Principal {
  /** null for the ADMIN_TOKEN from the environment, which has no row. */
  tokenId: number | null
  name: string
  role: Role
}

const SECRET_PREFIX = 'sahifa_'
// lastUsedAt is a hint for admins, not an audit log: refreshing it at most hourly keeps reads write-free.
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

function toToken(row: typeof tokens.$inferSelect) {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt }
}

export function createTokenService(db: Db, adminToken?: string) {
  const adminHash = adminToken ? hashSecret(adminToken) : null

  return {
    /** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
    create(input: { name: string; role: Role }) {
      const secret = SECRET_PREFIX + randomBytes(32).toString('base64url')
      const row = db
        .insert(tokens)
        .values({
          name: input.name,
          role: input.role,
          tokenHash: hashSecret(secret).toString('hex'),
          createdAt: new Date().toISOString(),
        })
        .returning()
        .get()
      return { ...toToken(row), token: secret }
    },

    list() {
      return db.select().from(tokens).orderBy(asc(tokens.id)).all().map(toToken)
    },

    get(id: number) {
      const row = db.select().from(tokens).where(eq(tokens.id, id)).get()
      if (!row) throw new NotFoundError('Token')
      return toToken(row)
    },

    remove(id: number): void {
      const deleted = db.delete(tokens).where(eq(tokens.id, id)).returning({ id: tokens.id }).all()
      if (deleted.length === 0) throw new NotFoundError('Token')
    },

    count(): number {
      return db.select({ n: count() }).from(tokens).get()?.n ?? 0
    },

    /** The principal a secret stands for, or null when it is unknown or revoked. */
    verify(secret: string): Principal | null {
      const hash = hashSecret(secret)
      if (adminHash && timingSafeEqual(hash, adminHash))
        return { tokenId: null, name: 'ADMIN_TOKEN', role: 'admin' }
      const row = db
        .select()
        .from(tokens)
        .where(eq(tokens.tokenHash, hash.toString('hex')))
        .get()
      // The lookup is by hash, so timing reveals nothing about the secret; the compare double-checks the match.
      if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), hash)) return null
      const now = Date.now()
      if (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
        db.update(tokens)
          .set({ lastUsedAt: new Date(now).toISOString() })
          .where(eq(tokens.id, row.id))
          .run()
      }
      return { tokenId: row.id, name: row.name, role: row.role }
    },
  }
}

export type TokenService = ReturnType<typeof createTokenService>
