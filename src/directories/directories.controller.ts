import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { API_PREFIX } from '../common/api-prefix';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { ProblemException } from '../common/errors/problem.exception';
import { etagOf, versionFromIfMatch } from '../common/etag';
import { IdParam } from '../common/id-param';
import { Page, PageDto } from '../common/pagination/page';
import { ReqContext, RequestContext } from '../common/request-context';
import { DirectoriesService, VersionedDirectory } from './directories.service';
import { DirectoryImportService } from './directory-import.service';
import {
  CreateDirectoryDto,
  DirectoryResponseDto,
  DirectorySearchResultDto,
  ListDirectoriesQueryDto,
  SearchDirectoryQueryDto,
  UpdateDirectoryDto,
} from './dto/directory.dto';
import { ImportDto, ImportResultsDto } from './dto/import.dto';

const notFound = ApiNotFoundResponse({ type: ProblemDto, description: 'No such directory (`not_found`).' });
const invalid = ApiBadRequestResponse({
  type: ProblemDto,
  description: 'The request is not valid (`validation_failed`).',
});
const ldapFailed = ApiBadGatewayResponse({
  type: ProblemDto,
  description:
    'The directory cannot be reached or answer in time (`directory_unavailable`), refuses the stored bind DN and password (`directory_bind_failed`), or refuses the search (`directory_error`).',
});
const keyMissing = ApiServiceUnavailableResponse({
  type: ProblemDto,
  description:
    '`DIRECTORY_SECRET_KEY` is not configured (`encryption_key_missing`) or is not the key the password was stored with (`encryption_key_mismatch`).',
});

function withEtag(reply: FastifyReply, { directory, version }: VersionedDirectory): DirectoryResponseDto {
  void reply.header('etag', etagOf(version));
  return directory;
}

@ApiTags('directories')
@Controller('directories')
@RequirePermissions('server.configure')
export class DirectoriesController {
  constructor(
    private readonly directories: DirectoriesService,
    private readonly imports: DirectoryImportService,
  ) {}

  /** List the LDAP directories */
  @Get()
  @ApiOkResponse({ type: PageDto(DirectoryResponseDto) })
  @invalid
  list(@Query() query: ListDirectoriesQueryDto): Promise<Page<DirectoryResponseDto>> {
    return this.directories.list(query);
  }

  /** Add an LDAP directory */
  @Post()
  @ApiCreatedResponse({ type: DirectoryResponseDto, description: 'Created; `Location` names the new directory.' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid field or LDAP filter (`validation_failed`).' })
  @ApiConflictResponse({ type: ProblemDto, description: 'The name or domain is taken (`directory_taken`).' })
  @keyMissing
  async create(
    @Body() dto: CreateDirectoryDto,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DirectoryResponseDto> {
    const created = await this.directories.create(dto, context);
    void reply.header('location', `/${API_PREFIX}/directories/${created.directory.id}`);
    return withEtag(reply, created);
  }

  /** Read a directory (the bind password is never returned) */
  @Get(':id')
  @ApiOkResponse({ type: DirectoryResponseDto, description: '`ETag` carries the version for `If-Match`.' })
  @notFound
  async get(@IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<DirectoryResponseDto> {
    return withEtag(reply, await this.directories.get(id));
  }

  /** Change a directory's settings or bind password */
  @Patch(':id')
  @ApiHeader({ name: 'If-Match', required: false, description: 'The `ETag` you read; 412 if it changed since.' })
  @ApiOkResponse({ type: DirectoryResponseDto })
  @invalid
  @notFound
  @ApiConflictResponse({ type: ProblemDto, description: 'The name or domain is taken (`directory_taken`).' })
  @ApiPreconditionFailedResponse({ type: ProblemDto, description: 'Stale `If-Match` (`precondition_failed`).' })
  @keyMissing
  async update(
    @IdParam() id: string,
    @Body() dto: UpdateDirectoryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DirectoryResponseDto> {
    return withEtag(reply, await this.directories.update(id, dto, versionFromIfMatch(ifMatch), context));
  }

  /** Remove a directory no user or group comes from */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @notFound
  @ApiConflictResponse({ type: ProblemDto, description: 'Users or groups still come from it (`directory_in_use`).' })
  async delete(@IdParam() id: string, @ReqContext() context: RequestContext): Promise<void> {
    await this.directories.delete(id, context);
  }

  /** Search a directory's users or groups by name or LDAP filter (at most 1000 entries) */
  @Get(':id/search')
  @ApiOkResponse({ type: DirectorySearchResultDto })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Bad `kind` or malformed filter in `q` (`validation_failed`).',
  })
  @notFound
  @ldapFailed
  @keyMissing
  search(@IdParam() id: string, @Query() query: SearchDirectoryQueryDto): Promise<DirectorySearchResultDto> {
    return this.directories.search(id, query);
  }

  /** Import users and groups (with their members) from a directory as external principals */
  @Post(':id/import')
  @HttpCode(200)
  @ApiOkResponse({ type: ImportResultsDto, description: 'One result per entry, members of groups included.' })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'More than 1000 entries, or `copyRolesFrom` names no user or group (`validation_failed`).',
  })
  @notFound
  @ldapFailed
  @keyMissing
  async import(
    @IdParam() id: string,
    @Body() dto: ImportDto,
    @CurrentUser() caller: AuthenticatedUser,
    @ReqContext() context: RequestContext,
  ): Promise<ImportResultsDto> {
    // Copying roles grants them: that takes the right to manage permissions, not just to configure the server.
    if (dto.copyRolesFrom && !(await caller.permissions()).has('permissions.manage')) {
      throw ProblemException.forbidden('forbidden', '`copyRolesFrom` needs `permissions.manage`.');
    }
    return { results: await this.imports.import(id, dto, context) };
  }

  /** Re-synchronise every external user and group of a directory */
  @Post(':id/sync')
  @HttpCode(200)
  @ApiOkResponse({ type: ImportResultsDto, description: 'One result per external user and group.' })
  @notFound
  @ldapFailed
  @keyMissing
  async sync(@IdParam() id: string, @ReqContext() context: RequestContext): Promise<ImportResultsDto> {
    return { results: await this.imports.sync(id, context) };
  }
}
