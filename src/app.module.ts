import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AuthenticationGuard } from './auth/authentication.guard';
import { AuthzModule } from './authz/authz.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { PermissionsGuard } from './common/guards/permissions.guard';
import { LoggingModule } from './common/logging/logging.module';
import { createValidationPipe } from './common/validation.pipe';
import { appConfig } from './config/app.config';
import { authConfig } from './config/auth.config';
import { databaseConfig } from './config/database.config';
import { validateEnvironment } from './config/env.validation';
import { DatabaseModule } from './database/database.module';
import { DirectoriesModule } from './directories/directories.module';
import { GroupsModule } from './groups/groups.module';
import { HealthModule } from './health/health.module';
import { RolesModule } from './roles/roles.module';
import { SessionsModule } from './sessions/sessions.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment,
      load: [appConfig, databaseConfig, authConfig],
    }),
    LoggingModule,
    DatabaseModule,
    HealthModule,
    AuditModule,
    AuthModule,
    AuthzModule,
    UsersModule,
    GroupsModule,
    RolesModule,
    SessionsModule,
    DirectoriesModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // Order matters: authenticate first, then check permissions.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: PermissionsGuard },
  ],
})
export class AppModule {}
