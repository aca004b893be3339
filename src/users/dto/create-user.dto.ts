import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsPrincipalName } from '../../common/validators/is-principal-name.validator';
import { MatchesProperty } from '../../common/validators/matches-property.validator';

const nfc = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.normalize('NFC') : value);

export class CreateUserDto {
  /**
   * Login name: 1..100 Unicode characters, stored NFC-normalised; unique case-insensitively; cannot be changed later.
   * @example "jose.garcia"
   */
  @Transform(nfc)
  @IsPrincipalName()
  username!: string;

  /**
   * 8..128 characters, not a common password, not the username.
   * @example "correct horse battery staple"
   */
  @IsString()
  @MaxLength(1024)
  password!: string;

  /** Must equal `password`. @example "correct horse battery staple" */
  @IsString()
  @MatchesProperty('password')
  confirmPassword!: string;

  /** @example "José García" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  fullName?: string | null;

  /** @example "jose.garcia@example.com" */
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  /** @example "+34 600 000 000" */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  phone?: string | null;

  /** @example "Engineering" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string | null;

  /** Whether the user may log in. @default true */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Ask the user to change the password after logging in. @default false */
  @IsOptional()
  @IsBoolean()
  mustChangePassword?: boolean;
}
