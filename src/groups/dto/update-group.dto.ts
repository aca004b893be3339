import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsPrincipalName } from '../../common/validators/is-principal-name.validator';

export class UpdateGroupDto {
  /** @example "System modelers" */
  @IsOptional()
  @IsPrincipalName()
  name?: string;

  /** Null clears it. @example "Everyone who edits the system models" */
  @ValidateIf((_o, value) => value !== null)
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;
}
