import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthzModule } from '../authz/authz.module';
import { GroupsModule } from '../groups/groups.module';
import { PasswordsModule } from '../passwords/passwords.module';
import { RolesModule } from '../roles/roles.module';
import { SessionsModule } from '../sessions/sessions.module';
import { DirectorySummaryController } from './directory-summary.controller';
import { UserEntity } from './entities/user.entity';
import { UsersController } from './users.controller';
import { UserSearchIndex } from './user-search-index';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity]),
    PasswordsModule,
    SessionsModule,
    RolesModule,
    AuthzModule,
    AuditModule,
    GroupsModule,
  ],
  controllers: [UsersController, DirectorySummaryController],
  providers: [UsersRepository, UserSearchIndex, UsersService],
  exports: [UsersRepository, UsersService],
})
export class UsersModule {}
