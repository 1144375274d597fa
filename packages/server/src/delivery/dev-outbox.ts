/**
 * The messages the `log` transports "sent", kept in memory only (the last 100), so a developer can read them
 * through `GET /v1/dev/outbox` without a mail server. Never persisted: they contain live links.
 */
export interface DevMessage {
  id: string;
  app_id: string;
  channel: 'email' | 'sms';
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  sent_at: string;
}

export class DevOutbox {
  readonly #messages: DevMessage[] = [];
  readonly #capacity: number;

  constructor(capacity = 100) {
    this.#capacity = capacity;
  }

  add(message: DevMessage): void {
    this.#messages.push(message);
    if (this.#messages.length > this.#capacity) this.#messages.shift();
  }

  /** Newest first. */
  list(): DevMessage[] {
    return [...this.#messages].reverse();
  }
}
