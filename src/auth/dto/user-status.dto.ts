import { ApiProperty } from '@nestjs/swagger';

/** Whether a user may log in right now, for login flows of other services. */
export class UserStatusDto {
  /** @example true */
  enabled!: boolean;
  /** Temporarily locked after repeated wrong passwords. @example false */
  locked!: boolean;
  /** When the lock ends; null when not locked. @example null */
  lockedUntil!: string | null;
  @ApiProperty({ enum: ['internal', 'external'], example: 'internal' })
  type!: 'internal' | 'external';
  /** Enabled and not locked. @example true */
  canLogIn!: boolean;
}
