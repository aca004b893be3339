import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { directoriesConfig } from '../config/directories.config';
import { GroupsModule } from '../groups/groups.module';
import { PasswordsModule } from '../passwords/passwords.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { DirectoriesController } from './directories.controller';
import { DirectoriesRepository } from './directories.repository';
import { DirectoriesService } from './directories.service';
import { DirectoryAuthenticator } from './directory-authenticator';
import { DirectoryImportService } from './directory-import.service';
import { DirectorySecrets } from './directory-secrets';
import { DirectoryEntity } from './entities/directory.entity';
import { LdapClientFactory } from './ldap-client';
import { UserConversionController } from './user-conversion.controller';
import { UserConversionService } from './user-conversion.service';

/** LDAP directories: configuration, search, import and sync, login by bind, and user conversion. */
@Module({
  imports: [
    ConfigModule.forFeature(directoriesConfig),
    TypeOrmModule.forFeature([DirectoryEntity]),
    AuditModule,
    GroupsModule,
    PasswordsModule,
    SessionsModule,
    UsersModule,
  ],
  controllers: [DirectoriesController, UserConversionController],
  providers: [
    DirectoriesRepository,
    DirectoriesService,
    DirectoryImportService,
    DirectoryAuthenticator,
    DirectorySecrets,
    LdapClientFactory,
    UserConversionService,
  ],
  exports: [DirectoryAuthenticator],
})
export class DirectoriesModule {}
