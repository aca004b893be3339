import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, pageLimit, toPage } from '../common/pagination/page';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { nameKey } from '../users/username';
import { DirectoriesRepository } from './directories.repository';
import { DirectorySecrets } from './directory-secrets';
import {
  CreateDirectoryDto,
  DirectoryEntryDto,
  DirectoryResponseDto,
  DirectorySearchResultDto,
  ListDirectoriesQueryDto,
  SearchDirectoryQueryDto,
  toDirectoryResponse,
  UpdateDirectoryDto,
} from './dto/directory.dto';
import {
  DEFAULT_ATTRIBUTES,
  DEFAULT_GROUP_FILTER,
  DEFAULT_USER_FILTER,
  DirectoryEntity,
} from './entities/directory.entity';
import { attributeValue, attributeValues, LdapClientFactory, LdapConnection, LdapEntry } from './ldap-client';
import { and, nameFilter, parseFilter } from './ldap-filters';

export interface VersionedDirectory {
  directory: DirectoryResponseDto;
  version: number;
}

/** The fields of a directory that an audit event may name (never the bind password). */
const AUDITED_FIELDS = [
  'name',
  'domain',
  'url',
  'bindDn',
  'baseDn',
  'userFilter',
  'groupFilter',
  'attributes',
  'createUsersOnLogin',
  'defaultGroupId',
] as const;

/** Directory configuration, searching a directory, and service-account connections to it. */
@Injectable()
export class DirectoriesService {
  constructor(
    private readonly directories: DirectoriesRepository,
    private readonly transactions: TransactionRunner,
    private readonly secrets: DirectorySecrets,
    private readonly ldap: LdapClientFactory,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListDirectoriesQueryDto): Promise<Page<DirectoryResponseDto>> {
    const limit = pageLimit(query.limit);
    const rows = await this.directories.page(limit, query.cursor ? decodeCursor(query.cursor, 2) : undefined);
    return toPage(
      rows,
      limit,
      (d) => [d.nameKey, d.id],
      (d) => toDirectoryResponse(d, !!d.bindPasswordEncrypted),
    );
  }

  async get(id: string): Promise<VersionedDirectory> {
    return versioned(await this.require(id));
  }

  /** A directory by id, with its encrypted bind password; 404 when there is none. */
  async require(id: string): Promise<DirectoryEntity> {
    const directory = await this.directories.findById(id);
    if (!directory) {
      throw ProblemException.notFound('directory');
    }
    return directory;
  }

  async create(dto: CreateDirectoryDto, context: RequestContext): Promise<VersionedDirectory> {
    const userFilter = dto.userFilter ?? DEFAULT_USER_FILTER;
    const groupFilter = dto.groupFilter ?? DEFAULT_GROUP_FILTER;
    parseFilter(userFilter, 'userFilter');
    parseFilter(groupFilter, 'groupFilter');
    const now = new Date();
    const id = randomUUID();
    const directory: DirectoryEntity = {
      id,
      name: dto.name,
      nameKey: nameKey(dto.name),
      domain: dto.domain,
      domainKey: nameKey(dto.domain),
      url: dto.url,
      bindDn: dto.bindDn,
      bindPasswordEncrypted: this.secrets.encrypt(dto.bindPassword, id),
      baseDn: dto.baseDn,
      userFilter,
      groupFilter,
      attributes: { ...DEFAULT_ATTRIBUTES, ...stripUndefined(dto.attributes ?? {}) },
      createUsersOnLogin: dto.createUsersOnLogin ?? false,
      defaultGroupId: dto.defaultGroupId ?? null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.write(async (manager) => {
      if (directory.defaultGroupId && !(await this.directories.groupExists(manager, directory.defaultGroupId))) {
        throw ProblemException.validation([{ field: 'defaultGroupId', message: 'is not an existing group' }]);
      }
      await this.directories.insert(manager, directory);
      await this.audit.record(manager, context, {
        action: 'directory.create',
        targetType: 'directory',
        targetId: id,
        details: { name: directory.name, domain: directory.domain, url: directory.url },
      });
    });
    return versioned(directory);
  }

  async update(
    id: string,
    dto: UpdateDirectoryDto,
    ifMatch: number | undefined,
    context: RequestContext,
  ): Promise<VersionedDirectory> {
    if (dto.userFilter !== undefined) {
      parseFilter(dto.userFilter, 'userFilter');
    }
    if (dto.groupFilter !== undefined) {
      parseFilter(dto.groupFilter, 'groupFilter');
    }
    const encrypted = dto.bindPassword !== undefined ? this.secrets.encrypt(dto.bindPassword, id) : undefined;
    return this.write(async (manager) => {
      const current = await this.directories.findById(id, manager);
      if (!current) {
        throw ProblemException.notFound('directory');
      }
      if (dto.defaultGroupId && !(await this.directories.groupExists(manager, dto.defaultGroupId))) {
        throw ProblemException.validation([{ field: 'defaultGroupId', message: 'is not an existing group' }]);
      }
      const changes: Partial<DirectoryEntity> = stripUndefined({
        name: dto.name,
        nameKey: dto.name !== undefined ? nameKey(dto.name) : undefined,
        domain: dto.domain,
        domainKey: dto.domain !== undefined ? nameKey(dto.domain) : undefined,
        url: dto.url,
        bindDn: dto.bindDn,
        bindPasswordEncrypted: encrypted,
        baseDn: dto.baseDn,
        userFilter: dto.userFilter,
        groupFilter: dto.groupFilter,
        attributes: dto.attributes ? { ...current.attributes, ...stripUndefined(dto.attributes) } : undefined,
        createUsersOnLogin: dto.createUsersOnLogin,
        defaultGroupId: dto.defaultGroupId,
      });
      if (!(await this.directories.update(manager, id, changes, ifMatch))) {
        throw new ProblemException(
          412,
          'precondition_failed',
          'The directory was changed since you read it (If-Match).',
        );
      }
      await this.audit.record(manager, context, {
        action: 'directory.update',
        targetType: 'directory',
        targetId: id,
        details: {
          fields: [
            ...AUDITED_FIELDS.filter((f) => dto[f] !== undefined),
            ...(dto.bindPassword !== undefined ? ['bindPassword'] : []),
          ],
        },
      });
      const updated = await this.directories.findById(id, manager);
      return versioned(updated!);
    });
  }

  /** Deletes a directory that no user or group comes from any more (convert or delete them first). */
  async delete(id: string, context: RequestContext): Promise<void> {
    await this.transactions.run(async (manager) => {
      const directory = await this.directories.findById(id, manager);
      if (!directory) {
        throw ProblemException.notFound('directory');
      }
      const inUse = await this.directories.countPrincipals(manager, id);
      if (inUse > 0) {
        throw ProblemException.conflict(
          'directory_in_use',
          `${inUse} users or groups come from this directory; convert or delete them first.`,
        );
      }
      await this.directories.delete(manager, id);
      await this.audit.record(manager, context, {
        action: 'directory.delete',
        targetType: 'directory',
        targetId: id,
        details: { name: directory.name, domain: directory.domain },
      });
    });
  }

  /** Searches users or groups by name pattern or LDAP filter, with the directory's own credentials. */
  async search(id: string, query: SearchDirectoryQueryDto): Promise<DirectorySearchResultDto> {
    const directory = await this.require(id);
    const kind = query.kind === 'users' ? 'user' : 'group';
    const base = parseFilter(kind === 'user' ? directory.userFilter : directory.groupFilter, 'filter');
    const q = query.q?.trim() ?? '';
    const nameAttribute = kind === 'user' ? directory.attributes.username : directory.attributes.groupName;
    const filter = q.startsWith('(')
      ? and(base, parseFilter(q, 'q'))
      : q
        ? and(base, nameFilter(nameAttribute, q))
        : base;
    const { entries, truncated } = await this.withService(directory, (connection) =>
      connection.search(directory.baseDn, filter, entryAttributes(directory)),
    );
    return { items: entries.map((entry) => toEntry(directory, kind, entry)), truncated };
  }

  /** Runs `work` on a connection bound with the directory's stored credentials. */
  async withService<T>(directory: DirectoryEntity, work: (connection: LdapConnection) => Promise<T>): Promise<T> {
    if (!directory.bindPasswordEncrypted) {
      throw new ProblemException(502, 'directory_bind_failed', 'The directory has no bind password.');
    }
    const password = this.secrets.decrypt(directory.bindPasswordEncrypted, directory.id);
    return this.ldap.with(directory.url, async (connection) => {
      await connection.bindService(directory.bindDn, password);
      return work(connection);
    });
  }

  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.transactions.run(work);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw ProblemException.conflict('directory_taken', 'Another directory has this name or domain.');
      }
      throw error;
    }
  }
}

/** The attributes to read for an entry of this directory. */
export function entryAttributes(directory: DirectoryEntity): string[] {
  const a = directory.attributes;
  return [...new Set([a.username, a.fullName, a.email, a.phone, a.department, a.member, a.groupName, 'description'])];
}

function toEntry(directory: DirectoryEntity, kind: 'user' | 'group', entry: LdapEntry): DirectoryEntryDto {
  const a = directory.attributes;
  if (kind === 'group') {
    return {
      dn: entry.dn,
      kind,
      name: attributeValue(entry, a.groupName),
      fullName: null,
      email: null,
      phone: null,
      department: null,
      memberCount: attributeValues(entry, a.member).length,
    };
  }
  return {
    dn: entry.dn,
    kind,
    name: attributeValue(entry, a.username),
    fullName: attributeValue(entry, a.fullName),
    email: attributeValue(entry, a.email),
    phone: attributeValue(entry, a.phone),
    department: attributeValue(entry, a.department),
    memberCount: null,
  };
}

function versioned(directory: DirectoryEntity): VersionedDirectory {
  return { directory: toDirectoryResponse(directory, !!directory.bindPasswordEncrypted), version: directory.version };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
