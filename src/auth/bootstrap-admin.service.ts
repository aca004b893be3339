import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../common/errors/database-errors';
import { SYSTEM_CONTEXT } from '../common/request-context';
import { authConfig } from '../config/auth.config';
import { TransactionRunner } from '../database/transaction-runner';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { PREDEFINED_ROLES } from '../roles/permissions';
import { RoleAssignmentsRepository } from '../roles/role-assignments.repository';
import { newUser } from '../users/new-user';
import { UsersRepository } from '../users/users.repository';

/**
 * On a first start with no users, creates the administrator (User Manager, Security Manager and Server
 * Administrator, globally). Without `BOOTSTRAP_ADMIN_PASSWORD` a strong password is generated and logged once.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdminService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    @Inject(authConfig.KEY)
    private readonly config: ConfigType<typeof authConfig>,
    private readonly users: UsersRepository,
    private readonly assignments: RoleAssignmentsRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.users.isEmpty())) {
      return;
    }
    const { username } = this.config.bootstrapAdmin;
    const generated = this.config.bootstrapAdmin.password ? undefined : randomBytes(18).toString('base64url');
    const password = this.config.bootstrapAdmin.password ?? generated!;
    const admin = newUser({ username, fullName: 'Administrator', passwordHash: await this.hasher.hash(password) });
    try {
      await this.transactions.run(async (manager) => {
        await this.users.insert(manager, admin);
        await this.assignments.assignGlobal(manager, { type: 'user', id: admin.id }, [
          PREDEFINED_ROLES.userManager,
          PREDEFINED_ROLES.securityManager,
          PREDEFINED_ROLES.serverAdministrator,
        ]);
        await this.audit.record(manager, SYSTEM_CONTEXT, {
          action: 'user.bootstrap',
          targetType: 'user',
          targetId: admin.id,
          details: { username },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        return; // another replica created it first
      }
      throw error;
    }
    this.logger.log(`Created the bootstrap administrator '${username}'.`);
    if (generated) {
      // Printed once, on purpose: there is no other way to learn a generated password.
      this.logger.warn(`Generated password for '${username}': ${generated} (change it after the first login)`);
    }
  }
}
