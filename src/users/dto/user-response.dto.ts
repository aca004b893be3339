import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity, UserType } from '../entities/user.entity';

export class UserResponseDto {
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  id!: string;
  /** @example "jose.garcia" */
  username!: string;
  /** @example "José García" */
  fullName!: string | null;
  /** @example "jose.garcia@example.com" */
  email!: string | null;
  phone!: string | null;
  department!: string | null;
  @ApiProperty({ enum: ['internal', 'external'] })
  type!: UserType;
  /** The LDAP directory of an external user. */
  directoryId!: string | null;
  enabled!: boolean;
  mustChangePassword!: boolean;
  /** Temporarily locked after repeated failed logins. */
  locked!: boolean;
  lastLoginAt!: Date | null;
  lastActivityAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class CountDto {
  /** @example 42 */
  count!: number;
}

export class DirectorySummaryDto {
  internalUsers!: number;
  externalUsers!: number;
  internalGroups!: number;
  externalGroups!: number;
}

export function toUserResponse(user: UserEntity, lockedUntil: Date | null = null): UserResponseDto {
  return {
    id: user.id,
    username: user.username,
    fullName: user.fullName,
    email: user.email,
    phone: user.phone,
    department: user.department,
    type: user.type,
    directoryId: user.directoryId,
    enabled: user.enabled,
    mustChangePassword: user.mustChangePassword,
    locked: lockedUntil !== null && lockedUntil.getTime() > Date.now(),
    lastLoginAt: user.lastLoginAt,
    lastActivityAt: user.lastActivityAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
