import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { MAX_MEMBERS_PER_REQUEST } from './create-group.dto';

export class UpdateMembersDto {
  /** Users to add (at most 1000); members already in the group are left alone. @example ["5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MEMBERS_PER_REQUEST)
  @IsUUID('all', { each: true })
  add?: string[];

  /** Users to remove (at most 1000); users who are not members are left alone. @example [] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MEMBERS_PER_REQUEST)
  @IsUUID('all', { each: true })
  remove?: string[];
}
