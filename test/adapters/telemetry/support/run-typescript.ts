import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const HOOKS = new URL('./ts-hooks.js', import.meta.url).href;
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(HOOKS)});`,
)}`;

/**
 * Runs a TypeScript entry point of this repository in a fresh Node process and resolves when it
 * exits (it is killed after `timeoutMs`), with everything it printed.
 */
export function runTypeScript(
  entry: URL,
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', REGISTER, fileURLToPath(entry)], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
