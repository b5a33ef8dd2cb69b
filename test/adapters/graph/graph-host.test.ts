import { describe, expect, it } from 'vitest';
import { parseGraphBaseUrl } from '../../../src/adapters/graph/graph-host.js';

const production = { devMode: false, inAzure: true };
const developer = { devMode: true, inAzure: false };

describe('GRAPH_BASE_URL', () => {
  it('defaults to the global Graph endpoint and its scope', () => {
    for (const raw of [undefined, '']) {
      expect(parseGraphBaseUrl(raw, production)).toEqual({
        baseUrl: 'https://graph.microsoft.com',
        host: 'graph.microsoft.com',
        scope: 'https://graph.microsoft.com/.default',
        customHosts: [],
      });
    }
  });

  it.each([
    ['https://graph.microsoft.com', 'https://graph.microsoft.com/.default'],
    ['https://graph.microsoft.com/', 'https://graph.microsoft.com/.default'],
    ['https://graph.microsoft.us', 'https://graph.microsoft.us/.default'],
    ['https://dod-graph.microsoft.us/', 'https://dod-graph.microsoft.us/.default'],
    ['https://microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
  ])('accepts %s with the token scope of its own cloud', (raw, scope) => {
    const parsed = parseGraphBaseUrl(raw, production);
    expect(parsed.scope).toBe(scope);
    expect(parsed.baseUrl).toBe(raw.replace(/\/$/u, ''));
    expect(parsed.customHosts).toEqual([]);
  });

  it.each([
    ['http://graph.microsoft.com', /must use https/u],
    ['ftp://graph.microsoft.com', /must use https/u],
    ['graph.microsoft.com', /absolute https URL/u],
    ['not a url', /whitespace/u],
    [' https://graph.microsoft.com', /whitespace/u],
    ['https://graph.microsoft.com\n', /whitespace/u],
    ['https://graph.micro\tsoft.com', /whitespace/u],
    ['https://user:secret@graph.microsoft.com', /user info/u],
    ['https://user@graph.microsoft.com', /user info/u],
    ['https://graph.microsoft.com:443', /must not have a port/u],
    ['https://graph.microsoft.com:8443', /must not have a port/u],
    ['https://graph.microsoft.com/?x=1', /query or fragment/u],
    ['https://graph.microsoft.com?', /query or fragment/u],
    ['https://graph.microsoft.com/#top', /query or fragment/u],
    ['https://graph.microsoft.com/v1.0', /no path/u],
    ['https://graph.microsoft.com/v1.0/', /no path/u],
    ['https://graph.microsoft.de', /exactly one of/u],
    ['https://canary.graph.microsoft.com', /exactly one of/u],
    ['https://graph.microsoft.com.evil.net', /exactly one of/u],
    ['https://evilgraph.microsoft.com', /exactly one of/u],
    ['https://graph.microsoft.com.', /exactly one of/u],
    ['https://graph.microsoft.co', /exactly one of/u],
    // Cyrillic "о" in "micrоsoft": the parser turns it into punycode, which is not a Graph host.
    ['https://graph.micr\u043esoft.com', /exactly one of/u],
    ['https://xn--graph-microsoft-com', /exactly one of/u],
    ['https://HTTPS.graph.microsoft.com', /exactly one of/u],
    ['https://GRAPH.MICROSOFT.COM', /canonical form/u],
    ['HTTPS://graph.microsoft.com', /canonical form/u],
    ['https://graph%2Emicrosoft.com', /canonical form/u],
    ['https:graph.microsoft.com', /canonical form/u],
    ['https:\\\\graph.microsoft.com', /canonical form/u],
    ['https://127.0.0.1:8443', /HR_COURIER_DEV_MODE=1/u],
  ])('refuses %j, naming the rule', (raw, rule) => {
    expect(() => parseGraphBaseUrl(raw, { devMode: false, inAzure: false })).toThrow(rule);
  });

  it('names the setting in one line and never echoes the value', () => {
    let message = '';
    try {
      parseGraphBaseUrl('https://admin:hunter2@graph.microsoft.com.evil.net', production);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^GRAPH_BASE_URL /u);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('evil');
  });

  describe('a local simulator', () => {
    it.each(['https://127.0.0.1:52811', 'https://localhost:52811/', 'https://localhost'])(
      'allows %s in dev mode, with the global scope and the host marked as Graph',
      (raw) => {
        const parsed = parseGraphBaseUrl(raw, developer);
        const url = new URL(raw);
        expect(parsed.baseUrl).toBe(`https://${url.host}`);
        expect(parsed.host).toBe(url.host);
        expect(parsed.scope).toBe('https://graph.microsoft.com/.default');
        expect(parsed.customHosts).toEqual([url.hostname]);
      },
    );

    it('is refused outside dev mode', () => {
      expect(() => parseGraphBaseUrl('https://localhost:52811', { devMode: false, inAzure: false })).toThrow(
        /HR_COURIER_DEV_MODE=1/u,
      );
    });

    it('is refused in Azure even in dev mode', () => {
      expect(() => parseGraphBaseUrl('https://127.0.0.1:52811', { devMode: true, inAzure: true })).toThrow(
        /WEBSITE_INSTANCE_ID/u,
      );
    });

    it.each([
      ['http://127.0.0.1:52811', /must use https/u],
      ['https://127.0.0.1:52811/v1.0', /no path/u],
      ['https://u:p@localhost:52811', /user info/u],
      // The Graph client cuts the host at the first ':', so an IPv6 literal would never get its token.
      ['https://[::1]:52811', /\[::1\]/u],
      ['https://127.0.0.2:52811', /exactly one of/u],
      ['https://localhost.:52811', /exactly one of/u],
      ['https://0x7f.0.0.1:52811', /canonical form/u],
      ['https://LOCALHOST:52811', /canonical form/u],
    ])('still refuses %j in dev mode', (raw, rule) => {
      expect(() => parseGraphBaseUrl(raw, developer)).toThrow(rule);
    });

    it('does not mark real Graph hosts as custom in dev mode', () => {
      expect(parseGraphBaseUrl('https://graph.microsoft.com', developer).customHosts).toEqual([]);
    });
  });
});
