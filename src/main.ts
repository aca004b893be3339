import './heap-tuning';
import { ConfigService } from '@nestjs/config';
import { createApp } from './app.setup';
import { installGracefulShutdown } from './common/graceful-shutdown';
import { validateEnvironment } from './config/env.validation';

async function bootstrap(): Promise<void> {
  validateEnvironment(process.env);
  const app = await createApp();
  const config = app.get(ConfigService);
  installGracefulShutdown(app);
  await app.listen({ port: config.getOrThrow<number>('app.port'), host: config.getOrThrow<string>('app.host') });
}

bootstrap().catch((error: unknown) => {
  // One clear line (a bad variable, an unreachable database) instead of a stack trace.
  console.error(`roster: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
