import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionsRepository } from './sessions.repository';

/** Login sessions and their refresh tokens; shared by auth (which opens them) and users (whose changes end them). */
@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity, RefreshTokenEntity])],
  providers: [SessionsRepository],
  exports: [SessionsRepository],
})
export class SessionsModule {}
