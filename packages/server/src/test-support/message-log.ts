/**
 * The messages a fake server received, and a way to wait until a number of them have arrived. Shared by the SMTP
 * sink and the fake Twilio API.
 */
export interface MessageLog<T> {
  readonly messages: T[];
  /** Records a message and wakes anyone waiting. */
  add(message: T): void;
  /** Resolves with the messages once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
}

export function createMessageLog<T>(
  describe: (received: number, wanted: number, timeoutMs: number) => string,
): MessageLog<T> {
  const messages: T[] = [];
  const waiters = new Set<() => void>();
  return {
    messages,
    add(message) {
      messages.push(message);
      for (const waiter of waiters) waiter();
    },
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(describe(messages.length, count, timeoutMs)));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
