import { readdirSync, readFileSync } from 'node:fs';

// CPU time of one PostgreSQL server's processes, from Linux /proc (0 elsewhere): other servers
// on the machine (tests, other benchmarks) are not counted.

function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state, ppid, …; utime and stime are fields 11 and 12 from there.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The postmaster of the server a backend (from `SELECT pg_backend_pid()`) belongs to. */
export function postmasterOf(backendPid: number): number | undefined {
  const ppid = Number(statFields(backendPid)?.[1]);
  return Number.isFinite(ppid) && ppid > 0 ? ppid : undefined;
}

/** CPU seconds used so far by that server: the backends alive and those that have exited. */
export function postgresCpuSeconds(postmaster: number | undefined): number {
  if (postmaster === undefined) return 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (!fields) continue;
    if (Number(pid) === postmaster) {
      // Its own time, and that of the backends that have exited (cutime, cstime).
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } else if (Number(fields[1]) === postmaster) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks / 100;
}
