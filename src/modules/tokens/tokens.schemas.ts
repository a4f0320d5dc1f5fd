/** API tokens as admins see them: never the secret, except once in the answer that creates it. */
import { z } from 'zod'
import { TimestampSchema } from '../../lib/schemas.js'

export const TokenSchema = z
  .object({
    id: z.number().int().meta({ example: 2 }),
    name: z.string().meta({ example: 'alice' }),
    role: z.enum(['admin', 'editor']),
    createdAt: TimestampSchema,
    lastUsedAt: TimestampSchema.nullable().meta({ description: 'Refreshed at most hourly.' }),
  })
  .meta({ id: 'Token' })

export const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().meta({
    description:
      'The secret: shown this once, stored only as a hash. Send it as `Authorization: Bearer <token>`.',
    example: 'sahifa_3q2-7wEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  }),
}).meta({ id: 'CreatedToken' })

export const TokenListSchema = z.object({ data: z.array(TokenSchema) }).meta({ id: 'TokenList' })

export const CreateTokenBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(['admin', 'editor']),
  })
  .strict()
  .meta({ id: 'CreateToken', example: { name: 'alice', role: 'editor' } })
