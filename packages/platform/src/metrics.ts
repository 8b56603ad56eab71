import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '@yishi/domain';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Principal, Verifier } from './auth.ts';
import { type AppEnv, authenticate } from './http.ts';
import { problem } from './problem.ts';

/** Prometheus metrics of one service: its own registry, so apps in tests do not collide. */
export interface Metrics {
  registry: Registry;
  middleware: MiddlewareHandler<AppEnv>;
  /** A counter of this service (labelled with it). */
  counter(name: string, help: string): Counter.Internal;
  /** A histogram of this service (labelled with it). */
  histogram(name: string, help: string, buckets: number[]): Histogram.Internal<string>;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  // Each series is labelled with the service where it is made, not by the registry's default
  // labels: a scrape merges those into every series' labels with a spread that rewrites the
  // `type` of objects shaped `{ type, … }`, which deoptimises every compiled function that
  // reads an event's or a command's `type` (#21).
  const labels = { service };
  collectDefaultMetrics({ register: registry, labels });
  const requests = new Counter({
    name: 'yishi_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status', 'service'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'yishi_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['service', 'method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    await next();
    // The route pattern, not the path: ids must not explode the label set.
    const route = routePath(c, -1) || 'unmatched';
    const method = c.req.method;
    requests.inc({ method, route, status: String(c.res.status), service });
    duration.observe({ service, method, route }, (performance.now() - started) / 1000);
  };
  return {
    registry,
    middleware,
    counter: (name, help) =>
      new Counter({ name, help, labelNames: ['service'], registers: [registry] }).labels(labels),
    histogram: (name, help, buckets) =>
      new Histogram({ name, help, buckets, labelNames: ['service'], registers: [registry] }).labels(
        labels,
      ),
  };
}

export interface MetricsAccess {
  verify: Verifier;
  /** `METRICS_TOKEN`: the bearer token a scraper sends; unset, only officials and admins read. */
  token?: string | undefined;
}

/** Roles whose JWT reads the metrics (routes, rates and errors tell how the service is used). */
const METRICS_READERS: ReadonlySet<Role> = new Set(['official', 'admin']);

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` of a service: for a bearer `METRICS_TOKEN` (compared in constant time) or the
 * JWT of an official or admin; 401 problem+json without either, 403 for other roles.
 */
export function serveMetrics(app: Hono<AppEnv>, metrics: Metrics, access: MetricsAccess): void {
  const expected = access.token ? sha256(access.token) : undefined;
  const signedIn = authenticate(access.verify);
  const figures = async (c: Context<AppEnv>) =>
    c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  app.get('/metrics', async (c) => {
    const bearer = /^Bearer (\S{1,8192})$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (expected && bearer && timingSafeEqual(sha256(bearer), expected)) return figures(c);
    let principal: Principal | undefined;
    const refused = await signedIn(c, async () => {
      principal = c.get('principal');
    });
    if (!principal)
      return refused ?? problem(c, 401, 'unauthenticated', 'A bearer token is required');
    if (!METRICS_READERS.has(principal.role)) {
      return problem(c, 403, 'role-forbidden', `Role ${principal.role} may not read the metrics`, {
        allowed: [...METRICS_READERS],
      });
    }
    return figures(c);
  });
}
