import { Module } from '@nestjs/common';
import { AuthzRepository } from './authz.repository';
import { AuthzService } from './authz.service';

@Module({
  providers: [AuthzRepository, AuthzService],
  exports: [AuthzService],
})
export class AuthzModule {}
