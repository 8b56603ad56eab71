import { createApp as commandApp } from '@yishi/command';
import { MemoryEventStore } from '@yishi/event-store';
import { simulatedClock, testAuth } from '@yishi/platform';
import { createDb, createApp as projectionApp } from '@yishi/projection';

/** Where the documents say the services are (their `servers`), as `pnpm start` serves them. */
export const ORIGINS = { command: 'http://127.0.0.1:3000', projection: 'http://127.0.0.1:3001' };

export type ApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
export interface Operation {
  operationId: string;
  description?: string;
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: Schema; example?: unknown }> }>;
  'x-roles'?: string[];
}
export type Schema = { [key: string]: unknown };

export interface ApiDescription {
  document: ApiDocument;
  /** The /docs page. */
  page: string;
}

/**
 * Both services' /openapi.json and /docs, as each serves them. No database is reached: the
 * query service's pool connects on first use, and describing the routes uses none. The command
 * service runs a simulated clock, so the demo-only clock route is described too.
 */
export async function apiDescriptions(): Promise<{
  command: ApiDescription;
  projection: ApiDescription;
}> {
  const { verify } = testAuth();
  const store = new MemoryEventStore();
  const command = commandApp({ store, verify, clock: simulatedClock() });
  const db = createDb('postgres://nobody@127.0.0.1:1/none', 1);
  try {
    const projection = projectionApp({ db, store, verify, projectors: [] });
    const describe = async (app: typeof command, origin: string) => ({
      document: (await (await app.request(`${origin}/openapi.json`)).json()) as ApiDocument,
      page: await (await app.request(`${origin}/docs`)).text(),
    });
    return {
      command: await describe(command, ORIGINS.command),
      projection: await describe(projection, ORIGINS.projection),
    };
  } finally {
    await db.destroy();
  }
}
