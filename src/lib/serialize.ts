/**
 * Response bodies: each zod response schema compiled once to fast-json-stringify through its JSON Schema. Only the
 * properties a schema lists are written (additionalProperties: false), so the schema still decides what leaves the
 * server; a required property that is missing throws, as zod's encode would. A schema JSON Schema cannot express
 * (z.undefined() for 204, a transform) is serialized by zod itself.
 */
import fastJson from 'fast-json-stringify'
import { z } from 'zod'

type Serialize = (value: unknown) => string

// Validation keywords: the request side's business, and fast-json-stringify would only check or skip them.
const DROPPED = new Set([
  'pattern',
  'format',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'example',
  'examples',
])

/** A copy without validation keywords, `anyOf: [X, {type: 'null'}]` as `type: [X, 'null']` (no runtime choice). */
function forSerialization(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forSerialization)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === 'description' || key === '$schema') continue
    out[key] = key === 'properties' || key === 'definitions' ? mapValues(value) : forSerialization(value)
  }
  const anyOf = out.anyOf as Record<string, unknown>[] | undefined
  if (anyOf?.length === 2) {
    const [first, second] = anyOf
    const nullable = second?.type === 'null' ? first : first?.type === 'null' ? second : undefined
    if (
      nullable &&
      typeof nullable.type === 'string' &&
      nullable.type !== 'object' &&
      nullable.type !== 'array'
    ) {
      delete out.anyOf
      Object.assign(out, nullable, { type: [nullable.type, 'null'] })
    }
  }
  return out
}

function mapValues(record: unknown): unknown {
  if (record === null || typeof record !== 'object') return record
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, forSerialization(value)]))
}

function zodSerializer(schema: z.ZodType): Serialize {
  return (value) => JSON.stringify(schema.encode(value))
}

const compiled = new WeakMap<z.ZodType, Serialize>()

/** What a route declares: the zod schema, or (fastify-type-provider-zod's other form) `{ properties: schema }`. */
export function routeSerializer(declared: unknown): Serialize {
  if (declared instanceof z.ZodType) return serializerFor(declared)
  const inner = (declared as { properties?: unknown } | null)?.properties
  if (inner instanceof z.ZodType) return serializerFor(inner)
  throw new Error('A response schema must be a zod schema.')
}

/** The one serializer of `schema`: the route's, and the one If-Match uses to compute the ETag of what it would send. */
export function serializerFor(schema: z.ZodType): Serialize {
  let serialize = compiled.get(schema)
  if (!serialize) {
    try {
      const jsonSchema = z.toJSONSchema(schema, {
        io: 'output',
        target: 'draft-07',
        unrepresentable: 'throw',
      })
      serialize = fastJson(forSerialization(jsonSchema) as Parameters<typeof fastJson>[0])
    } catch {
      serialize = zodSerializer(schema)
    }
    compiled.set(schema, serialize)
  }
  return serialize
}
