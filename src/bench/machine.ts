import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  /** Cores this process may use (what the workers, Azurite and the simulator share). */
  cores: number;
  node: string;
  os: string;
  memoryGiB: number;
  /** The 1-minute load average when the benchmark started: other work on the machine skews the numbers. */
  loadAverage: number;
}

/** The machine the numbers came from: they mean little without it. */
export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(m: MachineInfo): string {
  return (
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; ` +
    `load average ${m.loadAverage} at the start`
  );
}
