import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HR_COURIER_KEY_PROPERTY_ID } from '../../src/ports/graph.js';
import {
  acquireGraphToken,
  callGraph,
  graphError,
  keyProperty,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { createManualClock, type ManualClock } from './support/manual-clock.js';

const TRANSPORT_MS = 30_000;
const SENT_ITEMS_MS = 60_000;

interface Listed {
  value: Record<string, unknown>[];
}

/** The look-up Graph documents, with `'` escaped as `''` the way OData wants. */
function keyFilter(key: string, propertyId = HR_COURIER_KEY_PROPERTY_ID): string {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return `singleValueExtendedProperties/Any(ep: ep/id eq ${quote(propertyId)} and ep/value eq ${quote(key)})`;
}

describe('the simulator’s message look-ups', () => {
  let t: TestSimulator;
  let clock: ManualClock;
  let token: string;
  beforeAll(async () => {
    clock = createManualClock();
    t = await startTestSimulator({
      mailboxes: ['offers@contoso.com', 'outside@contoso.com'],
      allowedSenders: ['offers@contoso.com'],
      transportDelayMs: TRANSPORT_MS,
      sentItemsDelayMs: SENT_ITEMS_MS,
      clock,
    });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });

  async function send(key: string, extra: Record<string, unknown> = {}): Promise<void> {
    const body = mailBody({ singleValueExtendedProperties: keyProperty(key) }, extra);
    const reply = await callGraph(t.sim, '/v1.0/users/offers@contoso.com/sendMail', {
      method: 'POST',
      token,
      body,
    });
    expect(reply.status).toBe(202);
  }

  async function find(folderPath: string, key: string, query = '', mailbox = 'offers@contoso.com') {
    const filter = encodeURIComponent(keyFilter(key));
    return callGraph(t.sim, `/v1.0/users/${mailbox}/${folderPath}?$filter=${filter}${query}`, { token });
  }

  async function found(folderPath: string, key: string, query = ''): Promise<Record<string, unknown>[]> {
    const reply = await find(folderPath, key, query);
    expect(reply.status).toBe(200);
    return (reply.json() as Listed).value;
  }

  it('shows a sent mail only after the transport delay: first among all messages, later in Sent Items', async () => {
    await send('offer-1');
    expect(await found('messages', 'offer-1')).toEqual([]);

    clock.advance(TRANSPORT_MS);
    const asDraft = await found('messages', 'offer-1');
    expect(asDraft).toHaveLength(1);
    expect(asDraft[0]).toMatchObject({ isDraft: true, sentDateTime: null });
    expect(await found('mailFolders/sentitems/messages', 'offer-1')).toEqual([]);

    clock.advance(SENT_ITEMS_MS);
    const sent = await found('mailFolders/SentItems/messages', 'offer-1');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ isDraft: false, id: asDraft[0]?.id });
    expect(await found('messages', 'offer-1')).toHaveLength(1);
    expect(t.sim.stats().lookups).toBe(5);
  });

  it('never shows a mail sent with saveToSentItems false', async () => {
    await send('quiet-1', { saveToSentItems: false });
    clock.advance(TRANSPORT_MS + SENT_ITEMS_MS + 3_600_000);
    expect(await found('messages', 'quiet-1')).toEqual([]);
    expect(await found('mailFolders/sentitems/messages', 'quiet-1')).toEqual([]);
  });

  it('matches the key exactly, with quotes escaped, and the property id in any case', async () => {
    await send("offer-O'Brien-1");
    await send('offer-OBrien-1');
    clock.advance(TRANSPORT_MS + SENT_ITEMS_MS);
    expect(await found('messages', "offer-O'Brien-1")).toHaveLength(1);
    const upper = encodeURIComponent(keyFilter("offer-O'Brien-1", HR_COURIER_KEY_PROPERTY_ID.toUpperCase()));
    const reply = await callGraph(t.sim, `/v1.0/users/offers@contoso.com/messages?$filter=${upper}`, {
      token,
    });
    expect((reply.json() as Listed).value).toHaveLength(1);
    expect(await found('messages', 'offer-obrien-1')).toEqual([]);
  });

  it('honours $select, $top and $expand of the extended property', async () => {
    await send('twice');
    await send('twice');
    clock.advance(TRANSPORT_MS + SENT_ITEMS_MS);
    expect(await found('messages', 'twice')).toHaveLength(2);

    const selected = await found('messages', 'twice', '&$select=id,subject&$top=1');
    expect(selected).toHaveLength(1);
    expect(Object.keys(selected[0] ?? {}).sort()).toEqual(['@odata.etag', 'id', 'subject']);

    const expand = encodeURIComponent(
      `singleValueExtendedProperties($filter=id eq '${HR_COURIER_KEY_PROPERTY_ID}')`,
    );
    const expanded = await found('messages', 'twice', `&$select=id&$expand=${expand}`);
    expect(expanded[0]?.singleValueExtendedProperties).toEqual([
      { id: HR_COURIER_KEY_PROPERTY_ID, value: 'twice' },
    ]);
  });

  it('refuses a filter it cannot run, a token it did not issue, an unknown or fenced mailbox', async () => {
    const badFilter = await callGraph(
      t.sim,
      `/v1.0/users/offers@contoso.com/messages?$filter=${encodeURIComponent("subject eq 'x'")}`,
      { token },
    );
    expect(badFilter.status).toBe(400);
    expect(graphError(badFilter).code).toBe('ErrorInvalidUrlQueryFilter');

    const noToken = await callGraph(t.sim, '/v1.0/users/offers@contoso.com/messages');
    expect(noToken.status).toBe(401);
    expect(graphError(noToken).code).toBe('InvalidAuthenticationToken');

    const unknown = await find('messages', 'x', '', 'nobody@contoso.com');
    expect(unknown.status).toBe(404);
    expect(graphError(unknown).code).toBe('ErrorInvalidUser');

    const fenced = await find('messages', 'x', '', 'outside@contoso.com');
    expect(fenced.status).toBe(403);
    expect(graphError(fenced).code).toBe('ErrorAccessDenied');
  });
});
