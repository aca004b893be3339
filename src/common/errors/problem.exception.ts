import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error a client can act on: an HTTP status, a stable machine `code` and a human `detail`.
 * The problem-details filter renders it as RFC 9457 problem+json.
 */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail, status);
  }

  static badRequest(code: string, detail: string, errors?: FieldError[]): ProblemException {
    return new ProblemException(HttpStatus.BAD_REQUEST, code, detail, errors);
  }

  static validation(errors: FieldError[]): ProblemException {
    return new ProblemException(HttpStatus.BAD_REQUEST, 'validation_failed', 'The request is not valid.', errors);
  }

  static unauthorized(code = 'unauthorized', detail = 'A valid access token is required.'): ProblemException {
    return new ProblemException(HttpStatus.UNAUTHORIZED, code, detail);
  }

  static forbidden(code = 'forbidden', detail = 'You do not have permission to do this.'): ProblemException {
    return new ProblemException(HttpStatus.FORBIDDEN, code, detail);
  }

  static notFound(what = 'resource'): ProblemException {
    return new ProblemException(HttpStatus.NOT_FOUND, 'not_found', `The ${what} does not exist.`);
  }

  static conflict(code: string, detail: string): ProblemException {
    return new ProblemException(HttpStatus.CONFLICT, code, detail);
  }
}
