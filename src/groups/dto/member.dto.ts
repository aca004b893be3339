import { ApiProperty } from '@nestjs/swagger';
import type { UserType } from '../../users/entities/user.entity';

/** A user as listed among the members of a group. */
export class MemberDto {
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  id!: string;
  /** @example "alice" */
  username!: string;
  /** @example "Alice Liddell" */
  fullName!: string | null;
  /** @example "alice@example.com" */
  email!: string | null;
  @ApiProperty({ enum: ['internal', 'external'], example: 'internal' })
  type!: UserType;
  /** @example true */
  enabled!: boolean;
}
