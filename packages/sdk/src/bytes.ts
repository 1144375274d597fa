/**
 * Bytes, text and base64 with what every runtime has (TextEncoder, atob, btoa) instead of Node's Buffer, so the
 * modules of the SDK's root entry load in browsers and edge runtimes too.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8Bytes = (text: string): Uint8Array<ArrayBuffer> => encoder.encode(text);

export const utf8Text = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Standard base64, padded or not; throws on characters outside the alphabet. */
export function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
