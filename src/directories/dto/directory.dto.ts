import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import type { DirectoryAttributes, DirectoryEntity } from '../entities/directory.entity';

const ATTRIBUTE = /^([A-Za-z][A-Za-z0-9-]{0,63}|\d+(\.\d+)+)$/;
const ATTRIBUTE_MESSAGE = 'must be an LDAP attribute name';

/** Which LDAP attribute holds each field; omitted ones take the inetOrgPerson / groupOfNames defaults. */
export class DirectoryAttributesDto {
  /** @example "uid" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  username?: string;

  /** @example "cn" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  fullName?: string;

  /** @example "mail" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  email?: string;

  /** @example "telephoneNumber" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  phone?: string;

  /** @example "departmentNumber" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  department?: string;

  /** The attribute of a group that lists its members' DNs. @example "member" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  member?: string;

  /** The attribute that names a group (an extension of the contract; default `cn`). @example "cn" */
  @IsOptional()
  @Matches(ATTRIBUTE, { message: ATTRIBUTE_MESSAGE })
  groupName?: string;
}

export class CreateDirectoryDto {
  /** @example "Corporate LDAP" */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** The short name a login's `domain` field picks this directory by. @example "corp" */
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'must be letters, digits, dots, dashes or underscores' })
  domain!: string;

  /** @example "ldaps://ldap.example.com:636" */
  @Matches(/^ldaps?:\/\/[^\s/?#]+\/?$/, { message: 'must be ldap://host[:port] or ldaps://host[:port]' })
  @MaxLength(500)
  url!: string;

  /** The account Roster searches the directory with. @example "cn=roster,ou=services,dc=example,dc=com" */
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  bindDn!: string;

  /** Write-only: stored encrypted, never returned. @example "service account password" */
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  bindPassword!: string;

  /** @example "dc=example,dc=com" */
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  baseDn!: string;

  /** Which entries are users. @example "(objectClass=inetOrgPerson)" */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  userFilter?: string;

  /** Which entries are groups. @example "(objectClass=groupOfNames)" */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  groupFilter?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => DirectoryAttributesDto)
  attributes?: DirectoryAttributesDto;

  /** Create an external user on the first successful login of a username Roster does not know. @default false */
  @IsOptional()
  @IsBoolean()
  createUsersOnLogin?: boolean;

  /** The group users created on login join. @example null */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  defaultGroupId?: string | null;
}

/** Any field of a directory; `bindPassword` replaces the stored one. */
export class UpdateDirectoryDto extends PartialType(CreateDirectoryDto) {}

export class DirectoryAttributesResponseDto {
  /** @example "uid" */
  username!: string;
  /** @example "cn" */
  fullName!: string;
  /** @example "mail" */
  email!: string;
  /** @example "telephoneNumber" */
  phone!: string;
  /** @example "departmentNumber" */
  department!: string;
  /** @example "member" */
  member!: string;
  /** @example "cn" */
  groupName!: string;
}

export class DirectoryResponseDto {
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  id!: string;
  /** @example "Corporate LDAP" */
  name!: string;
  /** @example "corp" */
  domain!: string;
  /** @example "ldaps://ldap.example.com:636" */
  url!: string;
  /** @example "cn=roster,ou=services,dc=example,dc=com" */
  bindDn!: string;
  /** A bind password is stored (it is never returned). @example true */
  hasBindPassword!: boolean;
  /** @example "dc=example,dc=com" */
  baseDn!: string;
  /** @example "(objectClass=inetOrgPerson)" */
  userFilter!: string;
  /** @example "(objectClass=groupOfNames)" */
  groupFilter!: string;
  attributes!: DirectoryAttributesResponseDto;
  /** @example false */
  createUsersOnLogin!: boolean;
  /** @example null */
  defaultGroupId!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ListDirectoriesQueryDto extends PageQueryDto {}

export function toDirectoryResponse(directory: DirectoryEntity, hasBindPassword: boolean): DirectoryResponseDto {
  const attributes: DirectoryAttributes = directory.attributes;
  return {
    id: directory.id,
    name: directory.name,
    domain: directory.domain,
    url: directory.url,
    bindDn: directory.bindDn,
    hasBindPassword,
    baseDn: directory.baseDn,
    userFilter: directory.userFilter,
    groupFilter: directory.groupFilter,
    attributes: { ...attributes },
    createUsersOnLogin: directory.createUsersOnLogin,
    defaultGroupId: directory.defaultGroupId,
    createdAt: directory.createdAt,
    updatedAt: directory.updatedAt,
  };
}

export class SearchDirectoryQueryDto {
  /** Search users or groups. */
  @ApiProperty({ enum: ['users', 'groups'] })
  @Matches(/^(users|groups)$/, { message: 'must be users or groups' })
  kind!: 'users' | 'groups';

  /**
   * A name matched against the username (or group name) attribute, `*` as wildcard (omit for every entry);
   * or, starting with `(`, an LDAP filter ANDed with the directory's user or group filter.
   * @example "jo*"
   */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  q?: string;
}

export class DirectoryEntryDto {
  /** @example "uid=jose,ou=people,dc=example,dc=com" */
  dn!: string;
  @ApiProperty({ enum: ['user', 'group'] })
  kind!: 'user' | 'group';
  /** The username or group name, null when the entry lacks the attribute. @example "jose" */
  name!: string | null;
  /** @example "José Núñez" */
  fullName!: string | null;
  email!: string | null;
  phone!: string | null;
  department!: string | null;
  /** Members listed by a group entry (null for users). @example 3 */
  memberCount!: number | null;
}

export class DirectorySearchResultDto {
  items!: DirectoryEntryDto[];
  /** More than 1000 entries matched; only the first 1000 are listed. */
  truncated!: boolean;
}
