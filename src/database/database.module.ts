import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { databaseConfig } from '../config/database.config';
import { PreparedStatements } from './prepared-statements';
import { TransactionRunner } from './transaction-runner';
import { buildDataSourceOptions } from './typeorm-options';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => {
        if (config.type === 'better-sqlite3' && config.database !== ':memory:') {
          mkdirSync(dirname(config.database), { recursive: true });
        }
        return {
          ...buildDataSourceOptions(config),
          migrationsRun: config.migrationsRun,
          autoLoadEntities: true,
          retryAttempts: 5,
          retryDelay: 2000,
        };
      },
    }),
  ],
  providers: [TransactionRunner, PreparedStatements],
  exports: [TransactionRunner, PreparedStatements],
})
export class DatabaseModule {}
