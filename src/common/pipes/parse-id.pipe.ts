import { ParseUUIDPipe } from '@nestjs/common';
import { ProblemException } from '../errors/problem.exception';

/** A UUID path parameter; anything else names nothing, so 404 `not_found` (never a database error). */
export function ParseId(what = 'resource'): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => ProblemException.notFound(what) });
}
