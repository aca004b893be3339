import { EffectivePermissionDto } from '../../authz/dto/effective-permissions.dto';
import { UserResponseDto } from '../../users/dto/user-response.dto';

/** My account: the user, and every permission I hold with its scope and where it comes from. */
export class MeResponseDto extends UserResponseDto {
  permissions!: EffectivePermissionDto[];
}
