import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { FieldError } from './errors/problem.exception';
import { ProblemException } from './errors/problem.exception';
import { rememberValidationMetadata } from './validation-metadata-cache';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field: field || 'body',
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The global pipe: unknown fields are rejected, values are converted to their DTO types, errors become problem+json. */
export function createValidationPipe(): ValidationPipe {
  rememberValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return ProblemException.validation(
        fieldErrors.length ? fieldErrors : [{ field: 'body', message: 'must be a JSON object' }],
      );
    },
  });
}
