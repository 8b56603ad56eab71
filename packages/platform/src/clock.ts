/**
 * The time commands are decided at. In production it is the system clock. A demo or an
 * end-to-end test may run a simulated clock that an admin advances (notice periods of 15
 * days cannot be waited out in a demo); every event decided under it says so in its
 * metadata (`simulatedClock: true`), so such records can never pass for real ones.
 */
export interface Clock {
  now(): Date;
  readonly simulated: boolean;
  /** Moves a simulated clock forward; throws on the system clock. */
  advance(ms: number): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
  simulated: false,
  advance() {
    throw new Error('the system clock cannot be advanced');
  },
};

/** Runs at real speed from `start`, plus whatever `advance` added. */
export function simulatedClock(start: Date = new Date()): Clock {
  const realStart = Date.now();
  let offset = 0;
  return {
    now: () => new Date(start.getTime() + (Date.now() - realStart) + offset),
    simulated: true,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('a clock only moves forward');
      offset += ms;
      return this.now();
    },
  };
}
