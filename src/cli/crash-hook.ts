import type { CrashPoint } from '../core/delivery/types.js';

const POINTS: readonly CrashPoint[] = [
  'before-mark',
  'after-mark',
  'during-send',
  'after-send',
  'after-record',
];

/**
 * Dev-mode crash hooks (docs/architecture.md §9): `HR_COURIER_CRASH_AT=<point>` kills the process with SIGKILL
 * when a delivery reaches that point, so tests can prove what a crash there leaves behind.
 * `during-send` kills `HR_COURIER_CRASH_DELAY_MS` (default 200) after the POST has started, while
 * Graph is working on it. Ignored unless HR_COURIER_DEV_MODE is on (which is itself refused in Azure).
 */
export function crashHookFromEnv(
  env: Record<string, string | undefined>,
  devMode: boolean,
): ((point: CrashPoint) => void) | undefined {
  const at = env.HR_COURIER_CRASH_AT;
  if (!devMode || at === undefined || at === '') return undefined;
  if (!(POINTS as readonly string[]).includes(at)) {
    throw new Error(`HR_COURIER_CRASH_AT: must be one of ${POINTS.join(', ')}`);
  }
  const delayMs = Number(env.HR_COURIER_CRASH_DELAY_MS ?? 200);
  const kill = () => process.kill(process.pid, 'SIGKILL');
  return (point) => {
    if (point !== at) return;
    if (point === 'during-send') setTimeout(kill, Number.isFinite(delayMs) ? delayMs : 200);
    else kill();
  };
}
