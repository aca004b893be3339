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
} from 'class-validator';
import { PERMISSION_KEYS } from '../scope';

/** 1..100 characters, no control characters, no leading or trailing whitespace. */
export const ROLE_NAME = /^(?!\s)[^\p{Cc}]*(?<!\s)$/u;

export class CreateRoleDto {
  /**
   * Unique case-insensitively, predefined role names included.
   * @example "Model Auditor"
   */
  @IsString()
  @Length(1, 100)
  @Matches(ROLE_NAME, { message: 'name must not contain control characters or start or end with whitespace' })
  name!: string;

  /** @example "Reads every model" */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  /**
   * At least one key of the permission catalogue (`GET /permissions`).
   * @example ["resources.read", "resources.list"]
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSION_KEYS.length)
  @IsIn(PERMISSION_KEYS, { each: true, message: 'each value in permissions must be a permission key' })
  permissions!: string[];
}
