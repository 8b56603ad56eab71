import { readdirSync, readFileSync } from 'node:fs';

// For benchmarks: the CPU time of one PostgreSQL server, from Linux /proc (NaN elsewhere), so
// that other servers on the machine (tests, other benchmarks) are not counted.

/** Fields after "pid (comm) " of /proc/<pid>/stat: state, ppid, …, utime at 11, stime at 12. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces: split after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The postmaster of the server a backend belongs to (`SELECT pg_backend_pid()` gives one). */
export function postmasterOf(backendPid: number): number | undefined {
  const ppid = Number(statFields(backendPid)?.[1]);
  return Number.isFinite(ppid) && ppid > 0 ? ppid : undefined;
}

/**
 * CPU milliseconds used so far by that server: the postmaster with the backends that have
 * exited (its cutime and cstime), and its children alive now.
 */
export function serverCpuMs(postmaster: number | undefined): number {
  if (postmaster === undefined) return Number.NaN;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return Number.NaN;
  }
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (!fields) continue; // ended meanwhile
    if (Number(pid) === postmaster) {
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } else if (Number(fields[1]) === postmaster) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux.
}
