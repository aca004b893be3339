import { PartialType, PickType } from '@nestjs/swagger';
import { CreateUserDto } from './create-user.dto';

/** Profile fields and the Enabled switch; `null` clears a profile field. The username cannot be changed. */
export class UpdateUserDto extends PartialType(
  PickType(CreateUserDto, ['fullName', 'email', 'phone', 'department', 'enabled'] as const),
) {}

/** What users may change about themselves. */
export class UpdateProfileDto extends PartialType(
  PickType(CreateUserDto, ['fullName', 'email', 'phone', 'department'] as const),
) {}
