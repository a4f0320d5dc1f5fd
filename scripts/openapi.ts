/** npm run openapi: regenerates openapi/openapi.json from the route schemas. */
import { writeFileSync } from 'node:fs'
import { renderOpenApiDocument } from '../src/openapi-document.js'

const target = new URL('../openapi/openapi.json', import.meta.url)
writeFileSync(target, await renderOpenApiDocument())
console.log('Wrote openapi/openapi.json')
