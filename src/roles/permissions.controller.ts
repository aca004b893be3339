import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireAnyPermission } from '../common/decorators/require-permissions.decorator';
import { PermissionDto } from './dto/permission.dto';
import { PERMISSIONS } from './permissions';

@ApiTags('roles')
@Controller('permissions')
export class PermissionsController {
  /** The permission catalogue that roles are made of */
  @Get()
  @RequireAnyPermission('roles.manage', 'permissions.manage')
  @ApiOkResponse({ type: PermissionDto, isArray: true })
  list(): PermissionDto[] {
    return PERMISSIONS.map(({ key, description, scope }) => ({ key, description, scope }));
  }
}
