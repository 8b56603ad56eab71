import type { OpenAPIHono } from '@hono/zod-openapi';
import { docsPage } from './docs-page.ts';
import { exampleOf, problemExample } from './examples.ts';
import type { AppEnv } from './http.ts';

// One way for both services to describe themselves: /openapi.json and the /docs page. What the
// platform's middleware answers on every route (X-Request-Id, 401, 403 for another community,
// 413 and 415 on bodies, 503) is documented here, once, where that middleware lives.

export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
}

type Json = Record<string, unknown>;
type Operation = Json & {
  responses: Record<string, Json & { headers?: Json }>;
  security?: unknown[];
  requestBody?: unknown;
};

/** Response headers, referred to as `#/components/headers/<name>`. */
export const RESPONSE_HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description:
      'The request id: the X-Request-Id sent (1–128 of `A-Za-z0-9._:-`) or a new UUID; logged with the request',
    schema: { type: 'string' },
    example: '7d0c8a4e-1f4b-4f63-9f2e-6a1b2c3d4e5f',
  },
  ETag: {
    description:
      'The stream version after the command, quoted: send it as If-Match to the next one',
    schema: { type: 'string' },
    example: '"3"',
  },
  'Idempotent-Replayed': {
    description:
      'true: this is the first answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
    example: 'true',
  },
  Location: {
    description:
      'Where the created resource is served: its absolute URL on the query (projection) service',
    schema: { type: 'string', format: 'uri' },
    example: 'http://127.0.0.1:3001/v1/communities/c1/proposals/p1',
  },
  'WWW-Authenticate': {
    description: 'Bearer, with error="invalid_token" when a token was sent but refused',
    schema: { type: 'string' },
    example: 'Bearer error="invalid_token"',
  },
};

export type ResponseHeader =
  | 'X-Request-Id'
  | 'ETag'
  | 'Idempotent-Replayed'
  | 'Location'
  | 'WWW-Authenticate';

export const headerRef = (name: ResponseHeader) => ({
  $ref: `#/components/headers/${name}`,
});

/** A problem response in the generated document (the zod schema is the `Problem` component). */
const problem = (description: string, headers: Json = {}) => ({
  description,
  headers,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * Serves `/openapi.json` (OpenAPI 3.1, `servers` being where it was fetched from) and `/docs`.
 * Call after every documented route is registered.
 */
export function serveApiDescription(
  app: OpenAPIHono<AppEnv>,
  info: ApiInfo,
  docsTitle: string,
): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT (HS256 from `pnpm run token`, or RS256/ES256 from the identity provider) with `sub`, `role`, `communities` and `exp`',
  });
  app.get('/openapi.json', (c) => c.json(apiDocument(app, info, new URL(c.req.url).origin)));
  app.get('/docs', (c) =>
    c.html(docsPage(docsTitle, apiDocument(app, info, new URL(c.req.url).origin))),
  );
}

/** The service's OpenAPI document, with what the platform's middleware answers added. */
export function apiDocument(app: OpenAPIHono<AppEnv>, info: ApiInfo, origin: string): Json {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { ...info },
    servers: [{ url: origin, description: 'This service, as this document was fetched from it' }],
  }) as unknown as {
    info: Json;
    paths: Record<string, Record<string, Operation>>;
    components: Json;
  };
  // The repository grants no licence: said so (an SPDX LicenseRef) rather than one invented.
  // Set here: the generator's types know OpenAPI 3.0's licence object, without `identifier`.
  document.info.license = {
    name: 'Proprietary: all rights reserved',
    identifier: 'LicenseRef-Proprietary',
  };
  const schemas = ((document.components.schemas ?? {}) as Json) ?? {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      addPlatformResponses(path, operation);
      addExamples(path, operation, schemas);
    }
  }
  // Only the headers some response refers to (an unused component is a lint warning).
  const text = JSON.stringify(document.paths);
  document.components.headers = Object.fromEntries(
    Object.entries(RESPONSE_HEADERS).filter(([name]) =>
      text.includes(`"#/components/headers/${name}"`),
    ),
  );
  return document as unknown as Json;
}

/** An example on each request body and response that has none (see examples.ts). */
function addExamples(path: string, operation: Operation, schemas: Json): void {
  const requestBody = operation.requestBody as { content?: Record<string, Json> } | undefined;
  for (const media of Object.values(requestBody?.content ?? {})) {
    media.example ??= exampleOf(media.schema, schemas);
  }
  const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => `${name.replace(/Id$/, '')}1`);
  for (const [status, response] of Object.entries(operation.responses)) {
    for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
      media.example ??=
        type === 'application/problem+json'
          ? problemExample(Number(status), String(response.description ?? ''), concrete)
          : exampleOf(media.schema, schemas);
    }
  }
}

function addPlatformResponses(path: string, operation: Operation): void {
  const { responses } = operation;
  const add = (status: string, response: Json) => {
    responses[status] ??= response;
  };
  if (operation.security?.length) {
    add(
      '401',
      problem(
        'No bearer token (`unauthenticated`) or one that is not valid (`invalid-token`: expired, wrong issuer or audience, no `exp`, lifetime over the limit)',
        { 'WWW-Authenticate': headerRef('WWW-Authenticate') },
      ),
    );
  }
  if (path.includes('{communityId}')) {
    add('403', problem('`community-forbidden`: the token is not valid for this community'));
  }
  if (operation.requestBody) {
    add('400', problem('`invalid-input` (each field in `errors`) or `invalid-json`'));
    add('413', problem('`payload-too-large`: the body exceeds the limit'));
    add('415', problem('`unsupported-media-type`: the body was not sent as application/json'));
  }
  add('503', problem('`unavailable`: the service could not complete the request; retry later'));
  for (const response of Object.values(responses)) {
    response.headers = { ...response.headers, 'X-Request-Id': headerRef('X-Request-Id') };
  }
}
