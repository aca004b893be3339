import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/** The value must equal another property of the same object (a password and its confirmation). */
export function MatchesProperty(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'matchesProperty',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [property],
      options: { message: `must equal ${property}`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          return value === (args.object as Record<string, unknown>)[property];
        },
      },
    });
  };
}
