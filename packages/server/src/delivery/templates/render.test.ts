import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../pages/languages.js';
import { defaultTemplate, LINK_TYPES } from './default-templates.js';
import { oneLine, renderParts, type TemplateData } from './render.js';

const LINK = 'https://auth.example.com/l/abc';
const base: TemplateData = {
  app_name: 'Acme',
  link_url: LINK,
  expires_in: '15 minutes',
  identifier: 'jane@example.com',
  is_email: true,
  is_phone: false,
};

describe('renderParts', () => {
  it('escapes a hostile app name in HTML only', () => {
    const app_name = `<script>alert(1)</script> "Bob's" & Co`;
    for (const type of LINK_TYPES) {
      for (const language of LANGUAGES) {
        const out = renderParts(defaultTemplate(type, language), { ...base, app_name });
        expect(out.html).not.toContain('<script>');
        expect(out.html).not.toContain(`"Bob's"`);
        expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;Bob&#39;s&quot; &amp; Co');
        expect(out.subject).toContain(app_name);
        expect(out.text).toContain(app_name);
        expect(out.sms).toContain(app_name);
      }
    }
  });

  it('keeps the subject on one line whatever the values hold', () => {
    const app_name = 'Acme\r\nBcc: x@evil.example\u2028X-Header: 1';
    for (const type of LINK_TYPES) {
      for (const language of LANGUAGES) {
        const { subject } = renderParts(defaultTemplate(type, language), { ...base, app_name });
        expect(subject).not.toMatch(/[\r\n\u2028\u2029]/);
        expect(subject).toContain('Acme Bcc: x@evil.example X-Header: 1');
      }
    }
    expect(oneLine('  a\r\n\r\nb\u0085c  ')).toBe('a b c');
  });

  it('does not render values as templates', () => {
    const out = renderParts(
      {
        subject: '{{app_name}}',
        text: '{{app_name}} {{link_url}}',
        html: '{{app_name}}',
        sms: '{{link_url}}',
      },
      { ...base, app_name: '{{link_url}}' },
    );
    expect(out.subject).toBe('{{link_url}}');
    expect(out.text).toBe(`{{link_url}} ${LINK}`);
  });

  it('leaves mustache’s global escaping alone', () => {
    const before = Mustache.escape;
    renderParts(defaultTemplate('login', 'en'), { ...base, app_name: '<b>' });
    expect(Mustache.escape).toBe(before);
    expect(Mustache.render('{{x}}', { x: '<b>' })).toBe('&lt;b&gt;');
  });

  it('shows a code section only when there is a code', () => {
    const parts = { subject: 's', text: '{{link_url}}{{#code}} code {{code}}{{/code}}', html: '', sms: '' };
    expect(renderParts(parts, { ...base, code: '7KQ4-MZ' }).text).toBe(`${LINK} code 7KQ4-MZ`);
    expect(renderParts(parts, { ...base, code: undefined }).text).toBe(LINK);
    expect(renderParts(parts, { ...base, code: '' }).text).toBe(LINK);
  });

  it('keeps working when many different templates pass through', () => {
    for (let i = 0; i < 500; i++) {
      const out = renderParts({ subject: `${i} {{app_name}}`, text: '', html: '', sms: '' }, base);
      expect(out.subject).toBe(`${i} Acme`);
    }
  });
});
