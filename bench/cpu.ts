/**
 * CPU time by thread while a measurement runs (Linux /proc; elsewhere no figures): this process's
 * main thread, the threads a measurement starts (the processor's feeder thread), the other threads
 * already running (V8's garbage collection and compiler helpers, libuv's pool), and nats-server.
 * On a machine with few cores these, not one thread's speed, set the ceiling of a pipeline.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';

export interface CpuSplit {
  main: number;
  started: number;
  helpers: number;
  server: number;
}

type Sample = { threads: Map<number, number>; server: number };

const TICK_MS = 10; // USER_HZ is 100 on Linux
const AVAILABLE = existsSync('/proc/self/task');

/** utime + stime of a /proc stat line, in ms. */
function cpuMs(statFile: string): number {
  try {
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0; // the thread ended meanwhile
  }
}

function sample(serverPid: number | undefined): Sample {
  const threads = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task'))
    threads.set(Number(tid), cpuMs(`/proc/self/task/${tid}/stat`));
  return { threads, server: serverPid ? cpuMs(`/proc/${serverPid}/stat`) : 0 };
}

/** Starts measuring; the returned function gives the CPU ms each group used since (undefined off Linux). */
export function cpuMeter(serverPid: number | undefined): () => CpuSplit | undefined {
  if (!AVAILABLE) return () => undefined;
  const before = sample(serverPid);
  return () => {
    const after = sample(serverPid);
    const split: CpuSplit = { main: 0, started: 0, helpers: 0, server: after.server - before.server };
    for (const [tid, ms] of after.threads) {
      const was = before.threads.get(tid);
      if (tid === process.pid) split.main += ms - (was ?? 0);
      else if (was === undefined) split.started += ms;
      else split.helpers += ms - was;
    }
    return split;
  };
}

/** "main 9.9 · feeder 4.3 · helpers 3.2 · nats-server 4.0 µs/msg" for `count` messages. */
export function perMessage(split: CpuSplit | undefined, count: number, startedName: string): string {
  if (!split) return 'n/a (no /proc)';
  const us = (ms: number) => ((ms * 1000) / count).toFixed(1);
  const parts = [`main ${us(split.main)}`];
  if (split.started) parts.push(`${startedName} ${us(split.started)}`);
  parts.push(`GC/pool helpers ${us(split.helpers)}`, `nats-server ${us(split.server)}`);
  const total = split.main + split.started + split.helpers + split.server;
  return `${parts.join(' · ')} = ${us(total)} µs/msg`;
}
