/**
 * Every answer the suite receives is checked against the served OpenAPI document: its status code, its content
 * type and its body. buildTestApp wires this in; test/setup/contract.ts fails the test that broke it.
 */

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { buildApp } from '../../src/app.js'

type App = Awaited<ReturnType<typeof buildApp>>

import type { FastifyReply, FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify'

interface MediaType {
  schema?: unknown
}
interface ResponseObject {
  content?: Record<string, MediaType>
}
interface Operation {
  operationId?: string
  responses?: Record<string, ResponseObject>
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown> }
}

/** One answer as the server sent it. */
export interface Exchange {
  method: string
  /** The matched route's pattern (`/v1/articles/:idOrSlug`); undefined when no route matched. */
  route: string | undefined
  url: string
  statusCode: number
  contentType: string | undefined
  payload: unknown
}

const SCHEMA_REF = '#/components/schemas/'
const COMPONENTS_ID = 'urn:sahifa:openapi:components'

/** Validates exchanges against one document; compiled schemas are shared by every app serving the same one. */
export class ContractValidator {
  readonly #document: OpenApiDocument
  readonly #ajv: Ajv2020
  readonly #compiled = new Map<string, ValidateFunction>()

  constructor(document: OpenApiDocument) {
    this.#document = document
    this.#ajv = new Ajv2020({ allErrors: true, strict: true })
    addFormats.default(this.#ajv)
    // OpenAPI's own schema keywords, which JSON Schema 2020-12 does not know.
    this.#ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs'])
    this.#ajv.addSchema({ $id: COMPONENTS_ID, $defs: rebaseRefs(document.components?.schemas ?? {}) })
  }

  /** The reasons this exchange breaks the contract; empty when it keeps it. */
  check(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.url} → ${exchange.statusCode}`
    if (exchange.route === undefined) return this.#checkNotFound(exchange, where)

    const path = toOpenApiPath(exchange.route)
    // Fastify answers HEAD with the GET route; the document lists the GET.
    const method = exchange.method === 'HEAD' ? 'get' : exchange.method.toLowerCase()
    const operation = this.#document.paths?.[path]?.[method]
    if (!operation) return [`${where}: ${method.toUpperCase()} ${path} is not in the OpenAPI document`]

    const responses = operation.responses ?? {}
    const status = String(exchange.statusCode)
    const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default
    const pointer = ['paths', path, method, 'responses']
    if (!documented) {
      return [
        `${where}: status ${status} is not documented for ${operation.operationId} (documented: ${Object.keys(responses).join(', ')})`,
      ]
    }
    const statusKey = responses[status] ? status : responses[`${status[0]}XX`] ? `${status[0]}XX` : 'default'
    return this.#checkBody(exchange, where, documented, [...pointer, statusKey])
  }

  /** No route matched: the not-found handler must still answer a documented problem. */
  #checkNotFound(exchange: Exchange, where: string): string[] {
    if (exchange.statusCode !== 404) return [`${where}: no route matched, yet the answer is not 404`]
    const problem = { content: { 'application/problem+json': { schema: { $ref: `${SCHEMA_REF}Problem` } } } }
    return this.#checkBody(exchange, where, problem, ['components', 'schemas', 'Problem', 'not-found'])
  }

  #checkBody(exchange: Exchange, where: string, response: ResponseObject, pointer: string[]): string[] {
    const body = bodyText(exchange.payload)
    if (body === undefined) return [`${where}: the body is a stream, which no documented answer is`]
    const content = response.content ?? {}
    const mediaTypes = Object.keys(content)
    if (mediaTypes.length === 0) {
      return body === ''
        ? []
        : [`${where}: the document says no body, yet one was sent (${exchange.contentType})`]
    }
    const mediaType = exchange.contentType?.split(';')[0]?.trim().toLowerCase()
    if (mediaType === undefined || !mediaTypes.includes(mediaType)) {
      return [
        `${where}: content type ${mediaType ?? '(none)'} is not documented (documented: ${mediaTypes.join(', ')})`,
      ]
    }
    // HEAD answers carry the GET's headers but no body.
    if (exchange.method === 'HEAD') return []
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return [`${where}: the ${mediaType} body is not JSON`]
    }
    const validate = this.#validatorFor([...pointer, mediaType].join(' '), content[mediaType]?.schema)
    if (validate(parsed)) return []
    const errors = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`)
    return [`${where}: the body does not match the documented schema: ${errors.join('; ')}`]
  }

  #validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.#compiled.get(key)
    if (!validate) {
      validate = this.#ajv.compile(rebaseRefs(schema ?? {}) as object)
      this.#compiled.set(key, validate)
    }
    return validate
  }
}

/** `/v1/articles/:idOrSlug` → `/v1/articles/{idOrSlug}`, as @fastify/swagger writes paths. */
function toOpenApiPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

/** Points `#/components/schemas/X` at the schema registered under COMPONENTS_ID. */
function rebaseRefs(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, inner) =>
    key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF)
      ? `${COMPONENTS_ID}#/$defs/${inner.slice(SCHEMA_REF.length)}`
      : inner,
  )
}

function bodyText(payload: unknown): string | undefined {
  if (payload === undefined || payload === null) return ''
  if (typeof payload === 'string') return payload
  if (Buffer.isBuffer(payload)) return payload.toString('utf8')
  return undefined
}

// What the suite has seen, per test file (vitest runs each file in its own process).
const state = { validated: 0, rejected: 0, skipped: 0, failures: [] as string[] }
const validators = new Map<string, ContractValidator>()

/** Failures not yet reported; test/setup/contract.ts fails the running test with them. */
export function takeContractFailures(): string[] {
  return state.failures.splice(0)
}

/** Answers checked and found true, found false, and left out (hidden routes). */
export function contractCounts(): { validated: number; rejected: number; skipped: number } {
  return { validated: state.validated, rejected: state.rejected, skipped: state.skipped }
}

function validatorOf(app: App): ContractValidator {
  const text = JSON.stringify(app.swagger())
  let validator = validators.get(text)
  if (!validator) {
    validator = new ContractValidator(JSON.parse(text))
    validators.set(text, validator)
  }
  return validator
}

/**
 * Checks every answer of `app` once it is final (this onSend hook is added last, after the caching plugin has
 * turned a match into a 304), and makes `app.inject(options)` reject as soon as an answer breaks the contract.
 */
export function checkContract(app: App): void {
  let validator: ContractValidator | undefined
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    // Routes marked `hide` (Swagger UI's own files, the CORS preflight) are not part of the contract.
    if ((request.routeOptions.schema as { hide?: boolean } | undefined)?.hide === true) {
      state.skipped += 1
      return payload
    }
    validator ??= validatorOf(app)
    const contentType = reply.getHeader('content-type')
    const failures = validator.check({
      method: request.method,
      route: request.is404 ? undefined : request.routeOptions.url,
      url: request.url,
      statusCode: reply.statusCode,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      payload,
    })
    if (failures.length === 0) state.validated += 1
    else state.rejected += 1
    state.failures.push(...failures)
    return payload
  })

  const inject = app.inject.bind(app) as (...args: unknown[]) => unknown
  app.inject = ((...args: unknown[]) => {
    // Only the promise form is wrapped; the chained and callback forms are caught by the afterEach check.
    if (args.length !== 1 || args[0] === undefined) return inject(...args)
    const answer = inject(args[0] as InjectOptions | string) as Promise<LightMyRequestResponse>
    return answer.then((response) => {
      if (state.failures.length > 0) throw new ContractError(state.failures)
      return response
    })
  }) as typeof app.inject
}

export class ContractError extends Error {
  override name = 'ContractError'
  constructor(failures: string[]) {
    super(`The answer breaks the OpenAPI document:\n  ${failures.join('\n  ')}`)
  }
}
