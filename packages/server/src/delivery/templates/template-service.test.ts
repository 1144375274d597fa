import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { defaultTemplate } from './default-templates.js';
import {
  messageLanguage,
  renderLinkEmail,
  renderLinkMessage,
  renderLinkSms,
  templateFor,
} from './template-service.js';

const LINK = 'https://auth.example.com/l/Zt3q9VbK1mXo7LwR2cYh5NfP8sJd4GaE6uTi0yQk_-A';

describe('template service', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  const input = (overrides: Partial<Parameters<typeof renderLinkMessage>[1]> = {}) => ({
    appId: server.appId,
    appName: 'Acme',
    type: 'login' as const,
    language: null,
    defaultLanguage: 'en',
    url: LINK,
    expiresInMinutes: 15,
    identifier: 'jane@example.com',
    identifierKind: 'email' as const,
    ...overrides,
  });

  it('picks the link’s language, then the app default, then English', () => {
    expect(messageLanguage('de', 'fr')).toBe('de');
    expect(messageLanguage('pt-BR', 'fr')).toBe('pt');
    expect(messageLanguage('ja', 'fr')).toBe('fr');
    expect(messageLanguage(null, 'it')).toBe('it');
    expect(messageLanguage('ja', 'ko')).toBe('en');
    expect(messageLanguage(null, '')).toBe('en');
  });

  it('renders the message in the language that falls out', async () => {
    const german = await renderLinkMessage(server.ctx, input({ language: 'de', defaultLanguage: 'fr' }));
    expect(german.subject).toBe('Bei Acme anmelden');
    expect(german.text).toContain('Dieser Link ist 15 Minuten gültig.');
    const french = await renderLinkMessage(server.ctx, input({ language: 'ja', defaultLanguage: 'fr' }));
    expect(french.subject).toBe('Connexion à Acme');
    const english = await renderLinkMessage(server.ctx, input({ language: 'ja', defaultLanguage: 'xx' }));
    expect(english.subject).toBe('Sign in to Acme');
    expect(english.text).toContain(LINK);
  });

  it('renders the email and the SMS the worker sends exactly as the whole message has them', async () => {
    for (const language of ['en', 'de', 'zh']) {
      const given = input({ language, code: '7KQ4-MZ' });
      const { sms, ...email } = await renderLinkMessage(server.ctx, given);
      expect(await renderLinkEmail(server.ctx, given)).toEqual(email);
      expect(await renderLinkSms(server.ctx, given)).toBe(sms);
    }
  });

  it('fills in the code, the expiry and the identifier kind', async () => {
    const out = await renderLinkMessage(
      server.ctx,
      input({
        type: 'verify_identifier',
        code: '7KQ4-MZ',
        expiresInMinutes: 7 * 24 * 60,
        identifier: '+14155550123',
        identifierKind: 'phone',
      }),
    );
    expect(out.subject).toBe('Verify your phone number for Acme');
    expect(out.sms).toBe(`Acme: verify your number with ${LINK} or enter code 7KQ4-MZ (expires in 7 days)`);
    expect(out.html).toContain('+14155550123');
  });

  it('lays an override row over the built-in parts, part by part', async () => {
    await server.ctx.store.upsertTemplate({
      app_id: server.appId,
      type: 'invite',
      language: 'es',
      subject: '¡Únete a {{app_name}}!',
      text: null,
      html: null,
      sms: null,
      updated_at: Date.now(),
    });
    const parts = await templateFor(server.ctx, server.appId, 'invite', 'es');
    const builtIn = defaultTemplate('invite', 'es');
    expect(parts).toEqual({ ...builtIn, subject: '¡Únete a {{app_name}}!' });
    // Other languages and types are untouched.
    expect(await templateFor(server.ctx, server.appId, 'invite', 'en')).toEqual(
      defaultTemplate('invite', 'en'),
    );
    expect(await templateFor(server.ctx, server.appId, 'login', 'es')).toEqual(
      defaultTemplate('login', 'es'),
    );

    const out = await renderLinkMessage(server.ctx, input({ type: 'invite', language: 'es' }));
    expect(out.subject).toBe('¡Únete a Acme!');
    expect(out.text).toContain('Te han invitado a unirte a Acme.');
  });

  it('uses the override of the language that falls out, not another one', async () => {
    await server.ctx.store.upsertTemplate({
      app_id: server.appId,
      type: 'login',
      language: 'it',
      subject: 'Entra in {{app_name}}',
      text: 'Ciao!\n{{link_url}}',
      html: null,
      sms: '{{link_url}}',
      updated_at: Date.now(),
    });
    const out = await renderLinkMessage(server.ctx, input({ language: 'xx', defaultLanguage: 'it' }));
    expect(out.subject).toBe('Entra in Acme');
    expect(out.text).toBe(`Ciao!\n${LINK}`);
    expect(out.sms).toBe(LINK);
    expect(out.html).toContain('Accedi');
    const english = await renderLinkMessage(server.ctx, input({ language: 'en', defaultLanguage: 'it' }));
    expect(english.subject).toBe('Sign in to Acme');
  });
});
