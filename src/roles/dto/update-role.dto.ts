import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PERMISSION_KEYS } from '../scope';
import { ROLE_NAME } from './create-role.dto';

export class UpdateRoleDto {
  /** @example "Model Auditor" */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(ROLE_NAME, { message: 'name must not contain control characters or start or end with whitespace' })
  name?: string;

  /** Null clears it. @example "Reads every model" */
  @ValidateIf((_o, value) => value !== null)
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  /** Replaces the permissions (at least one). @example ["resources.read"] */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSION_KEYS.length)
  @IsIn(PERMISSION_KEYS, { each: true, message: 'each value in permissions must be a permission key' })
  permissions?: string[];
}
