import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProblemException } from '../common/errors/problem.exception';
import { AuthzRepository } from './authz.repository';

@Injectable()
export class AuthzService {
  constructor(private readonly authz: AuthzRepository) {}

  async globalPermissions(userId: string): Promise<ReadonlySet<string>> {
    return new Set(await this.authz.globalPermissions(userId));
  }

  /**
   * Guards every change that could lock everyone out: call `lockAdministration` first in the transaction,
   * make the change, then this; it throws 409 `last_administrator` (rolling the change back) if no enabled
   * user could still manage users and grant roles.
   */
  async assertAdministratorRemains(manager: EntityManager): Promise<void> {
    if (!(await this.authz.hasAdministrator(manager))) {
      throw ProblemException.conflict(
        'last_administrator',
        'This change would leave no enabled user who can manage users and roles.',
      );
    }
  }

  lockAdministration(manager: EntityManager): Promise<void> {
    return this.authz.lockAdministration(manager);
  }
}
