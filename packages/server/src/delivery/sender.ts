import type { AppSettings } from '../apps/app-settings.js';

/**
 * Who a message is from: the app's own sender when set, else the server's LATCHKEY_SMTP_FROM ("Name <address>" or a
 * bare address). Links' messages and template tests use it, so a test shows the sender the real message will have.
 */
export function senderOf(settings: AppSettings, fallback: string): { name: string | null; address: string } {
  const parsed = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(fallback);
  const base = parsed
    ? { name: parsed[1] || null, address: parsed[2]! }
    : { name: null, address: fallback.trim() };
  return { name: settings.sender.name ?? base.name, address: settings.sender.email ?? base.address };
}
