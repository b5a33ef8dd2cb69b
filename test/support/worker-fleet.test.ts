import { describe, expect, it } from 'vitest';
import { startWorkerFleet } from './worker-fleet.js';

// The guarantee tests lean on the fleet to fail fast and say why: a worker that dies at start-up must
// not leave a test waiting out its whole timeout with nothing to read.
describe('the worker fleet', () => {
  it('fails a wait as soon as no worker is left, quoting their stderr', async () => {
    const fleet = startWorkerFleet({
      // No HR_COURIER_ALLOWED_SENDERS: the worker refuses to start with one line naming it.
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', HR_COURIER_ALLOWED_SENDERS: '' },
      count: 2,
    });
    try {
      const error = await fleet
        .waitFor(() => false, 60_000, 'a report that cannot come')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      // The exits ended the wait, not its timeout.
      expect(message).toContain('no worker is running');
      expect(message).toMatch(/worker 0, not running, stderr:\n\s+.*HR_COURIER_ALLOWED_SENDERS/);
      expect(message).toMatch(/worker 1, not running, stderr:\n\s+.*HR_COURIER_ALLOWED_SENDERS/);
      expect((await fleet.exited(0)).code).not.toBe(0);
      expect(fleet.running(0) || fleet.running(1)).toBe(false);
    } finally {
      await fleet.stopAll();
    }
  });
});
