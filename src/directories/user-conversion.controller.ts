import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { etagOf } from '../common/etag';
import { IdParam } from '../common/id-param';
import { ReqContext, RequestContext } from '../common/request-context';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { ConvertUserDto } from './dto/convert-user.dto';
import { UserConversionService } from './user-conversion.service';

@ApiTags('users', 'directories')
@Controller('users/:id')
export class UserConversionController {
  constructor(private readonly conversions: UserConversionService) {}

  /** Convert a user between internal and external; their sessions end */
  @Post('convert')
  @HttpCode(200)
  @RequirePermissions('users.edit')
  @ApiOkResponse({ type: UserResponseDto, description: 'The converted user; id, groups and roles are kept.' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid body or password policy (`validation_failed`).' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such user or directory (`not_found`).' })
  @ApiConflictResponse({
    type: ProblemDto,
    description:
      'Already of that type (`already_internal`, `already_external`), or the directory has no such username (`not_in_directory`).',
  })
  @ApiBadGatewayResponse({
    type: ProblemDto,
    description: 'The directory cannot be reached (`directory_unavailable`) or bound (`directory_bind_failed`).',
  })
  async convert(
    @IdParam() id: string,
    @Body() dto: ConvertUserDto,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    const { user, version } = await this.conversions.convert(id, dto, context);
    void reply.header('etag', etagOf(version));
    return user;
  }
}
