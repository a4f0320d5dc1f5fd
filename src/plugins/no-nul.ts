/**
 * U+0000 in any text of a request body is a 400 on every route: PostgreSQL cannot store it in text (SQLite can), and
 * both engines must answer alike. Checked on the validated body, so a path names only fields the schema knows, never
 * a key the client made up. Query strings and paths are only looked up, never stored: `q` and slugs read a NUL as a
 * separator, and the `author` filter refuses it in its schema.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { BadRequestError, type FieldError } from '../lib/errors.js'

const MESSAGE = 'Must not contain the NUL character (U+0000)'
// Enough to say what is wrong; errors.ts caps every list at 20 anyway.
const MAX_FOUND = 20

function findNul(value: unknown, path: string[], found: FieldError[]): void {
  if (found.length >= MAX_FOUND) return
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push({ path: path.join('.'), message: MESSAGE })
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) findNul(item, [...path, String(index)], found)
  } else if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const [key, inner] of Object.entries(value)) findNul(inner, [...path, key], found)
  }
}

export default fp(
  async function noNulPlugin(app: FastifyInstance) {
    // preHandler: after validation, so request.body holds what the route's schema let through.
    app.addHook('preHandler', async (request: FastifyRequest) => {
      const found: FieldError[] = []
      findNul(request.body, [], found)
      if (found.length > 0) throw new BadRequestError('The request body is not valid.', found)
    })
  },
  { name: 'no-nul' },
)
