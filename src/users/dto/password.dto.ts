import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { MatchesProperty } from '../../common/validators/matches-property.validator';

/** An administrator sets a user's password; the old one is not needed. */
export class ResetPasswordDto {
  /** @example "a new long passphrase" */
  @IsString()
  @MaxLength(1024)
  newPassword!: string;

  /** Must equal `newPassword`. @example "a new long passphrase" */
  @IsString()
  @MatchesProperty('newPassword')
  confirmPassword!: string;

  /** Ask the user to change it after the next login. @default false */
  @IsOptional()
  @IsBoolean()
  mustChangePassword?: boolean;
}

/** A user changes their own password. */
export class ChangePasswordDto {
  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;

  /** @example "a new long passphrase" */
  @IsString()
  @MaxLength(1024)
  newPassword!: string;

  /** Must equal `newPassword`. @example "a new long passphrase" */
  @IsString()
  @MatchesProperty('newPassword')
  confirmPassword!: string;
}
