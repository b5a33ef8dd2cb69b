import { permanent } from '../../src/domain/failure.js';
import type { RenderedMail, TemplateCatalog } from '../../src/ports/templates.js';

/**
 * A one-template catalog for core unit tests (`test-offer`, versions 1 and 2, field `candidateName`).
 * The real Handlebars catalog has its own tests.
 */
export function createFakeCatalog(): TemplateCatalog {
  const versions = ['1', '2'];
  return {
    list: () => [
      {
        name: 'test-offer',
        version: '2',
        versions,
        description: 'test',
        intent: 'offer',
        required: [{ name: 'candidateName', description: 'name' }],
        optional: [],
      },
    ],
    render({ template, version, data }): RenderedMail {
      if (template !== 'test-offer')
        throw permanent('UnknownTemplate', `template "${template}" is not in the catalog`);
      const v = version ?? '2';
      if (!versions.includes(v)) throw permanent('UnknownTemplateVersion', `test-offer has no version ${v}`);
      const name = data.candidateName;
      if (typeof name !== 'string' || name === '') {
        throw permanent('MissingTemplateField', 'test-offer needs data.candidateName', {
          fieldPaths: ['data.candidateName'],
        });
      }
      const escaped = name.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      return {
        template,
        version: v,
        subject: `Your offer, ${name}`,
        html: `<p>Dear ${escaped}</p>`,
        text: `Dear ${name}`,
      };
    },
  };
}
