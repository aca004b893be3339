import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from './app.setup';
import { createOpenApiDocument } from './swagger';

/**
 * `node dist/openapi write` regenerates openapi/openapi.json from the app (no server is started, and an
 * in-memory database stands in for the real one); `check` fails when the committed file differs.
 */
async function main(mode: string | undefined): Promise<void> {
  process.env.DATABASE_URL = 'sqlite::memory:';
  process.env.LOG_LEVEL = 'silent';
  process.env.BOOTSTRAP_ADMIN_PASSWORD ??= 'openapi-generator-only';
  const app = await createApp();
  await app.init();
  const document = `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`;
  await app.close();

  const file = resolve(__dirname, '..', 'openapi', 'openapi.json');
  if (mode === 'write') {
    writeFileSync(file, document);
    console.log(`Wrote ${file}`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    committed = '';
  }
  if (committed !== document) {
    console.error('openapi/openapi.json is stale: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi/openapi.json is up to date.');
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
