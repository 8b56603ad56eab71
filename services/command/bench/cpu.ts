// Where CPU goes during a measurement, from /proc: the whole machine's busy time, and this
// process's main thread apart from its other threads.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) the whole machine spent busy, all processes (everyone's), from /proc/stat. */
export function machineBusyMs(): number {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Cores busy with anything but the processes measured here, over `ms` of wall time: other
 * people's work, and kernel threads (the file system journal, I/O) serving every process.
 */
export const othersCpu = (machineMs: number, oursMs: number, ms: number) =>
  Math.max(0, machineMs - oursMs) / ms;

/**
 * CPU time (ms) of this process's main thread and of its other threads (V8's compiler and
 * garbage collector helpers, libuv's pool), from /proc: where a ballot's CPU goes.
 */
export function threadCpuMs(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces): utime is 14th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (Number(tid) === process.pid) main += ms;
      else others += ms;
    }
  } catch {
    return { main: Number.NaN, others: Number.NaN };
  }
  return { main, others };
}
