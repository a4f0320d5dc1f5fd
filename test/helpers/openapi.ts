/** Walking the OpenAPI document: everything a response can carry, following $refs to any depth. */

type Json = unknown

export interface OpenApiDocument {
  paths: Record<string, Record<string, Json>>
  components?: { schemas?: Record<string, Json> }
}

/** The response objects of every operation plus every component schema they reach, however deep. */
export function reachableFromResponses(document: OpenApiDocument): Json[] {
  const schemas = document.components?.schemas ?? {}
  const seen = new Set<string>()
  const reached: Json[] = []
  const walk = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item)
      return
    }
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length)
        if (!seen.has(name)) {
          seen.add(name)
          reached.push(schemas[name])
          walk(schemas[name])
        }
      } else walk(value)
    }
  }
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      const { responses } = operation as { responses?: Json }
      reached.push(responses)
      walk(responses)
    }
  }
  return reached
}
