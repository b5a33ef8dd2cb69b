import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../src/adapters/templates/html-to-text.js';

describe('the plain-text alternative', () => {
  it('decodes every named entity, not only a chosen few, and shows a non-breaking space as a space', () => {
    expect(htmlToText('<p>Caf&eacute; &times; 3 &trade;&nbsp;&hellip; &copy;&euro;&frac12;</p>')).toBe(
      'Café × 3 ™ … ©€½',
    );
  });

  it('decodes decimal and hexadecimal character references, astral ones included', () => {
    expect(htmlToText('<p>&#233; &#xE9; &#XE9; &#x1F600; &#8212;</p>')).toBe('é é é 😀 —');
  });

  it('shows escaped markup as the characters it stands for, without decoding twice', () => {
    expect(htmlToText('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;amp;</p>')).toBe(
      '<script>alert("x")</script> &amp;',
    );
  });

  it('keeps where a link goes, once, and a mail address once', () => {
    expect(
      htmlToText(
        '<p>Open <a href="https://hr.contoso.com/x?a=1&amp;b=2">your portal</a> or write to ' +
          '<a href="mailto:people@contoso.com">people@contoso.com</a>. ' +
          '<a href="https://hr.contoso.com/y">https://hr.contoso.com/y</a></p>',
      ),
    ).toBe(
      'Open your portal <https://hr.contoso.com/x?a=1&b=2> or write to people@contoso.com. https://hr.contoso.com/y',
    );
  });

  it('breaks lines where the HTML does, and lists items one to a line', () => {
    expect(
      htmlToText('<h1>Welcome</h1><p>One<br>two</p><ul><li>first</li><li>second</li></ul><p>End</p>'),
    ).toBe('Welcome\n\nOne\ntwo\n\n- first\n- second\n\nEnd');
  });

  it('reads a row of a terms table as "label: value"', () => {
    expect(htmlToText('<table><tr><th>Start date</th><td>Monday 8 March 2027</td></tr></table>')).toBe(
      'Start date: Monday 8 March 2027',
    );
  });

  it('leaves out what a mail client hides, and never leaves a tag behind', () => {
    const text = htmlToText(
      '<html><head><title>Subject</title><style>p{}</style></head><body>' +
        '<div style="display:none;max-height:0">Preheader&#847;&zwnj;&nbsp;</div>' +
        '<p>Visible <img src="https://x.example/logo.png" alt="Contoso"></p></body></html>',
    );
    expect(text).toBe('Visible Contoso');
  });
});
