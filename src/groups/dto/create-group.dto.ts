import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsPrincipalName } from '../../common/validators/is-principal-name.validator';

export const MAX_MEMBERS_PER_REQUEST = 1000;

export class CreateGroupDto {
  /**
   * 1..100 characters, the character rules of usernames, unique case-insensitively.
   * @example "Modelers"
   */
  @IsPrincipalName()
  name!: string;

  /** @example "Everyone who edits the system models" */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  /**
   * Users to add as the first members (at most 1000); an unknown id fails the whole request.
   * @example ["5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e"]
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MEMBERS_PER_REQUEST)
  @IsUUID('all', { each: true })
  memberIds?: string[];
}
