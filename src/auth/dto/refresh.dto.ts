import { IsString, MaxLength, MinLength } from 'class-validator';

export class RefreshDto {
  /** The `refreshToken` of the last token pair; each one can be used once. @example "q9Xc2f0bT1n3rWl8d6YpV0e5kJm4sHa7uZtGxCyBoRi" */
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken!: string;
}
