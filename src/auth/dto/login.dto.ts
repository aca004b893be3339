import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  /** Matched case-insensitively. @example "admin" */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  username!: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  /** The LDAP directory's domain for an external user; absent: internal users first, then each directory. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  domain?: string;
}
