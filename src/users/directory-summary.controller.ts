import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { DirectorySummaryDto } from './dto/user-response.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('directory-summary')
export class DirectorySummaryController {
  constructor(private readonly users: UsersService) {}

  /** How many internal and external users and groups there are (the Users application's filter counts) */
  @Get()
  @RequirePermissions('users.list')
  @ApiOkResponse({ type: DirectorySummaryDto })
  summary(): Promise<DirectorySummaryDto> {
    return this.users.directorySummary();
  }
}
