import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ProblemException } from './errors/problem.exception';

/** A UUID path parameter; anything else is a 400 `validation_failed` naming the parameter. */
export const IdParam = (name = 'id'): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => ProblemException.validation([{ field: name, message: 'must be a UUID' }]),
    }),
  );
