import { describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../../src/adapters/telemetry/console-logger.js';
import { createManualClock } from '../../fakes/clock.js';

function capture(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}

describe('createConsoleLogger', () => {
  it('writes one JSON line per entry with level, message and properties', () => {
    const out = capture();
    const log = createConsoleLogger({ json: true, write: out.write, clock: createManualClock(0) });
    log.info('message delivered', { key: 'k-1', attempts: 2, resend: false, skipped: undefined });
    log.error('ledger unavailable');
    expect(out.lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        time: '1970-01-01T00:00:00.000Z',
        level: 'info',
        message: 'message delivered',
        properties: { key: 'k-1', attempts: 2, resend: false },
      },
      { time: '1970-01-01T00:00:00.000Z', level: 'error', message: 'ledger unavailable', properties: {} },
    ]);
  });

  it('writes readable text with key=value pairs, quoting values that contain spaces', () => {
    const out = capture();
    const log = createConsoleLogger({ json: false, write: out.write });
    log.warn('mailbox paused', { sender: 'offers@contoso.com', reason: 'Retry-After 30 s', seconds: 30 });
    expect(out.lines).toEqual([
      'WARN  mailbox paused sender=offers@contoso.com reason="Retry-After 30 s" seconds=30',
    ]);
  });

  it('keeps an entry on one line even when its message or values hold line breaks', () => {
    const out = capture();
    const log = createConsoleLogger({ json: false, write: out.write });
    log.error('first\nsecond', { detail: 'a\r\nb' });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toBe('ERROR first\\nsecond detail="a\\r\\nb"');
  });

  it('drops entries below the minimum level', () => {
    const out = capture();
    const log = createConsoleLogger({ json: false, write: out.write, minLevel: 'warn' });
    log.info('noise');
    log.warn('kept');
    log.error('kept too');
    expect(out.lines).toEqual(['WARN  kept', 'ERROR kept too']);
  });
});
