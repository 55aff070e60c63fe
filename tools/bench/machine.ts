import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { Redis } from 'ioredis';

export interface MachineInfo {
  nproc: string;
  cpuModel: string;
  memory: string;
  node: string;
  redisServer: string;
  redisInUse: string;
  loadAverage: string;
  date: string;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
}

export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** Read at run time, so the report says which machine produced the numbers (`redis` null: a bench that uses none). */
export async function machineInfo(redis: Redis | null): Promise<MachineInfo> {
  const free = run('free', ['-h']);
  const [header, memLine] = free.split('\n');
  const names = header?.trim().split(/\s+/) ?? [];
  const values = memLine?.startsWith('Mem:') ? memLine.trim().split(/\s+/).slice(1) : [];
  const mem = values.length ? names.map((n, i) => `${n} ${values[i] ?? '?'}`).join(', ') : '';
  const info = redis ? await redis.info('server').catch(() => '') : '';
  const version = redis ? (/redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown') : 'none';
  return {
    nproc: run('nproc', []),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: mem || free,
    node: process.version,
    redisServer: run('redis-server', ['--version']),
    redisInUse: version,
    loadAverage: loadAverage(),
    date: new Date().toISOString(),
  };
}
