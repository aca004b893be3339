import type { ConfigType } from '@nestjs/config';
import type { DataSource } from 'typeorm';
import type { databaseConfig } from '../config/database.config';
import { PreparedStatements } from './prepared-statements';

/** A pooled MySQL connection whose server never answers (hung, or behind a black-holed network). */
function hungConnection() {
  return { execute: jest.fn(), release: jest.fn(), destroy: jest.fn() };
}

describe('PreparedStatements on MySQL', () => {
  it('gives up on a statement the server never answers after the timeout, and destroys its connection', async () => {
    const connection = hungConnection();
    const dataSource = {
      options: { type: 'mysql' },
      driver: { obtainMasterConnection: () => Promise.resolve(connection) },
    } as unknown as DataSource;
    const config = { timeoutMs: 50 } as ConfigType<typeof databaseConfig>;
    const statements = new PreparedStatements(dataSource, config);

    await expect(statements.select('SELECT 1', [])).rejects.toMatchObject({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
    expect(connection.destroy).toHaveBeenCalledTimes(1);
    expect(connection.release).not.toHaveBeenCalled();
  });
});
