/**
 * QR codes of a new link's URL, drawn on the server as SVG so the dashboard needs no drawing code of its own. The
 * URL carries the link's token and is shown only once: it arrives in the request, is drawn, and is forgotten —
 * nothing here stores it, logs it or writes it into the picture as text.
 *
 * Only URLs of this installation or of the calling app are drawn (its links, its hosted pages, its own site for
 * embedded links), so the route is no general QR service for whatever text a key holder brings.
 *
 * Drawn by the `qrcode` package (pure JavaScript, no native parts, MIT, the most used QR encoder on npm); its SVG
 * is a single path of dark modules, scalable to any size without blur. It is loaded with the first code drawn (it
 * and its PNG encoder are some 140 KiB of JavaScript most servers never run).
 */
import { getAppOrThrow } from '../apps/app-service.js';
import { publicUrlOf } from '../apps/app-settings.js';
import type { AppContext } from '../apps/app-store.js';
import { validationError } from '../errors/api-error.js';

/** Longer than any link URL (a signed link's JWT included) and within what a QR code holds at level M (2,331 bytes). */
export const QR_MAX_TEXT = 2048;

/** A link URL is printable ASCII; anything else (spaces, control characters, other scripts) is not one. */
const URL_CHARS = /^[\x21-\x7e]+$/;

export async function qrCodeSvg(ctx: AppContext, appId: string, text: string): Promise<string> {
  const origins = await allowedOrigins(ctx, appId);
  if (!isLinkOf(text, origins)) {
    // The text is not repeated back: it may hold a token.
    throw validationError(
      'text',
      `text must be a URL of this app's links or pages (on ${[...origins].join(' or ')}), at most ${QR_MAX_TEXT} characters; other text is not drawn.`,
    );
  }
  const { toString: renderQr } = await import('qrcode');
  // Level M survives a smudged or partly covered code (15 % of it) and keeps long URLs within one code.
  return renderQr(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/** The installation's public URL, the app's own public URL (a custom domain) and its site (embedded links). */
async function allowedOrigins(ctx: AppContext, appId: string): Promise<Set<string>> {
  const { settings } = await getAppOrThrow(ctx, appId);
  const bases = [ctx.config.publicUrl, publicUrlOf(settings, ctx.config.publicUrl), settings.site_url];
  return new Set(
    bases.flatMap((base) => (base !== null && URL.canParse(base) ? [new URL(base).origin] : [])),
  );
}

function isLinkOf(text: string, origins: Set<string>): boolean {
  if (text.length > QR_MAX_TEXT || !URL_CHARS.test(text) || !URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username !== '' || url.password !== '') return false;
  return origins.has(url.origin);
}
