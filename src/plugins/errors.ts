/** The only error handler and not-found handler: every error leaves as RFC 9457 problem+json, never echoing input. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { AppError, type FieldError } from '../lib/errors.js'
import { PROBLEM_CONTENT_TYPE, type Problem, problem, problemResponse } from '../lib/problem.js'

const VALIDATION_DETAILS: Record<string, string> = {
  body: 'The request body is not valid.',
  querystring: 'The query string is not valid.',
  params: 'The path parameters are not valid.',
  headers: 'The request headers are not valid.',
}

// Fixed texts for the client errors Fastify raises itself: their own messages can quote the body.
const FASTIFY_CLIENT_ERROR_DETAILS: Record<number, string> = {
  400: 'The request could not be read; send well-formed JSON.',
  404: 'No such resource.',
  405: 'This method is not allowed here.',
  406: 'The requested media type is not available.',
  413: 'The request body is larger than the server accepts.',
  415: 'Send the request body as application/json.',
  429: 'Too many requests; wait before trying again.',
}

// A body of a thousand bad fields gets a readable answer, not one as large as itself.
const MAX_FIELD_ERRORS = 20

type ValidationIssue = FastifyError['validation'] extends (infer I)[] | undefined ? I : never

/**
 * The field errors of a failed validation. Zod's message for an unknown key quotes the key, which the client
 * wrote (it may be an e-mail address): such a key is named by its position in its object instead, from 1.
 */
function fieldErrors(issues: ValidationIssue[], input: unknown): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.instancePath.slice(1).replaceAll('/', '.')
    if (issue.keyword !== 'unrecognized_keys') return [{ path, message: issue.message ?? 'Invalid value' }]
    const keys = (issue.params as { keys?: unknown }).keys
    const sent = Object.keys(valueAt(input, issue.instancePath) ?? {})
    return (Array.isArray(keys) ? keys : [undefined]).map((key) => {
      const position = sent.indexOf(String(key)) + 1
      return { path, message: position > 0 ? `Unrecognized key at position ${position}` : 'Unrecognized key' }
    })
  })
}

/** The object at a validation issue's `/a/0/b` path within the request part that failed. */
function valueAt(input: unknown, instancePath: string): object | undefined {
  let value = input
  // The root is `/`: no segment.
  for (const segment of instancePath.split('/').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[segment]
  }
  return value !== null && typeof value === 'object' ? value : undefined
}

const VALIDATED_PARTS = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' } as const

function toProblem(
  error: FastifyError,
  request: FastifyRequest,
  isUniqueViolation: (error: unknown) => boolean,
): Problem {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body'
    const detail = VALIDATION_DETAILS[context] ?? 'The request is not valid.'
    const part = VALIDATED_PARTS[context as keyof typeof VALIDATED_PARTS]
    const errors = fieldErrors(error.validation, part ? request[part] : undefined)
    return problem(400, detail, errors.slice(0, MAX_FIELD_ERRORS))
  }
  if (error instanceof AppError)
    return {
      ...problem(error.status, error.detail, error.errors?.slice(0, MAX_FIELD_ERRORS)),
      title: error.title,
    }
  if (isUniqueViolation(error)) return problem(409, 'A resource with the same unique value exists already.')
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return problem(status, FASTIFY_CLIENT_ERROR_DETAILS[status] ?? 'The request was not accepted.')
  }
  return problem(500, 'Something went wrong on our side. It has been logged.')
}

/** What may be logged of an unexpected error: never its message, which for a failed query carries its parameters. */
function describeForLog(error: FastifyError) {
  const cause = (error as { cause?: { code?: string; name?: string } }).cause
  return {
    name: error.name,
    code: error.code,
    causeName: cause?.name,
    causeCode: cause?.code,
    stack: stackFrames(error),
  }
}

function stackFrames(error: Error): string | undefined {
  // Only the frames: the message, which may span lines (Drizzle's holds the SQL and its parameters), stays out.
  return error.stack
    ?.split('\n')
    .filter((line) => line.startsWith('    at '))
    .join('\n')
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  reply.code(body.status).type(PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store')
  if (body.status === 401) reply.header('www-authenticate', 'Bearer')
  return reply.send(body)
}

/**
 * Fastify's `frameworkErrors` option: the router rejects a malformed or over-long URL before any hook or error
 * handler runs, and its default answer is `{statusCode, error, message}` quoting the URL. The reply has no route
 * context here, so the body is serialized by hand.
 */
export function sendFrameworkProblem(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const body =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(414, 'A path segment is longer than the server accepts.')
      : error.code === 'FST_ERR_BAD_URL'
        ? problem(400, 'The URL is not valid percent-encoding.')
        : problem(500, 'Something went wrong on our side. It has been logged.')
  reply.code(body.status).type(PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store')
  // These answers skip the onSend hooks, where every other answer gets its request id.
  reply.header('x-request-id', request.id)
  reply.send(JSON.stringify(body))
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    // A race the services' own checks lost, in the engine's words (SQLITE_CONSTRAINT_UNIQUE, 23505).
    const { isUniqueViolation } = app.services
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const body = toProblem(error, request, isUniqueViolation)
      if (body.status >= 500) request.log.error({ err: describeForLog(error) }, 'request failed')
      return sendProblem(reply, body)
    })

    app.setNotFoundHandler((_request, reply) => sendProblem(reply, problem(404, 'No such route.')))

    // Every documented route also answers these; declaring them once keeps the OpenAPI document complete.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as
        | { response?: Record<string | number, unknown>; hide?: boolean }
        | undefined
      if (!schema?.response || schema.hide) return
      const response = schema.response
      response[401] ??= problemResponse('The token is not valid or has been revoked.')
      response[500] ??= problemResponse('Something unexpected failed.')
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      if (methods.some((method) => BODY_METHODS.has(method))) {
        response[400] ??= problemResponse('The body is not valid JSON or fails validation.')
        response[413] ??= problemResponse('The body is larger than BODY_LIMIT_BYTES.')
        response[415] ??= problemResponse('The body is not JSON.')
      }
    })
  },
  { name: 'errors', dependencies: ['services'] },
)
