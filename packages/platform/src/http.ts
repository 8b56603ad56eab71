import { randomUUID } from 'node:crypto';
import { OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AuthError, mayActOn, type Principal, type Verifier } from './auth.ts';
import type { Logger } from './logger.ts';
import { fieldErrors, problem } from './problem.ts';

export interface AppVariables {
  principal: Principal;
  requestId: string;
  logger: Logger;
}
export type AppEnv = { Variables: AppVariables };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** An OpenAPIHono whose validation failures answer 400 problem+json naming each field. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const target = (result as { target?: string }).target ?? 'body';
        return invalidInput(c, result.error.issues, target === 'json' ? 'body' : target);
      }
      return undefined;
    },
  });
}

/** 400 problem+json naming each invalid field under where it was sent (`body`, `param`, …). */
export function invalidInput(
  c: Context,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  where: string,
): Response {
  return problem(c, 400, 'invalid-input', 'The request is not valid', {
    errors: fieldErrors(issues, where),
  });
}

/** Request id (from `X-Request-Id` when well-formed), a child logger, and an access log line. */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    // A silent logger's child would be silent too: no child (and its bindings' JSON) per request.
    const child = logger.level === 'silent' ? logger : logger.child({ requestId });
    c.set('logger', child);
    const started = performance.now();
    // Set before the response exists: setting it after makes Hono rebuild the response.
    c.header('x-request-id', requestId);
    await next();
    if (!c.res.headers.has('x-request-id')) c.header('x-request-id', requestId);
    // The one line a client error gets: at warn, so it is seen, without a stack (it is no bug).
    const status = c.res.status;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    child[level](
      {
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  };
}

/** Bearer JWT to a principal; 401 problem+json when missing or invalid. */
export function authenticate(verify: Verifier): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/.exec(header) : null;
    if (!match) {
      c.header('www-authenticate', 'Bearer');
      return problem(c, 401, 'unauthenticated', 'A bearer token is required');
    }
    try {
      c.set('principal', await verify(match[1]!));
    } catch (error) {
      c.header('www-authenticate', 'Bearer error="invalid_token"');
      return problem(
        c,
        401,
        'invalid-token',
        error instanceof AuthError
          ? `The token is not valid: ${error.message}`
          : 'The token is not valid',
      );
    }
    await next();
  };
}

/** A token for one community can never act on another: 403 otherwise. */
export function communityScope(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const communityId = c.req.param('communityId');
    if (communityId !== undefined && !mayActOn(c.get('principal'), communityId)) {
      return problem(c, 403, 'community-forbidden', 'This token is not valid for this community', {
        communityId,
      });
    }
    await next();
  };
}

/**
 * 413 for a body over `maxBytes`. With a Content-Length and no Transfer-Encoding the header
 * decides, as in Hono's bodyLimit, but without touching `request.body`: on Node that would turn
 * the request into a full web Request with a stream (a tenth of a ballot's CPU). Node's parser
 * holds the body to its Content-Length. Bodies of unknown length are counted as they stream.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const onError = (c: Context<AppEnv>) =>
    problem(c, 413, 'payload-too-large', `The body exceeds ${maxBytes} bytes`);
  const streamed = bodyLimit({ maxSize: maxBytes, onError });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > maxBytes) return onError(c);
      await next();
      return;
    }
    return streamed(c, next);
  };
}

/** Last-resort handlers: unknown routes are 404, failures of our own are 503 without internals. */
export function installFallbacks(app: OpenAPIHono<AppEnv>): void {
  app.notFound((c) => problem(c, 404, 'not-found', 'No such resource'));
  app.onError((error, c: Context<AppEnv>) => {
    // Client errors are told by the access line alone (requestContext); only ours get a stack.
    const clientError =
      error instanceof SyntaxError || (error instanceof HTTPException && error.status < 500);
    if (!clientError) c.get('logger')?.error({ err: error }, 'unhandled error');
    if (error instanceof SyntaxError) {
      return problem(c, 400, 'invalid-json', 'The body is not valid JSON');
    }
    if (error instanceof HTTPException && error.status === 415) {
      // Hono's JSON validator, for a body sent without `content-type: application/json`.
      return problem(
        c,
        415,
        'unsupported-media-type',
        'The body must be sent with content-type: application/json',
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's validators throw these for malformed JSON.
      const json = /json/i.test(error.message);
      return problem(
        c,
        error.status as ContentfulStatusCode,
        json ? 'invalid-json' : 'invalid-input',
        error.message || 'The request is not valid',
      );
    }
    return problem(
      c,
      503,
      'unavailable',
      'The service could not complete the request; retry later',
    );
  });
}

/** The typed context of a documented route (validated params, query and body). */
export type RouteContext<R extends RouteConfig> = Parameters<RouteHandler<R, AppEnv>>[0];

/**
 * Registers a documented route whose handler answers with plain `Response`s (JSON or
 * problem+json). The schemas still validate input and document output; only the compile-time
 * coupling of each return to a declared status is given up, because problems are shared.
 */
export function addRoute<R extends RouteConfig>(
  app: OpenAPIHono<AppEnv>,
  route: R,
  handler: (c: RouteContext<R>) => Promise<Response>,
): void {
  app.openapi(route, handler as unknown as RouteHandler<R, AppEnv>);
}
