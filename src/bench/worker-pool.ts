import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface WorkerPoolOptions {
  /** Node script and its arguments, e.g. `[bin/hr-courier.js, worker, --drain, --json]`. */
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  count: number;
  /** Called with each process id as it starts (resource sampling). */
  onSpawn?: (pid: number) => void;
}

export interface WorkerPool {
  /** Kills worker i with SIGKILL (a crash), waits for its exit, and starts it again. */
  crashAndRestart(i: number): Promise<void>;
  /** Resolves when every worker's current process has exited; false if `timeoutMs` passed first. */
  allExited(timeoutMs: number): Promise<boolean>;
  /** Exit codes of the processes that exited by themselves (not killed by us). */
  exitCodes(): (number | null)[];
  /** Lines of stdout that were JSON with `type: "summary"`. */
  summaries(): Record<string, unknown>[];
  /** The last lines of every worker's stderr, for diagnosing a run that went wrong. */
  stderrTail(): string;
  /** SIGKILLs whatever still runs. */
  killAll(): Promise<void>;
}

interface Slot {
  child: ChildProcess;
  exit: Promise<void>;
  stderr: string;
}

const STDERR_KEEP = 16 * 1024;

/** N worker processes of one kind on one queue: scale-out on one machine, with crashes on demand. */
export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const summaries: Record<string, unknown>[] = [];
  const codes: (number | null)[] = [];
  const killed = new Set<ChildProcess>();

  const spawnOne = (): Slot => {
    const child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const slot: Slot = {
      child,
      stderr: '',
      exit: new Promise<void>((resolve) => {
        child.once('exit', (code) => {
          if (!killed.has(child)) codes.push(code);
          resolve();
        });
        child.once('error', (e) => {
          slot.stderr += `\n[spawn failed: ${e.message}]`;
          resolve();
        });
      }),
    };
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stderr.on('data', (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString()).slice(-STDERR_KEEP);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.includes('"summary"')) return;
      try {
        const item = JSON.parse(line) as Record<string, unknown>;
        if (item.type === 'summary') summaries.push(item);
      } catch {
        // Not a summary line after all.
      }
    });
    return slot;
  };

  const slots: Slot[] = Array.from({ length: options.count }, spawnOne);
  const running = (slot: Slot) => slot.child.exitCode === null && slot.child.signalCode === null;
  const kill = async (slot: Slot) => {
    if (running(slot)) {
      killed.add(slot.child);
      slot.child.kill('SIGKILL');
    }
    await slot.exit;
  };

  return {
    crashAndRestart: async (i) => {
      const slot = slots[i];
      if (!slot) throw new RangeError(`no worker ${i}`);
      await kill(slot);
      const next = spawnOne();
      next.stderr = `${slot.stderr}\n--- crashed and restarted ---\n`;
      slots[i] = next;
    },
    allExited: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, timeoutMs);
      });
      // A restart replaces a slot while we wait: wait again until the current processes are all done.
      const settled = async (): Promise<true> => {
        for (;;) {
          const current = [...slots];
          await Promise.all(current.map((s) => s.exit));
          if (current.every((s, i) => slots[i] === s)) return true;
        }
      };
      const result = await Promise.race([settled(), timeout]);
      clearTimeout(timer);
      return result;
    },
    exitCodes: () => [...codes],
    summaries: () => [...summaries],
    stderrTail: () =>
      slots
        .map(
          (s, i) => `worker ${i}: ${s.stderr.trimEnd().split('\n').slice(-8).join('\n  ') || '(no stderr)'}`,
        )
        .join('\n'),
    killAll: async () => {
      await Promise.all(slots.map(kill));
    },
  };
}
