// A progress line for long CLI runs: bar, count, rate and ETA; redrawn in place on a terminal,
// printed every few seconds otherwise.

const BAR = 28;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function progressLine(done: number, total: number, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  return (
    `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ` +
    `${done.toLocaleString('en')}/${total.toLocaleString('en')} events  ` +
    `${Math.round(rate).toLocaleString('en')} events/s  ETA ${duration(eta)}`
  );
}

export class Progress {
  private readonly started = performance.now();
  private lastPrint = 0;
  done = 0;

  constructor(
    private total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  add(n: number): void {
    this.done += n;
    if (this.done > this.total) this.total = this.done;
    const now = performance.now();
    if (this.out.isTTY) {
      if (now - this.lastPrint > 100) {
        this.out.write(`\r${progressLine(this.done, this.total, now - this.started)}`);
        this.lastPrint = now;
      }
    } else if (now - this.lastPrint > 5000) {
      this.out.write(`${progressLine(this.done, this.total, now - this.started)}\n`);
      this.lastPrint = now;
    }
  }

  finish(): { events: number; ms: number } {
    const ms = performance.now() - this.started;
    this.out.write(`${this.out.isTTY ? '\r' : ''}${progressLine(this.done, this.done, ms)}\n`);
    return { events: this.done, ms };
  }
}
