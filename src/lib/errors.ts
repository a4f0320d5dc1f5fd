/** The errors services throw; plugins/errors.ts turns each into a problem+json answer. */

export interface FieldError {
  path: string
  message: string
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail)
    this.name = 'AppError'
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'Bad Request', detail, errors)
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid bearer token is required.') {
    super(401, 'Unauthorized', detail)
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail)
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'Not Found', `${what} was not found.`)
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(409, 'Conflict', detail, errors)
  }
}

export class PreconditionFailedError extends AppError {
  constructor() {
    super(
      412,
      'Precondition Failed',
      'The resource has changed since the given If-Match ETag; fetch it again.',
    )
  }
}

/** A rate limit hit; the thrower sets Retry-After. */
export class TooManyRequestsError extends AppError {
  constructor(detail: string) {
    super(429, 'Too Many Requests', detail)
  }
}
