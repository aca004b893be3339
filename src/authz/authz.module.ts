import { Module } from '@nestjs/common';
import { AuthzController, EffectivePermissionsController } from './authz.controller';
import { AuthzRepository } from './authz.repository';
import { AuthzService } from './authz.service';

@Module({
  controllers: [AuthzController, EffectivePermissionsController],
  providers: [AuthzRepository, AuthzService],
  exports: [AuthzService],
})
export class AuthzModule {}
