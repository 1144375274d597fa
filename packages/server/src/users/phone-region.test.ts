/** An app's default_phone_region: national numbers are read in it, everywhere a phone number is taken. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe('default_phone_region', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  const setRegion = (region: unknown) =>
    server.api('PATCH', `/v1/apps/${server.appId}`, { default_phone_region: region });

  it('refuses a region that is not a two-letter code, and changes nothing', async () => {
    for (const region of ['XX', 'gb', 'GBR', '']) {
      const res = await setRegion(region);
      expect(res.statusCode, String(region)).toBe(400);
      expect(res.json().error.param).toBe('default_phone_region');
    }
    const app = (await server.api('GET', `/v1/apps/${server.appId}`)).json();
    expect(app.default_phone_region).toBeNull();
  });

  it('without one, a national number is refused with a message that says what to do', async () => {
    const res = await server.api('POST', '/v1/magic-links', { phone: '020 7946 0958' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_phone', param: 'phone' });
    expect(res.json().error.message).toContain('default_phone_region');
  });

  it('with GB, links and users read national numbers as British, and +numbers keep their country', async () => {
    expect((await setRegion('GB')).statusCode).toBe(200);
    const link = await server.api('POST', '/v1/magic-links', { phone: '020 7946 0958' });
    expect(link.statusCode, link.body).toBe(201);
    expect(link.json().magic_link.identifier).toBe('+442079460958');
    // The same person written the international way, with the trunk prefix: the same user.
    const again = await server.api('POST', '/v1/magic-links', { phone: '+44 (0) 20 7946 0958' });
    expect(again.json().magic_link.user_id).toBe(link.json().magic_link.user_id);

    const user = await server.api('POST', '/v1/users', { phone: '07911 123489' });
    expect(user.statusCode, user.body).toBe(201);
    expect(user.json().phone).toBe('+447911123489');
    const found = await server.api('GET', `/v1/users?phone=${encodeURIComponent('07911 123489')}`);
    expect(found.json().data.map((u: { id: string }) => u.id)).toEqual([user.json().id]);
    const german = await server.api('POST', '/v1/users', { phone: '+49 151 12345678' });
    expect(german.json().phone).toBe('+4915112345678');
    expect((await setRegion(null)).statusCode).toBe(200);
  });
});
