import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../src/config/settings.js';

const base = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  HR_COURIER_ALLOWED_SENDERS: 'Offers@Contoso.com, people@contoso.com',
};

const refusal = (env: Record<string, string>) => {
  try {
    loadSettings(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('the config loader', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings(base);
    expect(s).toMatchObject({
      queueName: 'hr-mail',
      poisonQueueName: 'hr-mail-poison',
      ledgerTable: 'HrCourierLedger',
      allowedSenders: ['offers@contoso.com', 'people@contoso.com'],
      appConcurrency: 4,
      mailboxConcurrency: 2,
      mailboxPerMinute: 30,
      mailboxRecipientsPerDay: 9000,
      onUnknown: 'hold',
      attachmentsContainer: 'hr-attachments',
      devMode: false,
      credential: 'managed-identity',
      sendTimeoutMs: 30_000,
    });
    expect(s.graph.scope).toBe('https://graph.microsoft.com/.default');
    expect(s.leaseMs).toBeGreaterThan(s.sendTimeoutMs);
  });

  it.each([
    [{ HR_COURIER_ALLOWED_SENDERS: '' }, 'HR_COURIER_ALLOWED_SENDERS: is required'],
    [
      { HR_COURIER_ALLOWED_SENDERS: 'offers@contoso.com,not-a-mailbox' },
      'HR_COURIER_ALLOWED_SENDERS: entry 2',
    ],
    [
      { HR_COURIER_MAILBOX_CONCURRENCY: '5' },
      'HR_COURIER_MAILBOX_CONCURRENCY: must be a whole number from 1 to 4',
    ],
    [{ HR_COURIER_APP_CONCURRENCY: 'four' }, 'HR_COURIER_APP_CONCURRENCY'],
    [{ HR_COURIER_MAILBOX_PER_MINUTE: '31' }, 'HR_COURIER_MAILBOX_PER_MINUTE'],
    [{ HR_COURIER_ON_UNKNOWN: 'retry' }, 'HR_COURIER_ON_UNKNOWN: must be hold, verify'],
    [{ HR_COURIER_QUEUE: 'HR_Mail' }, 'HR_COURIER_QUEUE'],
    [{ HR_COURIER_DEV_MODE: 'yes' }, 'HR_COURIER_DEV_MODE'],
    [{ HR_COURIER_TIME_SCALE: '60' }, 'HR_COURIER_TIME_SCALE: is only allowed with HR_COURIER_DEV_MODE=1'],
    [
      { HR_COURIER_SEND_TIMEOUT_SEC: '2' },
      'HR_COURIER_SEND_TIMEOUT_SEC: must be a whole number from 5 to 120',
    ],
    [{ HR_COURIER_VERIFY_GRACE_MINUTES: '0' }, 'HR_COURIER_VERIFY_GRACE_MINUTES'],
    [{ GRAPH_BASE_URL: 'http://graph.microsoft.com' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_BASE_URL: 'https://127.0.0.1:8443' }, 'GRAPH_BASE_URL'],
    [{ AZURE_CLIENT_ID: 'abc' }, 'AZURE_CLIENT_ID'],
    [{ AzureWebJobsStorage: '' }, 'AzureWebJobsStorage'],
    [{ APPLICATIONINSIGHTS_CONNECTION_STRING: 'nonsense' }, 'APPLICATIONINSIGHTS_CONNECTION_STRING'],
  ])('stops start-up with one line naming the bad setting: %o', (override, expected) => {
    const message = refusal({ ...base, ...override });
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('scales its own waits in dev mode, never the POST timeout', () => {
    const s = loadSettings({
      ...base,
      HR_COURIER_DEV_MODE: '1',
      HR_COURIER_TIME_SCALE: '60',
      HR_COURIER_SEND_TIMEOUT_SEC: '2',
    });
    expect(s.timeScale).toBe(60);
    expect(s.sendTimeoutMs).toBe(2_000);
    expect(s.leaseMs).toBe(3_000);
  });

  it('allows the loopback simulator only in dev mode, and never in Azure', () => {
    const dev = { ...base, HR_COURIER_DEV_MODE: '1', GRAPH_BASE_URL: 'https://127.0.0.1:8443' };
    expect(loadSettings(dev).graph.customHosts).toEqual(['127.0.0.1']);
    expect(refusal({ ...dev, WEBSITE_INSTANCE_ID: 'abc123' })).toContain(
      'HR_COURIER_DEV_MODE: is refused when running in Azure',
    );
  });

  it('accepts every value in local.settings.sample.json', async () => {
    const sample = JSON.parse(
      await readFile(new URL('../../local.settings.sample.json', import.meta.url), 'utf8'),
    ) as {
      Values: Record<string, string>;
    };
    expect(() => loadSettings(sample.Values)).not.toThrow();
  });
});
