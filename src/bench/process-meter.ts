import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Reads a text file, or undefined when it is not there (a process that has exited, a system without /proc). */
export type ReadText = (path: string) => string | undefined;

const readProcFile: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Clock ticks per second of /proc times (USER_HZ): 100 on every mainstream Linux build. */
function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/**
 * CPU time of this process's children that have exited and been reaped, in ticks: `cutime + cstime`
 * of /proc/self/stat (fields 16 and 17, counted after the command name, which may contain spaces).
 */
export function reapedChildrenTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? cutime + cstime : undefined;
}

/** Peak resident set size (VmHWM) from /proc/<pid>/status, in bytes. */
export function peakRssBytes(status: string): number | undefined {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

export interface ProcessMeter {
  /** Starts sampling the peak RSS of a child process. */
  watch(pid: number): void;
  /** CPU ms used by children reaped since the meter started; undefined without /proc. */
  cpuMs(): number | undefined;
  /** The highest peak RSS seen of any watched process, bytes; undefined when none could be read. */
  maxPeakRssBytes(): number | undefined;
  stop(): void;
}

export interface ProcessMeterOptions {
  readText?: ReadText;
  /** How often peak RSS is read while a child runs. */
  intervalMs?: number;
}

/**
 * Measures worker processes from the parent, so hr-courier and the naive worker are measured alike and
 * neither has to report on itself. CPU comes from the kernel's accounting of reaped children (exact,
 * kills included); peak RSS from VmHWM, sampled while each child runs (it only ever grows).
 */
export function createProcessMeter(options: ProcessMeterOptions = {}): ProcessMeter {
  const readText = options.readText ?? readProcFile;
  const ticksPerSecond = clockTicksPerSecond();
  const childTicks = () => {
    const stat = readText('/proc/self/stat');
    return stat === undefined ? undefined : reapedChildrenTicks(stat);
  };
  const startTicks = childTicks();
  const watched = new Set<number>();
  let maxPeak: number | undefined;
  const sample = () => {
    for (const pid of watched) {
      const status = readText(`/proc/${pid}/status`);
      const peak = status === undefined ? undefined : peakRssBytes(status);
      if (peak === undefined) watched.delete(pid);
      else maxPeak = Math.max(maxPeak ?? 0, peak);
    }
  };
  const timer = setInterval(sample, options.intervalMs ?? 200);
  timer.unref();
  return {
    watch: (pid) => {
      watched.add(pid);
      sample();
    },
    cpuMs: () => {
      const now = childTicks();
      return now === undefined || startTicks === undefined
        ? undefined
        : ((now - startTicks) * 1000) / ticksPerSecond;
    },
    maxPeakRssBytes: () => {
      sample();
      return maxPeak;
    },
    stop: () => {
      clearInterval(timer);
    },
  };
}
