import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

const DESCRIPTION = `Users, groups, roles and login for other services: the Users application of Teamwork Cloud Admin as a service.

**Getting started**
1. Open **auth → POST /api/v1/auth/login**, press *Try it out*, enter the administrator's username and password and
   *Execute*. The access token of a successful login is put into **Authorize** for you (the padlocks close).
2. Use any operation. Access tokens live 5 minutes: log in again, or exchange the refresh token at \`/auth/refresh\`.

Errors are RFC 9457 \`application/problem+json\` with a stable \`code\` (\`validation_failed\`, \`invalid_credentials\`,
\`account_disabled\`, \`username_taken\`, \`not_found\`, \`precondition_failed\`, \`last_administrator\`, …) and the
\`requestId\` that is also in the \`X-Request-Id\` header. Lists are keyset-paged: pass \`nextCursor\` back as \`cursor\`.`;

/** Tags in the order an administrator works through them. */
const TAGS: [string, string][] = [
  ['auth', 'Log in, refresh and end sessions; token introspection and signing keys'],
  ['me', 'My account: profile and password'],
  ['users', 'Internal and external users: create, edit, enable/disable, delete, search'],
  ['groups', 'User groups and their members'],
  ['roles', 'Roles made of permissions, and who holds them'],
  ['authz', 'Permission checks for other services'],
  ['directories', 'LDAP directories: import, synchronise, log in by bind'],
  ['audit', 'Who changed what, and every login'],
  ['health', 'Liveness and readiness for orchestrators'],
];

const BEARER = 'bearer';

/**
 * Runs in the browser (Swagger UI serialises it): a successful login's access token goes straight into
 * Authorize, so an administrator never copies a token by hand.
 */
function authorizeFromLogin(response: { url: string; status: number; body?: { accessToken?: unknown } }): unknown {
  const token = response.body?.accessToken;
  if (
    response.status === 200 &&
    /\/api\/v1\/(auth\/(login|refresh)|me\/password)$/.test(response.url) &&
    typeof token === 'string'
  ) {
    const ui = (globalThis as unknown as { ui?: { preauthorizeApiKey(name: string, value: string): void } }).ui;
    ui?.preauthorizeApiKey('bearer', token);
  }
  return response;
}

/** Error responses carry problem details: say so with their real media type. */
function useProblemMediaType(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, unknown> }> }).responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json && response.content) {
          response.content = { 'application/problem+json': json };
        }
      }
    }
  }
  return document;
}

export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Roster')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER);
  for (const [name, description] of TAGS) {
    builder.addTag(name, description);
  }
  return useProblemMediaType(SwaggerModule.createDocument(app, builder.build()));
}

/** Swagger UI at /docs (the admin console) and the document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Roster',
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      docExpansion: 'list',
      filter: true,
      tryItOutEnabled: false,
      responseInterceptor: authorizeFromLogin,
    },
  });
}
