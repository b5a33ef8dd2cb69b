import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGraphCredential,
  graphCredentialOptionsFromEnv,
} from '../../../src/adapters/graph/credential.js';

describe('HR_COURIER_CREDENTIAL and AZURE_CLIENT_ID', () => {
  it('uses the managed identity unless asked otherwise', () => {
    expect(graphCredentialOptionsFromEnv({})).toEqual({ kind: 'managed-identity' });
    expect(graphCredentialOptionsFromEnv({ HR_COURIER_CREDENTIAL: '' })).toEqual({
      kind: 'managed-identity',
    });
    expect(graphCredentialOptionsFromEnv({ HR_COURIER_CREDENTIAL: 'managed-identity' })).toEqual({
      kind: 'managed-identity',
    });
  });

  it('passes a user-assigned identity on, for either kind', () => {
    expect(graphCredentialOptionsFromEnv({ AZURE_CLIENT_ID: 'cid' })).toEqual({
      kind: 'managed-identity',
      clientId: 'cid',
    });
    expect(
      graphCredentialOptionsFromEnv({ HR_COURIER_CREDENTIAL: 'default', AZURE_CLIENT_ID: 'cid' }),
    ).toEqual({
      kind: 'default',
      clientId: 'cid',
    });
  });

  it('refuses anything else in one line naming the setting, not the value', () => {
    expect(() => graphCredentialOptionsFromEnv({ HR_COURIER_CREDENTIAL: 'client-secret' })).toThrow(
      /^HR_COURIER_CREDENTIAL must be "managed-identity" \(the default\) or "default"$/u,
    );
  });
});

/** An App Service-style managed-identity endpoint that records what it was asked. */
describe('the managed-identity credential', () => {
  const asked: { query: URLSearchParams; secret: string | undefined }[] = [];
  let endpoint: Server;

  beforeAll(async () => {
    endpoint = createServer((req: IncomingMessage, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const secret = req.headers['x-identity-header'];
      asked.push({ query: url.searchParams, secret: typeof secret === 'string' ? secret : undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: `token-for-${url.searchParams.get('client_id') ?? 'system'}`,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: url.searchParams.get('resource'),
          token_type: 'Bearer',
        }),
      );
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.address() as AddressInfo;
    // What App Service and Functions set for their managed identity.
    process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${port}/msi/token`;
    process.env.IDENTITY_HEADER = 'endpoint-secret';
  });
  afterAll(async () => {
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
    await new Promise<void>((resolve) =>
      endpoint.close(() => {
        resolve();
      }),
    );
  });

  it('asks for the user-assigned identity named by its client id, for the Graph audience', async () => {
    const credential = createGraphCredential({ kind: 'managed-identity', clientId: 'user-assigned-id' });
    const token = await credential.getToken('https://graph.microsoft.us/.default');

    expect(token?.token).toBe('token-for-user-assigned-id');
    const request = asked.at(-1);
    expect(request?.secret).toBe('endpoint-secret');
    expect(request?.query.get('client_id')).toBe('user-assigned-id');
    expect(request?.query.get('resource')).toBe('https://graph.microsoft.us');
  });

  it('asks for the system-assigned identity when no client id is set', async () => {
    const credential = createGraphCredential({ kind: 'managed-identity' });
    const token = await credential.getToken('https://graph.microsoft.com/.default');

    expect(token?.token).toBe('token-for-system');
    expect(asked.at(-1)?.query.has('client_id')).toBe(false);
  });
});
