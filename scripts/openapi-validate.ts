/** npm run openapi:lint (second half): openapi/openapi.json must validate against the OpenAPI 3.1 schema. */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import SwaggerParser from '@apidevtools/swagger-parser'

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])
const file = relative(
  process.cwd(),
  process.argv[2] ?? fileURLToPath(new URL('../openapi/openapi.json', import.meta.url)),
)

try {
  // Checks the document against the official OpenAPI schema, then that every $ref resolves.
  const api = await SwaggerParser.validate(file)
  const paths = Object.values(api.paths ?? {})
  const operations = paths.flatMap((item) => Object.keys(item ?? {}).filter((key) => METHODS.has(key)))
  const version = 'openapi' in api ? api.openapi : 'swagger' in api ? api.swagger : '?'
  console.log(
    `swagger-parser: ${file} is valid OpenAPI ${version} (${paths.length} paths, ${operations.length} operations)`,
  )
} catch (error) {
  console.error(`swagger-parser: ${file} is not valid:\n${(error as Error).message}`)
  process.exit(1)
}
