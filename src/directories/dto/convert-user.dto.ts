import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { MatchesProperty } from '../../common/validators/matches-property.validator';

/** `{ to: "internal", password, confirmPassword }` or `{ to: "external", directoryId }`. */
export class ConvertUserDto {
  @ApiProperty({ enum: ['internal', 'external'] })
  @IsIn(['internal', 'external'])
  to!: 'internal' | 'external';

  /** The new local password (to internal; the password policy applies). @example "a new long passphrase" */
  @ValidateIf((o: ConvertUserDto) => o.to !== 'external')
  @IsString()
  @MaxLength(1024)
  password?: string;

  /** Must equal `password`. @example "a new long passphrase" */
  @ValidateIf((o: ConvertUserDto) => o.to !== 'external')
  @IsString()
  @MatchesProperty('password')
  confirmPassword?: string;

  /** The directory the user is found in by username (to external). @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  @ValidateIf((o: ConvertUserDto) => o.to !== 'internal')
  @IsUUID()
  directoryId?: string;
}
