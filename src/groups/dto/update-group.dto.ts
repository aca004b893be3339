import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsName } from '../../common/names';

export class UpdateGroupDto {
  /** @example "System modelers" */
  @IsOptional()
  @IsName()
  name?: string;

  /** Null clears it. @example "Everyone who edits the system models" */
  @ValidateIf((_o, value) => value !== null)
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;
}
