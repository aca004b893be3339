import { Injectable } from '@nestjs/common';
import { AuthzRepository } from './authz.repository';

@Injectable()
export class AuthzService {
  constructor(private readonly authz: AuthzRepository) {}

  async globalPermissions(userId: string): Promise<ReadonlySet<string>> {
    return new Set(await this.authz.globalPermissions(userId));
  }
}
