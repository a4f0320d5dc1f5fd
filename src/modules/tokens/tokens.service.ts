/** API tokens: random secrets shown once, stored as SHA-256 hashes, checked in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../lib/clock.js'
import { NotFoundError } from '../../lib/errors.js'
import type { TokenRepository, TokenRow } from './tokens.repository.js'

export type Role = 'admin' | 'editor'

export interface Principal {
  /** null for the ADMIN_TOKEN from the environment, which has no row. */
  tokenId: number | null
  name: string
  role: Role
}

export interface TokenServiceDeps {
  repository: TokenRepository
  clock: Clock
  /** ADMIN_TOKEN from the environment, accepted as an admin token; never stored. */
  adminToken?: string
}

const SECRET_PREFIX = 'sahifa_'
// lastUsedAt is a hint for admins, not an audit log: refreshing it at most hourly keeps reads write-free.
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

function toToken(row: TokenRow) {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt }
}

export function createTokenService({ repository, clock, adminToken }: TokenServiceDeps) {
  const adminHash = adminToken ? hashSecret(adminToken) : null

  return {
    /** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
    async create(input: { name: string; role: Role }) {
      const secret = SECRET_PREFIX + randomBytes(32).toString('base64url')
      const row = await repository.insert({
        name: input.name,
        role: input.role,
        tokenHash: hashSecret(secret).toString('hex'),
        createdAt: clock.now().toISOString(),
      })
      return { ...toToken(row), token: secret }
    },

    list: async () => (await repository.list()).map(toToken),

    async get(id: number) {
      const row = await repository.find(id)
      if (!row) throw new NotFoundError('Token')
      return toToken(row)
    },

    async remove(id: number): Promise<void> {
      if (!(await repository.remove(id))) throw new NotFoundError('Token')
    },

    count: () => repository.count(),

    /**
     * The principal a secret stands for, or null when it is unknown or revoked. Read from the database on every
     * request, so a token revoked on one node is refused by every node at once.
     */
    async verify(secret: string): Promise<Principal | null> {
      const hash = hashSecret(secret)
      if (adminHash && timingSafeEqual(hash, adminHash))
        return { tokenId: null, name: 'ADMIN_TOKEN', role: 'admin' }
      const row = await repository.findByHash(hash.toString('hex'))
      // The lookup is by hash, so timing reveals nothing about the secret; the compare double-checks the match.
      if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), hash)) return null
      const now = clock.now()
      if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
        await repository.touch(row.id, now.toISOString())
      }
      return { tokenId: row.id, name: row.name, role: row.role }
    },
  }
}

export type TokenService = ReturnType<typeof createTokenService>
