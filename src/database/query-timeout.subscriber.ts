import { AfterQueryEvent, EntitySubscriberInterface, EventSubscriber } from 'typeorm';

/** mysql2's error code for a query that outlived its `timeout`. */
const QUERY_TIMEOUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

interface DestroyableConnection {
  destroy(): void;
}

/**
 * mysql2 answers a timed-out query with an error but keeps the command on the connection: the connection goes
 * back to the pool still waiting for the server, and every later query on it queues behind the lost one with its
 * own timer not yet started (a hung server then holds those requests until it resumes). Destroying the connection
 * takes it out of the pool, the server rolls back whatever transaction it held, and the next query gets a fresh one.
 */
@EventSubscriber()
export class QueryTimeoutSubscriber implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent): void {
    const code = (event.error as { code?: string } | undefined)?.code;
    if (event.success || code !== QUERY_TIMEOUT) {
      return;
    }
    (event.queryRunner as unknown as { databaseConnection?: DestroyableConnection }).databaseConnection?.destroy();
  }
}
