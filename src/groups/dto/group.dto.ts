import { ApiProperty } from '@nestjs/swagger';
import type { GroupType } from '../entities/group.entity';

/** A user group. */
export class GroupDto {
  /** @example "0b6f2a8e-6f0e-4c7a-9b1d-3a2c5e7f9d10" */
  id!: string;
  /** @example "Modelers" */
  name!: string;
  /** @example "Everyone who edits the system models" */
  description!: string | null;
  /** `external` groups come from an LDAP directory: their name, description and members are read-only. */
  @ApiProperty({ enum: ['internal', 'external'], example: 'internal' })
  type!: GroupType;
  /** The LDAP directory of an external group; null for internal groups. @example null */
  directoryId!: string | null;
  /** @example 12 */
  memberCount!: number;
  /** @example "2026-11-28T09:30:00.000Z" */
  createdAt!: string;
  /** @example "2026-11-28T09:30:00.000Z" */
  updatedAt!: string;
}
