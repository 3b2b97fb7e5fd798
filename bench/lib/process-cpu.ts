/**
 * CPU time of this process and of the DynamoDB Local server, to tell a CPU-bound run from one
 * that waits: when the CPU both spend per operation is about the wall time per operation, the
 * run is CPU-bound, and running operations concurrently can at most spread that CPU time over
 * the machine's cores.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system) so far of every process whose command line contains `marker`; null where `/proc` is absent. */
export function processesCpuMs(marker: string): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      // Fields after the command name `(…)`: state is field 3, utime 14 and stime 15 (1-based).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return found ? (ticks * 1000) / TICKS_PER_SECOND : null;
}

/** CPU milliseconds of this process and of DynamoDB Local, and wall milliseconds, spent by `work`. */
export interface CpuAccount {
  readonly wallMs: number;
  readonly nodeCpuMs: number;
  /** Null when the server's process cannot be seen (not on this machine, or no `/proc`). */
  readonly serverCpuMs: number | null;
}

/** Runs `work` and accounts the CPU time spent on both sides of the connection to DynamoDB Local. */
export async function accountCpu(work: () => Promise<unknown>): Promise<CpuAccount> {
  const serverBefore = processesCpuMs('DynamoDBLocal');
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const node = process.cpuUsage(nodeBefore);
  const serverAfter = processesCpuMs('DynamoDBLocal');
  return {
    wallMs,
    nodeCpuMs: (node.user + node.system) / 1000,
    serverCpuMs: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
  };
}

/** Cores this process may run on. */
export const cores = availableParallelism();
