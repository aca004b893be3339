import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../config/database.config';
import { buildDataSourceOptions } from './typeorm-options';

/** Used by `npm run migration:run` / `migration:revert` (the TypeORM CLI). */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig()));
