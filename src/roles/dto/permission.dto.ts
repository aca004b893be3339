import { ApiProperty } from '@nestjs/swagger';
import type { PermissionScope } from '../permissions';

export class PermissionDto {
  /** @example "users.create" */
  key!: string;
  /** @example "Create users" */
  description!: string;
  /** `global`: only global assignments grant it; `global_or_resource`: also assignments on specific resources. */
  @ApiProperty({ enum: ['global', 'global_or_resource'] })
  scope!: PermissionScope;
}
