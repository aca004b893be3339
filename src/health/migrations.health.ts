import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Up when every committed migration has been applied to the database. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      const pending = await this.dataSource.showMigrations();
      return pending ? indicator.down({ message: 'Migrations are pending' }) : indicator.up();
    } catch (error) {
      return indicator.down({
        message: error instanceof Error ? error.message : 'Cannot read migrations',
      });
    }
  }
}
