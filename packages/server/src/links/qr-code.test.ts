/**
 * QR codes of link URLs: the SVG decodes (with an independent decoder) to exactly the URL sent, the token appears
 * nowhere as text (not in the picture, the logs or the dashboard's audit), and only URLs of this installation or the
 * calling app are drawn.
 */
import jsqr from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOperator, signInOperator } from '../test-support/dashboard.js';
import {
  createOtherApp,
  createTestLink,
  startTestServer,
  type TestServer,
} from '../test-support/test-server.js';
import { QR_MAX_TEXT } from './qr-code.js';

/**
 * Paints the SVG the `qrcode` package writes (one path of horizontal runs, `M`/`m` to move, `h` to draw one module
 * high) into RGBA pixels, `scale` pixels a module, for a decoder that reads images.
 */
function rasterize(svg: string, scale = 4): { data: Uint8ClampedArray; width: number } {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1] ?? '';
  const width = size * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of path.matchAll(/([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    const dx = Number(a);
    if (command === 'M') [x, y] = [dx, Number(b)];
    else if (command === 'm') [x, y] = [x + dx, y + Number(b)];
    else {
      const row = Math.floor(y);
      for (let col = x; col < x + dx; col++) {
        for (let py = row * scale; py < (row + 1) * scale; py++) {
          for (let px = col * scale; px < (col + 1) * scale; px++)
            data.fill(0, (py * width + px) * 4, (py * width + px) * 4 + 3);
        }
      }
      x += dx;
    }
  }
  return { data, width };
}

// jsqr is CommonJS whose types declare an ES default export; at run time that export is there too.
const jsQR = jsqr.default;

function decode(svg: string): string | undefined {
  const { data, width } = rasterize(svg);
  return jsQR(data, width, width)?.data;
}

describe('QR codes of link URLs', () => {
  const lines: string[] = [];
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      logDestination: { write: (line: string) => lines.push(line) },
    });
  });
  afterAll(() => server.close());

  const draw = (text: unknown, key?: string) => server.api('POST', '/v1/qr', { text }, key);

  it("draws a new link's URL as an SVG that decodes to exactly that URL and holds no text of it", async () => {
    const link = await createTestLink(server);
    const res = await draw(link.url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'");
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(res.body).not.toContain(link.token);
    expect(res.body).not.toMatch(/<script|<text|<title|href/i);
    expect(decode(res.body)).toBe(link.url);
  });

  it("draws the app's embedded links (its site) and its own public URL, up to the length limit", async () => {
    const embedded = await createTestLink(server, { magic_link_path: '/auth/magic' });
    expect(embedded.url).toMatch(/^https:\/\/app\.example\.com\/auth\/magic\?lk_token=/);
    const res = await draw(embedded.url);
    expect(res.statusCode, res.body).toBe(200);
    expect(decode(res.body)).toBe(embedded.url);

    const longest = `https://auth.example.com/login/${'x'.repeat(QR_MAX_TEXT - 31)}`;
    expect(longest).toHaveLength(QR_MAX_TEXT);
    const big = await draw(longest);
    expect(big.statusCode, big.body).toBe(200);
    expect(decode(big.body)).toBe(longest);
  });

  it('draws nothing that is not a URL of this installation or the calling app, and never repeats the text', async () => {
    const other = await createOtherApp(server);
    for (const text of [
      'https://evil.example/l/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      'https://other.example.com/auth?lk_token=zzz',
      'javascript:alert(1)',
      'hello world',
      'https://user@auth.example.com/l/x',
      'ftp://auth.example.com/l/x',
      ' https://auth.example.com/l/x',
      'https://auth.example.com.evil.test/l/x',
    ]) {
      const res = await draw(text);
      expect(res.statusCode, text).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', param: 'text' });
      expect(res.body, text).not.toContain(text.trim());
    }
    // Each app draws its own site's links; the other app's site is its own, not ours.
    const theirs = await draw('https://other.example.com/auth?lk_token=zzz', other.key);
    expect(theirs.statusCode).toBe(200);

    for (const text of ['', 'x'.repeat(QR_MAX_TEXT + 1), 42, null]) {
      const res = await draw(text);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const unnamed = await draw('https://auth.example.com/l/x', server.adminKey);
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().error.param).toBe('Latchkey-App');
  });

  it('is a read for the dashboard, and neither the logs nor the audit hold the token', async () => {
    const link = await createTestLink(server);
    const viewer = await signInOperator(server, 'viewer');
    const res = await asOperator(server, viewer, 'POST', '/dashboard/api/v1/qr', { text: link.url });
    expect(res.statusCode, res.body).toBe(200);
    expect(decode(res.body)).toBe(link.url);
    await draw(link.url);
    await draw(`${link.url}x`.replace('auth.example.com', 'evil.test'));

    expect(lines.some((line) => line.includes('/v1/qr'))).toBe(true);
    expect(lines.filter((line) => line.includes(link.token))).toEqual([]);
    const audit = await server.ctx.store.listEvents(
      server.appId,
      { type: 'dashboard.change' },
      { limit: 50 },
    );
    expect(audit.filter((row) => row.data.includes(link.token))).toEqual([]);
  });
});
