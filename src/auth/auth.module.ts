import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthzModule } from '../authz/authz.module';
import { DirectoriesModule } from '../directories/directories.module';
import { PasswordsModule } from '../passwords/passwords.module';
import { RolesModule } from '../roles/roles.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { MeController } from './me.controller';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { BruteForceRepository } from './brute-force.repository';
import { BruteForceService } from './brute-force.service';
import { LoginFailureEntity } from './entities/login-failure.entity';
import { RateLimitEntity } from './entities/rate-limit.entity';
import { SigningKeyEntity } from './entities/signing-key.entity';
import { SigningKeysService } from './signing-keys.service';
import { TokensService } from './tokens.service';
import { UserSessionsController } from './user-sessions.controller';
import { UserSessionsService } from './user-sessions.service';

@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forFeature([SigningKeyEntity, LoginFailureEntity, RateLimitEntity]),
    SessionsModule,
    UsersModule,
    RolesModule,
    AuthzModule,
    AuditModule,
    PasswordsModule,
    DirectoriesModule,
  ],
  controllers: [AuthController, MeController, UserSessionsController],
  providers: [
    SigningKeysService,
    TokensService,
    AuthService,
    LocalStrategy,
    BootstrapAdminService,
    BruteForceRepository,
    BruteForceService,
    UserSessionsService,
  ],
  exports: [TokensService, SigningKeysService, BruteForceService],
})
export class AuthModule {}
