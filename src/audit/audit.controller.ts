import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, PageDto, pageLimit, toPage } from '../common/pagination/page';
import { sqlTimestamp } from '../database/sql-time';
import { AuditRepository } from './audit.repository';
import { AuditEventDto, ListAuditEventsQueryDto, toAuditEventDto } from './dto/audit-event.dto';

@ApiTags('audit')
@Controller('audit-events')
export class AuditController {
  constructor(private readonly events: AuditRepository) {}

  /** The audit trail, newest first */
  @Get()
  @RequirePermissions('audit.read')
  @ApiOkResponse({ type: PageDto(AuditEventDto) })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'The request is not valid (`validation_failed`).' })
  async list(@Query() query: ListAuditEventsQueryDto): Promise<Page<AuditEventDto>> {
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const rows = await this.events.page(query, limit, position);
    return toPage(rows, limit, (event) => [sqlTimestamp(event.at), event.id], toAuditEventDto);
  }
}
