/**
 * CPU time of this process and of the DynamoDB Local server, to tell a CPU-bound run from one
 * that waits: when the CPU both spend per operation is about the wall time per operation, the
 * run is CPU-bound, and running operations concurrently can at most spread that CPU time over
 * the machine's cores.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system, all threads) so far of process `pid`; null where `/proc` is absent or the process is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    // Fields after the command name `(…)`: state is field 3, utime 14 and stime 15 (1-based).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU milliseconds of this process and of DynamoDB Local, and wall milliseconds, spent by `work`. */
export interface CpuAccount {
  readonly wallMs: number;
  readonly nodeCpuMs: number;
  /** Null when the server's process cannot be seen (not on this machine, or no `/proc`). */
  readonly serverCpuMs: number | null;
}

/**
 * Runs `work` and accounts the CPU time spent on both sides of the connection to DynamoDB Local:
 * this process, and the server's process `serverPid` (only that one: other DynamoDB Local
 * servers on the machine, such as another job's tests, are not counted). Pass undefined when the
 * server's process is not known; its CPU is then null.
 */
export async function accountCpu(work: () => Promise<unknown>, serverPid: number | undefined): Promise<CpuAccount> {
  const serverCpu = () => (serverPid === undefined ? null : processCpuMs(serverPid));
  const serverBefore = serverCpu();
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const node = process.cpuUsage(nodeBefore);
  const serverAfter = serverCpu();
  return {
    wallMs,
    nodeCpuMs: (node.user + node.system) / 1000,
    serverCpuMs: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
  };
}

/** Cores this process may run on. */
export const cores = availableParallelism();
