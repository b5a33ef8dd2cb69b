import { ManagedIdentityCredential } from '@azure/identity';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { systemClock, systemIds } from '../../../src/adapters/system/system-clock.js';
import { HR_COURIER_KEY_PROPERTY_ID } from '../../../src/ports/graph.js';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../src/sim/index.js';

/**
 * The folder of the certificate vitest.config.ts generated and told every test worker to trust.
 * A simulator must serve that one, or the workers' TLS checks refuse it.
 */
export function trustedCertDir(): string {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (!ca) throw new Error('NODE_EXTRA_CA_CERTS is not set: run the tests through vitest.config.ts');
  return dirname(ca);
}

export interface TestSimulator {
  sim: SimulatorHandle;
  outboxDir: string;
  stop(): Promise<void>;
}

/** A test simulator's options: the system clock and ids unless a test brings its own. */
export type TestSimulatorOptions = Omit<SimulatorOptions, 'certDir' | 'outboxDir' | 'clock' | 'ids'> &
  Partial<Pick<SimulatorOptions, 'clock' | 'ids'>>;

/** Starts a simulator with the trusted certificate and a fresh outbox in a temporary folder. */
export async function startTestSimulator(options: TestSimulatorOptions): Promise<TestSimulator> {
  const outboxDir = await mkdtemp(join(tmpdir(), 'hr-courier-sim-'));
  const sim = await startSimulator({
    clock: systemClock,
    ids: systemIds,
    ...options,
    certDir: trustedCertDir(),
    outboxDir,
  });
  return {
    sim,
    outboxDir,
    stop: async () => {
      await sim.close();
      await rm(outboxDir, { recursive: true, force: true });
    },
  };
}

/**
 * Acquires a Graph token with the real ManagedIdentityCredential from the simulator's App Service
 * style endpoint. msal-node picks its identity source once per process, from the environment.
 */
export async function acquireGraphToken(sim: SimulatorHandle): Promise<string> {
  process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
  process.env.IDENTITY_HEADER = sim.identityHeader;
  const credential = new ManagedIdentityCredential();
  const token = await credential.getToken('https://graph.microsoft.com/.default');
  return token.token;
}

export interface GraphCall {
  method?: string;
  token?: string;
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphReply {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

/** A plain fetch to the simulator over HTTPS: no TLS options, so only the trusted CA makes it work. */
export async function callGraph(
  sim: SimulatorHandle,
  path: string,
  call: GraphCall = {},
): Promise<GraphReply> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
  let body: string | Buffer | undefined;
  if (typeof call.body === 'string' || Buffer.isBuffer(call.body)) body = call.body;
  else if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method: call.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

/** Graph's error body, typed for assertions. */
export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

export function graphError(reply: GraphReply): GraphErrorBody['error'] {
  return (reply.json() as GraphErrorBody).error;
}

/** A valid sendMail body; `message` fields can be overridden or removed (set to undefined). */
export function mailBody(
  message: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    message: {
      subject: 'Your offer',
      body: { contentType: 'HTML', content: '<p>Welcome aboard.</p>' },
      toRecipients: [{ emailAddress: { address: 'ada@example.org', name: 'Ada Lovelace' } }],
      ...message,
    },
    saveToSentItems: true,
    ...extra,
  };
}

export function keyProperty(key: string): { id: string; value: string }[] {
  return [{ id: HR_COURIER_KEY_PROPERTY_ID, value: key }];
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The look-up hr-courier's verify makes: every folder, filtered on the HrCourierKey property. */
export function lookupPath(mailbox: string, key: string): string {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq ${quote(HR_COURIER_KEY_PROPERTY_ID)} and ep/value eq ${quote(key)})`;
  return `/v1.0/users/${mailbox}/messages?$filter=${encodeURIComponent(filter)}`;
}

/** The number of messages a look-up found. */
export function foundCount(reply: GraphReply): number {
  return (reply.json() as { value: unknown[] }).value.length;
}
