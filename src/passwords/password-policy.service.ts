import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { FieldError } from '../common/errors/problem.exception';
import { ProblemException } from '../common/errors/problem.exception';
import { authConfig } from '../config/auth.config';

export const PASSWORD_MAX_LENGTH = 128;

/**
 * The most common passwords (about 49,000, most frequent first), from the maintained zxcvbn-ts package,
 * compared case-insensitively.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);

/**
 * ASVS 5 password rules: a minimum length (configurable) and at most 128 characters, no composition rules,
 * not a common password, not the username. Whether it differs from the current one is checked by the caller,
 * which holds the hash.
 */
@Injectable()
export class PasswordPolicy {
  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  problems(password: string, username: string | null): string[] {
    const problems: string[] = [];
    const length = [...password].length;
    if (length < this.config.passwordMinLength) {
      problems.push(`must be at least ${this.config.passwordMinLength} characters long`);
    }
    if (length > PASSWORD_MAX_LENGTH) {
      problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
    }
    if (COMMON_PASSWORDS.has(password.toLowerCase())) {
      problems.push('is one of the most common passwords');
    }
    if (username !== null && password.normalize('NFC').toLowerCase() === username.normalize('NFC').toLowerCase()) {
      problems.push('must not be the username');
    }
    return problems;
  }

  /** Throws 400 `validation_failed` naming `field` when the password breaks a rule. */
  assertAcceptable(password: string, username: string | null, field: string): void {
    const errors: FieldError[] = this.problems(password, username).map((message) => ({ field, message }));
    if (errors.length) {
      throw ProblemException.validation(errors);
    }
  }
}
