import { inject } from 'vitest';
import { freshDatabase } from './databases.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** A fresh database on the test run's PostgreSQL server (started by the global setup). */
export function testDatabaseUrl(): Promise<string> {
  return freshDatabase(inject('pgAdminUrl'));
}
