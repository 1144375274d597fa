import { describe, expect, it } from 'vitest';
import { ApiError } from '../../errors/api-error.js';
import { LANGUAGES } from '../../pages/languages.js';
import { defaultTemplate, LINK_TYPES } from './default-templates.js';
import type { TemplateParts } from './render.js';
import { validateTemplateParts } from './validate.js';

function refusal(parts: Partial<TemplateParts>): ApiError {
  try {
    validateTemplateParts(parts);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error(`accepted ${JSON.stringify(parts)}`);
}

function expectRefused(parts: Partial<TemplateParts>, param: string, message: RegExp) {
  const error = refusal(parts);
  expect(error.code).toBe('validation_failed');
  expect(error.status).toBe(400);
  expect(error.param).toBe(param);
  expect(error.message).toMatch(message);
}

const html = (body: string) =>
  `<html lang="en"><body>${body}<a href="{{link_url}}">Sign in</a></body></html>`;

describe('validateTemplateParts', () => {
  it('accepts every built-in template and sensible overrides', () => {
    for (const type of LINK_TYPES) {
      for (const language of LANGUAGES) validateTemplateParts(defaultTemplate(type, language));
    }
    validateTemplateParts({
      subject: 'Your {{app_name}} link',
      text: 'Hi {{identifier}},\n{{link_url}}\n{{#code}}Code: {{code}}{{/code}}{{! a comment }}',
      html: html(
        '<p>{{#is_phone}}Phone{{/is_phone}}{{^is_phone}}Email{{/is_phone}}</p><img src="data:image/png;base64,iVBO" alt="">',
      ),
      sms: '{{app_name}}: {{link_url}} ({{expires_in}})',
    });
    // The link may be chosen by a section as long as every message gets it.
    validateTemplateParts({
      text: '{{#is_phone}}Phone: {{link_url}}{{/is_phone}}{{^is_phone}}{{link_url}}{{/is_phone}}',
    });
    validateTemplateParts({});
  });

  it('refuses what mustache cannot parse', () => {
    expectRefused({ text: '{{link_url}} {{app_name' }, 'text', /not a valid template.*Unclosed tag/);
    expectRefused({ html: html('{{#code}}x') }, 'html', /not a valid template.*Unclosed section "code"/);
    expectRefused({ sms: '{{link_url}} {{#code}}x{{/is_phone}}' }, 'sms', /Unclosed section "code"/);
    expectRefused({ subject: 'Hi {{/code}}' }, 'subject', /Unopened section "code"/);
  });

  it('refuses names that are not template variables', () => {
    expectRefused(
      { text: '{{link_url}} {{user_name}}' },
      'text',
      /\{\{user_name\}\}.*not a template variable.*\{\{app_name\}\}/,
    );
    expectRefused({ subject: '{{#admin}}x{{/admin}}' }, 'subject', /\{\{#admin\}\}/);
    expectRefused({ sms: '{{link_url}}{{#code}}{{secret}}{{/code}}' }, 'sms', /\{\{secret\}\}/);
    expectRefused({ text: '{{link_url}} {{constructor}}' }, 'text', /constructor/);
    expectRefused({ text: '{{link_url}} {{> footer}}' }, 'text', /partial/);
    expectRefused({ text: '{{=<% %>=}} <% link_url %>' }, 'text', /delimiters/);
  });

  it('refuses text, html and sms without the link', () => {
    expectRefused({ text: 'Sign in to {{app_name}}' }, 'text', /must contain \{\{link_url\}\}/);
    expectRefused({ html: '<p>Hello</p>' }, 'html', /must contain \{\{link_url\}\}/);
    expectRefused({ sms: '{{app_name}}: {{code}}' }, 'sms', /must contain \{\{link_url\}\}/);
    expectRefused({ sms: '{{#code}}{{link_url}}{{/code}}' }, 'sms', /missing .*without a code/);
    expectRefused({ text: '   ' }, 'text', /empty/);
  });

  it('refuses a subject that is empty, multi-line or too long', () => {
    expectRefused({ subject: '' }, 'subject', /empty/);
    expectRefused({ subject: '  ' }, 'subject', /empty/);
    expectRefused({ subject: 'Sign in\r\nBcc: x@evil.example' }, 'subject', /single line/);
    expectRefused({ subject: 'Sign in\nto' }, 'subject', /single line/);
    expectRefused({ subject: 'x'.repeat(201) }, 'subject', /201 characters.*200/);
    expectRefused({ subject: '{{#code}}Code{{/code}}' }, 'subject', /comes out empty/);
    validateTemplateParts({ subject: 'x'.repeat(200) });
  });

  it('refuses bodies that are too long', () => {
    expectRefused({ html: html('x'.repeat(100 * 1024)) }, 'html', /KB/);
    expectRefused({ text: `{{link_url}}${'x'.repeat(100 * 1024)}` }, 'text', /KB/);
    expectRefused({ sms: `{{link_url}}${'x'.repeat(700)}` }, 'sms', /700/);
    validateTemplateParts({ sms: `{{link_url}}${'x'.repeat(700 - 12)}` });
  });

  it('refuses scripts, tracking images and external styles in HTML', () => {
    expectRefused({ html: html('<script>alert(1)</script>') }, 'html', /<script>/);
    expectRefused({ html: html('<SCRIPT src="x.js"></SCRIPT>') }, 'html', /<script>/);
    expectRefused(
      { html: html('<img src="https://t.example/p.gif" width="1" height="1">') },
      'html',
      /tracking/,
    );
    expectRefused({ html: html("<img alt='' src='http://t.example/p.gif'>") }, 'html', /tracking/);
    expectRefused({ html: html('<img src=//t.example/p.gif>') }, 'html', /tracking/);
    expectRefused({ html: html('<img src="{{link_url}}">') }, 'html', /tracking/);
    expectRefused(
      { html: html('<link rel="stylesheet" href="https://cdn.example/a.css">') },
      'html',
      /<link>/,
    );
    expectRefused({ html: html('<link rel=stylesheet href=a.css>') }, 'html', /<link>/);
    expectRefused({ html: html('<style>@import url(a.css);</style>') }, 'html', /@import/);
    expectRefused(
      { html: html('<td style="background:url(https://t.example/bg.png)">') },
      'html',
      /url\(http/,
    );
    expectRefused({ html: html('<a href="javascript:alert(1)">x</a>') }, 'html', /javascript:/);
    expectRefused({ html: html('<p onmouseover="x()">x</p>') }, 'html', /event handler/);
  });

  it('refuses unescaped values in HTML', () => {
    expectRefused({ html: html('{{{app_name}}}') }, 'html', /without HTML escaping.*\{\{app_name\}\}/);
    expectRefused({ html: html('{{& identifier}}') }, 'html', /without HTML escaping/);
    // Plain-text parts are never escaped, so the triple form is harmless there.
    validateTemplateParts({ text: '{{{link_url}}}', sms: '{{{link_url}}}' });
  });

  it('names the first part at fault', () => {
    const error = refusal({ subject: 'ok {{app_name}}', text: 'no link', html: '<p>no link</p>' });
    expect(error.param).toBe('text');
  });
});
