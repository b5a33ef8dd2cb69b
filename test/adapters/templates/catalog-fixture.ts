import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isPermanentDeliveryError, type PermanentDeliveryError } from '../../../src/domain/failure.js';

/** The catalog that ships in the repository. */
export const CATALOG_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));
export const SAMPLES_DIR = fileURLToPath(new URL('../../../samples/', import.meta.url));

export const TEMPLATE_NAMES = ['offer-letter', 'policy-update', 'onboarding-welcome', 'termination-notice'];

export async function sampleData(template: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(`${CATALOG_DIR}${template}/sample-data.json`, 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The PermanentDeliveryError a render throws; fails the test if it renders or throws anything else. */
export function failureOf(render: () => unknown): PermanentDeliveryError {
  try {
    render();
  } catch (e) {
    if (isPermanentDeliveryError(e)) return e;
    throw e;
  }
  throw new Error('expected the render to be refused');
}

/** Every href in a rendered document, entity-decoded as a mail client would read it. */
export function hrefsOf(html: string): string[] {
  return [...html.matchAll(/href=(?:"([^"]*)"|'([^']*)')/g)].map((m) =>
    (m[1] ?? m[2] ?? '')
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&')
      .replace(/&#x27;/g, "'"),
  );
}
