/** The tokens' queries, written once over Drizzle for both engines. Only hashes are stored. */
import { count, eq } from 'drizzle-orm'
import type { Database } from '../../db/database.js'

export type TokenRow = Database['tables']['tokens']['$inferSelect']

export function createTokenRepository(database: Database) {
  const { tokens } = database.tables
  return {
    async insert(values: typeof tokens.$inferInsert): Promise<TokenRow> {
      const [row] = await database.all(database.qb.insert(tokens).values(values).returning())
      return row as TokenRow
    },
    list: (): Promise<TokenRow[]> =>
      database.all(database.qb.select().from(tokens).orderBy(database.asc(tokens.id))),
    find: (id: number) => database.get(database.qb.select().from(tokens).where(eq(tokens.id, id))),
    findByHash: (hash: string) =>
      database.get(database.qb.select().from(tokens).where(eq(tokens.tokenHash, hash))),
    /** False when there was no such token. */
    async remove(id: number): Promise<boolean> {
      const deleted = await database.all(
        database.qb.delete(tokens).where(eq(tokens.id, id)).returning({ id: tokens.id }),
      )
      return deleted.length > 0
    },
    touch: (id: number, at: string) =>
      database.run(database.qb.update(tokens).set({ lastUsedAt: at }).where(eq(tokens.id, id))),
    async count(): Promise<number> {
      return (await database.get(database.qb.select({ n: count() }).from(tokens)))?.n ?? 0
    },
  }
}

export type TokenRepository = ReturnType<typeof createTokenRepository>
