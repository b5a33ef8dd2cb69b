import { createServer, type AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { HR_COURIER_KEY_PROPERTY_ID, type SendMailRequest } from '../../../../src/ports/graph.js';

/** A credential of our own: hands out the given tokens in turn (the last one repeats), or fails. */
export function fakeCredential(tokens: string[] | Error): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    getToken(): Promise<AccessToken> {
      credential.calls += 1;
      if (tokens instanceof Error) return Promise.reject(tokens);
      const token = tokens[Math.min(credential.calls, tokens.length) - 1] ?? 'none';
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
  return credential;
}

export const ADDRESS = 'ada.lovelace@example.org';

export function request(overrides: Partial<SendMailRequest> = {}): SendMailRequest {
  return {
    sender: 'offers@contoso.com',
    message: {
      subject: 'Your offer',
      body: { contentType: 'HTML', content: '<p>Welcome</p>' },
      toRecipients: [{ emailAddress: { address: ADDRESS, name: 'Ada Lovelace' } }],
      singleValueExtendedProperties: [{ id: HR_COURIER_KEY_PROPERTY_ID, value: 'offer-1' }],
    },
    saveToSentItems: true,
    clientRequestId: '7c1d2f1e-0000-4000-8000-000000000001',
    timeoutMs: 10_000,
    ...overrides,
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}
