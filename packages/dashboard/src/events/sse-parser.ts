/**
 * Reads a text/event-stream body as it arrives, in the wire format of the HTML standard: fields `id`, `event`,
 * `data` (joined by newlines when repeated), a blank line ending each message, comment lines starting with `:`.
 * Written here because the browser's own reader, EventSource, cannot send the `Latchkey-App` header every dashboard
 * call carries; fetch can, and this is the small part EventSource would otherwise do.
 */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

export class SseParser {
  #buffer = '';
  #message: SseMessage = {};

  /** Feeds a chunk of text; answers the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const done: SseMessage[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\n|\r/);
      // A lone CR at the end may be the first half of a CRLF still on its way.
      if (end < 0 || (end === this.#buffer.length - 1 && this.#buffer.endsWith('\r'))) break;
      const line = this.#buffer.slice(0, end);
      const breakLength = this.#buffer.startsWith('\r\n', end) ? 2 : 1;
      this.#buffer = this.#buffer.slice(end + breakLength);
      if (line === '') {
        if (Object.keys(this.#message).length > 0) done.push(this.#message);
        this.#message = {};
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') this.#message.id = value;
      else if (field === 'event') this.#message.event = value;
      else if (field === 'data')
        this.#message.data = this.#message.data === undefined ? value : `${this.#message.data}\n${value}`;
    }
    return done;
  }
}
