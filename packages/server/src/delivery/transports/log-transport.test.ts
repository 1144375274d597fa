import { afterEach, describe, expect, it, vi } from 'vitest';
import { DevOutbox } from '../dev-outbox.js';
import type { OutgoingEmail, OutgoingSms } from '../message.js';
import { createLogEmailTransport, createLogSmsTransport } from './log-transport.js';

const LINK = 'https://auth.acme.test/l/Zq3xK9mW2pLr7vTb';

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    id: 'msg_email_1',
    appId: 'app_test',
    to: 'ada@example.test',
    from: { name: 'Acme', address: 'login@acme.test' },
    subject: 'Sign in to Acme',
    text: `Hello,\n\nOpen this link to sign in:\n${LINK}.\n\nOr enter the code 482913.`,
    html: `<p><a href="${LINK}">Sign in</a></p>`,
    ...overrides,
  };
}

function sms(overrides: Partial<OutgoingSms> = {}): OutgoingSms {
  return {
    id: 'msg_sms_1',
    appId: 'app_test',
    linkId: 'lnk_1',
    to: '+4915112345678',
    body: `Acme: sign in with ${LINK}`,
    ...overrides,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('log email transport', () => {
  it('prints one block with the link up front and keeps the whole message in the dev outbox', async () => {
    const printed: string[] = [];
    const devOutbox = new DevOutbox();
    const transport = createLogEmailTransport({ devOutbox, print: (line) => printed.push(line) });
    expect(transport.name).toBe('log');
    expect(await transport.send(email())).toEqual({
      ok: true,
      answer: 'printed by the development transport; nothing was sent',
    });
    expect(printed).toHaveLength(1);
    const [block] = printed;
    expect(block?.split('\n')[0]).toBe(
      `[latchkey dev] email to ada@example.test — Sign in to Acme — link: ${LINK}`,
    );
    expect(block).toContain('Or enter the code 482913.');
    expect(block?.endsWith('\n')).toBe(true);
    const [kept] = devOutbox.list();
    expect(kept).toEqual({
      id: 'msg_email_1',
      app_id: 'app_test',
      channel: 'email',
      to: 'ada@example.test',
      subject: 'Sign in to Acme',
      text: email().text,
      html: email().html,
      sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('says so when the text has no link', async () => {
    const printed: string[] = [];
    await createLogEmailTransport({ devOutbox: new DevOutbox(), print: (line) => printed.push(line) }).send(
      email({ text: 'Welcome aboard.' }),
    );
    expect(printed[0]).toMatch(/— no link\n/);
  });

  it('keeps terminal control sequences out of the console', async () => {
    const printed: string[] = [];
    await createLogEmailTransport({ devOutbox: new DevOutbox(), print: (line) => printed.push(line) }).send(
      email({ subject: 'Hi \u001b[2J\u001b]0;pwned\u0007 there' }),
    );
    expect(printed[0]).not.toContain('\u001b');
    expect(printed[0]).not.toContain('\u0007');
    expect(printed[0]).toContain('Hi \uFFFD[2J');
  });

  it('never throws: a failing printer still delivers to the dev outbox', async () => {
    const devOutbox = new DevOutbox();
    const transport = createLogEmailTransport({
      devOutbox,
      print: () => {
        throw new Error('stdout closed');
      },
    });
    expect(await transport.send(email())).toEqual({
      ok: true,
      answer: 'printed by the development transport; nothing was sent',
    });
    expect(devOutbox.list()).toHaveLength(1);
  });

  it('lists newest first and keeps only as many as the outbox holds', async () => {
    const devOutbox = new DevOutbox(2);
    const transport = createLogEmailTransport({ devOutbox, print: () => {} });
    for (const id of ['msg_a', 'msg_b', 'msg_c']) await transport.send(email({ id }));
    expect(devOutbox.list().map((m) => m.id)).toEqual(['msg_c', 'msg_b']);
  });

  it('prints to standard output by default', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await createLogEmailTransport({ devOutbox: new DevOutbox() }).send(email());
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0]?.[0])).toContain(`link: ${LINK}`);
  });

  it('verify() says it is the development transport and nothing is sent', async () => {
    const result = await createLogEmailTransport({ devOutbox: new DevOutbox() }).verify();
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.detail).toMatch(/development/);
      expect(result.detail).toMatch(/nothing is really sent/);
    }
  });
});

describe('log SMS transport', () => {
  it('prints the link and keeps the message, newest first with the email ones', async () => {
    const printed: string[] = [];
    const devOutbox = new DevOutbox();
    const print = (line: string) => printed.push(line);
    await createLogEmailTransport({ devOutbox, print }).send(email());
    const transport = createLogSmsTransport({ devOutbox, print });
    expect(transport.name).toBe('log');
    expect(await transport.send(sms())).toEqual({
      ok: true,
      answer: 'printed by the development transport; nothing was sent',
    });
    expect(printed[1]?.split('\n')[0]).toBe(`[latchkey dev] sms to +4915112345678 — link: ${LINK}`);
    const [newest, older] = devOutbox.list();
    expect(newest).toMatchObject({
      id: 'msg_sms_1',
      app_id: 'app_test',
      channel: 'sms',
      to: '+4915112345678',
      subject: null,
      text: sms().body,
      html: null,
    });
    expect(older?.id).toBe('msg_email_1');
  });

  it('verify() says nothing is really sent', async () => {
    const result = await createLogSmsTransport({ devOutbox: new DevOutbox() }).verify();
    expect(result.ok && result.detail).toMatch(/nothing is really sent/);
  });
});
