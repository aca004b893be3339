import {
  Validate,
  ValidationArguments,
  ValidationOptions,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

export const NAME_MAX_LENGTH = 100;

// DESIGN §4: control characters and these are never part of a username or group name.
const FORBIDDEN = /[\p{Cc}/\\[\]:;|=+*?<>",&{}()'%]/u;

/** Why a username or group name is unacceptable, or null when it is fine. */
export function principalNameProblem(value: unknown): string | null {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  const length = [...value.normalize('NFC')].length;
  if (length < 1 || length > NAME_MAX_LENGTH) {
    return `must be 1 to ${NAME_MAX_LENGTH} characters long`;
  }
  if (value.trim() !== value) {
    return 'must not start or end with whitespace';
  }
  if (FORBIDDEN.test(value)) {
    return `must not contain control characters or any of / \\ [ ] : ; | = + * ? < > " , & { } ( ) ' %`;
  }
  return null;
}

@ValidatorConstraint({ name: 'isPrincipalName' })
class PrincipalNameConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return principalNameProblem(value) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return principalNameProblem(args.value) ?? 'is not a valid name';
  }
}

/** A username or group name: Unicode, 1..100 characters, no forbidden characters, no surrounding whitespace. */
export function IsPrincipalName(options?: ValidationOptions): PropertyDecorator {
  return Validate(PrincipalNameConstraint, options);
}
