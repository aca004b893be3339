import { registerDecorator, ValidationOptions } from 'class-validator';

export const NAME_MAX_LENGTH = 100;

const FORBIDDEN = /[\p{Cc}/\\[\]:;|=+*?<>",&{}()'%]/u;

/**
 * The character rules of usernames and group names (DESIGN §4): 1..100 characters, no control characters, none of
 * `/ \ [ ] : ; | = + * ? < > " , & { } ( ) ' %`, no leading or trailing whitespace (rejected, not trimmed).
 */
export function nameProblem(value: unknown): string | null {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  const length = [...value.normalize('NFC')].length;
  if (length < 1 || length > NAME_MAX_LENGTH) {
    return `must be 1 to ${NAME_MAX_LENGTH} characters long`;
  }
  if (FORBIDDEN.test(value)) {
    return 'must not contain control characters or any of / \\ [ ] : ; | = + * ? < > " , & { } ( ) \' %';
  }
  if (/^\s|\s$/u.test(value)) {
    return 'must not start or end with whitespace';
  }
  return null;
}

/** Validates a name with `nameProblem`. */
export function IsName(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isName',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => nameProblem(value) === null,
        defaultMessage: (args) => `${args?.property ?? 'name'} ${nameProblem(args?.value) ?? 'is not valid'}`,
      },
    });
  };
}
