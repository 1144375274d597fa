// These routes are registered by server.ts, in the API-key scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtherApp, startTestServer, type TestServer } from '../../test-support/test-server.js';
import { defaultTemplate } from './default-templates.js';
import { SAMPLE_CODE, SAMPLE_TOKEN } from './template-service.js';

interface TemplateBody {
  type: string;
  language: string;
  subject: string;
  text: string;
  html: string;
  sms: string;
  overridden: Record<'subject' | 'text' | 'html' | 'sms', boolean>;
  updated_at: string | null;
}

function expectError(
  res: { statusCode: number; json(): unknown; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { code: string; message: string; param?: string } };
  expect(body.error.code).toBe(code);
  return body.error;
}

describe('template routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  it('lists every type in every language, built in until overridden', async () => {
    const res = await server.api('GET', '/v1/templates');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { data: TemplateBody[]; next_cursor: null };
    expect(body.data).toHaveLength(3 * 8);
    expect(body.next_cursor).toBeNull();
    const login = body.data.find((t) => t.type === 'login' && t.language === 'de')!;
    expect(login).toMatchObject({ ...defaultTemplate('login', 'de'), updated_at: null });
    expect(Object.values(login.overridden)).toEqual([false, false, false, false]);
  });

  it('reads one template', async () => {
    const res = await server.api('GET', '/v1/templates/invite/zh');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ type: 'invite', language: 'zh', ...defaultTemplate('invite', 'zh') });
  });

  it('refuses an unknown type or language in the path', async () => {
    expect(
      expectError(await server.api('GET', '/v1/templates/signup/en'), 400, 'validation_failed').param,
    ).toBe('type');
    expect(
      expectError(await server.api('GET', '/v1/templates/login/ja'), 400, 'validation_failed').param,
    ).toBe('language');
    expectError(
      await server.api('PUT', '/v1/templates/login/xx', { subject: 'Hi' }),
      400,
      'validation_failed',
    );
    expectError(await server.api('DELETE', '/v1/templates/nope/en'), 400, 'validation_failed');
  });

  it('saves a valid override and answers the effective template', async () => {
    const res = await server.api('PUT', '/v1/templates/login/fr', { subject: 'Votre lien {{app_name}}' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as TemplateBody;
    expect(body.subject).toBe('Votre lien {{app_name}}');
    expect(body.text).toBe(defaultTemplate('login', 'fr').text);
    expect(body.overridden).toEqual({ subject: true, text: false, html: false, sms: false });
    expect(body.updated_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // A second change keeps the first.
    const sms = await server.api('PUT', '/v1/templates/login/fr', { sms: '{{app_name}} : {{link_url}}' });
    expect(sms.json()).toMatchObject({
      subject: 'Votre lien {{app_name}}',
      sms: '{{app_name}} : {{link_url}}',
      overridden: { subject: true, text: false, html: false, sms: true },
    });
    const stored = await server.ctx.store.getTemplate(server.appId, 'login', 'fr');
    expect(stored).toMatchObject({
      subject: 'Votre lien {{app_name}}',
      text: null,
      html: null,
      sms: '{{app_name}} : {{link_url}}',
    });

    // null returns one part to the built-in text.
    const reset = await server.api('PUT', '/v1/templates/login/fr', { sms: null });
    expect(reset.json()).toMatchObject({
      sms: defaultTemplate('login', 'fr').sms,
      overridden: { subject: true, sms: false },
    });
    const read = await server.api('GET', '/v1/templates/login/fr');
    expect(read.json()).toMatchObject({ subject: 'Votre lien {{app_name}}', overridden: { subject: true } });
  });

  it('refuses a broken template and stores nothing', async () => {
    const broken = expectError(
      await server.api('PUT', '/v1/templates/invite/en', {
        html: '<p>{{#code}}<a href="{{link_url}}">Join</a></p>',
      }),
      400,
      'validation_failed',
    );
    expect(broken.param).toBe('html');
    expect(broken.message).toMatch(/Unclosed section "code"/);
    const unknown = expectError(
      await server.api('PUT', '/v1/templates/invite/en', {
        subject: 'Hi {{first_name}}',
        text: 'x {{link_url}}',
      }),
      400,
      'validation_failed',
    );
    expect(unknown.param).toBe('subject');
    expect(unknown.message).toMatch(/\{\{first_name\}\}/);
    const noLink = expectError(
      await server.api('PUT', '/v1/templates/invite/en', { text: 'Welcome to {{app_name}}' }),
      400,
      'validation_failed',
    );
    expect(noLink.param).toBe('text');
    expect(await server.ctx.store.getTemplate(server.appId, 'invite', 'en')).toBeUndefined();
  });

  it('refuses an empty change and unknown fields', async () => {
    expect(
      expectError(await server.api('PUT', '/v1/templates/login/en', {}), 400, 'validation_failed').param,
    ).toBe('body');
    expectError(await server.api('PUT', '/v1/templates/login/en', { footer: 'x' }), 400, 'validation_failed');
    expectError(await server.api('PUT', '/v1/templates/login/en', { subject: 42 }), 400, 'validation_failed');
  });

  it('returns to the built-in template on DELETE, and says when there was nothing to delete', async () => {
    const saved = await server.api('PUT', '/v1/templates/verify_identifier/pl', {
      subject: '{{app_name}}: potwierdź',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const deleted = await server.api('DELETE', '/v1/templates/verify_identifier/pl');
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toMatchObject({ ...defaultTemplate('verify_identifier', 'pl'), updated_at: null });
    expect(await server.ctx.store.getTemplate(server.appId, 'verify_identifier', 'pl')).toBeUndefined();
    expectError(await server.api('DELETE', '/v1/templates/verify_identifier/pl'), 404, 'not_found');
  });

  it('keeps one app’s overrides from another', async () => {
    await server.api('PUT', '/v1/templates/login/it', { subject: 'Solo per noi {{app_name}}' });
    const other = await createOtherApp(server);
    const res = await server.api('GET', '/v1/templates/login/it', undefined, other.key);
    expect(res.json()).toMatchObject({
      subject: defaultTemplate('login', 'it').subject,
      overridden: { subject: false },
    });
    expectError(await server.api('DELETE', '/v1/templates/login/it', undefined, other.key), 404, 'not_found');
    expect((await server.api('GET', '/v1/templates/login/it')).json()).toMatchObject({
      subject: 'Solo per noi {{app_name}}',
    });
  });

  it('asks for an API key', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/v1/templates' });
    expectError(res, 401, 'unauthorized');
  });

  it('previews the effective template with sample data', async () => {
    const app = (await server.api('GET', `/v1/apps/${server.appId}`)).json() as {
      name: string;
      public_url: string;
    };
    const res = await server.api('POST', '/v1/templates/preview', { type: 'login', language: 'en' });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as { subject: string; text: string; html: string; sms: string };
    const link = `${app.public_url}/l/${SAMPLE_TOKEN}`;
    expect(SAMPLE_TOKEN).toHaveLength(49);
    expect(out.subject).toBe(`Sign in to ${app.name}`);
    expect(out.text).toContain(link);
    expect(out.text).toContain('This link expires in 15 minutes.');
    expect(out.html).toContain(`href="${link}"`);
    expect(out.sms).toContain(link);
    expect(out.text).not.toContain(SAMPLE_CODE);

    const withCode = (
      await server.api('POST', '/v1/templates/preview', { type: 'invite', language: 'de', code: true })
    ).json();
    expect(withCode.text).toContain(`Oder geben Sie diesen Code ein: ${SAMPLE_CODE}`);
    expect(withCode.text).toContain('Link und Code sind 7 Tage gültig.');

    const phone = (
      await server.api('POST', '/v1/templates/preview', {
        type: 'verify_identifier',
        language: 'en',
        identifier_kind: 'phone',
      })
    ).json();
    expect(phone.subject).toContain('Verify your phone number');
  });

  it('previews the saved override, or parts given in the request, and follows the app’s expiry', async () => {
    await server.api('PATCH', `/v1/apps/${server.appId}`, { ttl_minutes: { login: 90 } });
    await server.api('PUT', '/v1/templates/login/es', { subject: 'Entra en {{app_name}} ya' });
    const saved = (
      await server.api('POST', '/v1/templates/preview', { type: 'login', language: 'es' })
    ).json();
    expect(saved.subject).toMatch(/^Entra en .+ ya$/);
    expect(saved.text).toContain('Este enlace caduca en 90 minutos.');

    const given = (
      await server.api('POST', '/v1/templates/preview', {
        type: 'login',
        language: 'es',
        sms: 'Hola {{app_name}} {{link_url}}{{#code}} {{code}}{{/code}}',
        code: true,
      })
    ).json();
    expect(given.subject).toMatch(/^Entra en .+ ya$/);
    expect(given.sms).toMatch(new RegExp(`^Hola .+ https://\\S+/l/${SAMPLE_TOKEN} ${SAMPLE_CODE}$`));
    // The preview stores nothing.
    expect((await server.ctx.store.getTemplate(server.appId, 'login', 'es'))?.sms).toBeNull();

    const broken = expectError(
      await server.api('POST', '/v1/templates/preview', { type: 'login', language: 'es', html: '{{#code}}' }),
      400,
      'validation_failed',
    );
    expect(broken.param).toBe('html');
    expectError(
      await server.api('POST', '/v1/templates/preview', { type: 'login', language: 'ja' }),
      400,
      'validation_failed',
    );
  });
});
