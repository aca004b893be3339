import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/errors/problem.exception';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { PasswordPolicy } from '../passwords/password-policy.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { nameKey, searchText } from '../users/username';
import { UsersService, VersionedUser } from '../users/users.service';
import { DirectoriesRepository } from './directories.repository';
import { DirectoriesService, entryAttributes } from './directories.service';
import { ConvertUserDto } from './dto/convert-user.dto';
import { profileOf } from './external-profile';
import { and, nameFilter, parseFilter } from './ldap-filters';

/**
 * Converts users between internal and external (C8, C9). Id, groups and role assignments stay; the user's
 * sessions end in the same transaction, so tokens issued before the conversion stop working at once.
 */
@Injectable()
export class UserConversionService {
  constructor(
    private readonly users: UsersService,
    private readonly directories: DirectoriesRepository,
    private readonly directoriesService: DirectoriesService,
    private readonly transactions: TransactionRunner,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
  ) {}

  async convert(id: string, dto: ConvertUserDto, context: RequestContext): Promise<VersionedUser> {
    if (dto.to === 'internal' && dto.directoryId !== undefined) {
      throw ProblemException.validation([
        { field: 'directoryId', message: 'is not accepted when converting to internal' },
      ]);
    }
    if (dto.to === 'external' && (dto.password !== undefined || dto.confirmPassword !== undefined)) {
      throw ProblemException.validation([
        { field: 'password', message: 'is not accepted when converting to external' },
      ]);
    }
    const { user } = await this.users.get(id);
    if (user.type === dto.to) {
      throw ProblemException.conflict(`already_${dto.to}`, `The user is already ${dto.to}.`);
    }
    return dto.to === 'internal'
      ? this.toInternal(id, user.username, dto.password!, context)
      : this.toExternal(id, user.username, dto.directoryId!, context);
  }

  private async toInternal(
    id: string,
    username: string,
    password: string,
    context: RequestContext,
  ): Promise<VersionedUser> {
    this.policy.assertAcceptable(password, username, 'password');
    const passwordHash = await this.hasher.hash(password);
    await this.transactions.run(async (manager) => {
      const current = await this.directories.findUserByKey(manager, nameKey(username));
      if (!current || current.id !== id) {
        throw ProblemException.notFound('user');
      }
      if (current.type === 'internal') {
        throw ProblemException.conflict('already_internal', 'The user is already internal.');
      }
      await this.directories.updateUser(manager, id, {
        type: 'internal',
        directoryId: null,
        externalDn: null,
        passwordHash,
        mustChangePassword: false,
      });
      await this.sessions.revokeAllForUser(manager, id);
      await this.audit.record(manager, context, {
        action: 'user.convert',
        targetType: 'user',
        targetId: id,
        details: { to: 'internal', fromDirectoryId: current.directoryId },
      });
    });
    return this.users.get(id);
  }

  private async toExternal(
    id: string,
    username: string,
    directoryId: string,
    context: RequestContext,
  ): Promise<VersionedUser> {
    const directory = await this.directories.findById(directoryId);
    if (!directory) {
      throw ProblemException.notFound('directory');
    }
    const filter = and(
      parseFilter(directory.userFilter, 'filter'),
      nameFilter(directory.attributes.username, username),
    );
    const { entries } = await this.directoriesService.withService(directory, (connection) =>
      connection.search(directory.baseDn, filter, entryAttributes(directory), { limit: 2 }),
    );
    if (entries.length !== 1) {
      throw ProblemException.conflict(
        'not_in_directory',
        entries.length
          ? `More than one entry of the directory has the username '${username}'.`
          : `The directory has no user named '${username}'.`,
      );
    }
    const entry = entries[0];
    const profile = profileOf(directory, entry);
    await this.transactions.run(async (manager) => {
      const current = await this.directories.findUserByKey(manager, nameKey(username));
      if (!current || current.id !== id) {
        throw ProblemException.notFound('user');
      }
      if (current.type === 'external') {
        throw ProblemException.conflict('already_external', 'The user is already external.');
      }
      // From now on the directory owns the profile, so it is synchronised at once; the local password is removed.
      await this.directories.updateUser(manager, id, {
        type: 'external',
        directoryId: directory.id,
        externalDn: entry.dn,
        passwordHash: null,
        mustChangePassword: false,
        fullName: profile.fullName,
        email: profile.email,
        phone: profile.phone,
        department: profile.department,
        searchText: searchText({ username, fullName: profile.fullName, email: profile.email }),
      });
      await this.sessions.revokeAllForUser(manager, id);
      await this.audit.record(manager, context, {
        action: 'user.convert',
        targetType: 'user',
        targetId: id,
        details: { to: 'external', directoryId: directory.id, dn: entry.dn },
      });
    });
    return this.users.get(id);
  }
}
