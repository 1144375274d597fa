/**
 * What a serving process does with an error that nothing else caught. Node's default is to stop the process at
 * once, and with it every request in flight, silently from the point of view of the people waiting on them.
 *
 * - An unhandled rejection (a promise nobody awaited failed) is logged at error level with its stack, and the
 *   process keeps serving: whatever failed was one piece of work, every store operation is a transaction that
 *   either happened or did not, and the outbox retries what a failed send left leased.
 * - An uncaught exception (a synchronous throw escaped) may have left the process half-way through something. It
 *   is logged at fatal level, the process stops taking requests, lets those in flight finish (for up to
 *   `graceMs`), and exits with code 70 (EX_SOFTWARE) so that a supervisor — systemd, a container runtime, a
 *   process manager — starts a fresh one.
 */
import type { Logger } from 'pino';

/** The exit code after an uncaught exception: "internal software error" (sysexits.h). */
export const EXIT_UNCAUGHT = 70;

export interface ProcessLike {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (error: Error) => void): unknown;
}

export interface GuardOptions {
  /** Stops taking requests and waits for those in flight; called once, after an uncaught exception. */
  shutdown: () => Promise<void>;
  exit: (code: number) => void;
  /** The longest the shutdown may take before the process exits anyway. */
  graceMs?: number;
}

/** Installs the two handlers on `target` (the process); answers a function that removes them. */
export function installProcessGuards(target: ProcessLike, logger: Logger, options: GuardOptions): () => void {
  const graceMs = options.graceMs ?? 10_000;
  let stopping = false;
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason }, 'a promise failed with nobody waiting on it; the server keeps serving');
  };
  const onException = (error: Error) => {
    logger.fatal(
      { err: error },
      'an uncaught exception; finishing requests in flight, then exiting for a restart',
    );
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => options.exit(EXIT_UNCAUGHT), graceMs);
    deadline.unref();
    options
      .shutdown()
      .catch((failure: unknown) => logger.error({ err: failure }, 'shutting down after the exception failed'))
      .finally(() => {
        clearTimeout(deadline);
        options.exit(EXIT_UNCAUGHT);
      });
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
