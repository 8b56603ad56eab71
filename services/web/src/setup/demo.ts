import type { Logger } from '@yishi/platform';

// The console's "load the demo community" button (DEMO_CLOCK=1 only): runs what `pnpm demo`
// runs, once at a time, in the background; the setup page shows how far it got.

export type DemoState =
  | { kind: 'idle' }
  | { kind: 'running'; lines: readonly string[] }
  | { kind: 'done'; communityId: string }
  | { kind: 'failed'; detail: string };

/** Loads the demo, logging each line; resolves to the demo community's id. */
export type LoadDemo = (log: (line: string) => void) => Promise<string>;

const KEPT_LINES = 50;

export class DemoLoader {
  private current: DemoState = { kind: 'idle' };

  constructor(
    private readonly load: LoadDemo,
    private readonly logger: Logger,
  ) {}

  state(): DemoState {
    return this.current;
  }

  /** Starts loading unless a load is running; never throws. */
  start(): void {
    if (this.current.kind === 'running') return;
    const lines: string[] = [];
    this.current = { kind: 'running', lines };
    this.load((line) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    }).then(
      (communityId) => {
        this.current = { kind: 'done', communityId };
      },
      (error: unknown) => {
        this.logger.error({ err: error }, 'demo not loaded');
        this.current = {
          kind: 'failed',
          detail: error instanceof Error ? error.message : String(error),
        };
      },
    );
  }
}
