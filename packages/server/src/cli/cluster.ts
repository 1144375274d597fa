/**
 * `latchkey start --workers N`: the primary process forks N server processes that share one port (node:cluster
 * hands each new connection to the next worker), replaces a worker that dies, and stops them all on SIGTERM or
 * SIGINT. It serves nothing itself: the database was prepared (migrations, bootstrap, banner) before it forks.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface SupervisorOptions {
  workers: number;
  logger: Logger;
  /** What the "ready" line says besides the number of workers (the public URL, the database). */
  ready?: Record<string, unknown>;
  /** The first delay before replacing a worker that died soon after it started; each further one doubles. */
  restartBaseMs?: number;
  /** The longest delay between replacements of a worker that keeps dying. */
  restartMaxMs?: number;
  /** A worker that served this long before it died is replaced at once, and the back-off starts again. */
  stableMs?: number;
  /** How long the workers get to finish their requests after SIGTERM before they are killed. */
  graceMs?: number;
}

/**
 * Runs the workers until a signal stops them; answers the process's exit code: 0 after a clean stop, 1 when no
 * worker could ever start (the first one's own error, on its standard error, says why).
 */
export function superviseWorkers(options: SupervisorOptions): Promise<number> {
  const { logger } = options;
  const baseMs = options.restartBaseMs ?? 1000;
  const maxMs = options.restartMaxMs ?? 30_000;
  const stableMs = options.stableMs ?? 10_000;
  const graceMs = options.graceMs ?? 30_000;
  const startedAt = new Map<Worker, number>();
  const pending = new Set<NodeJS.Timeout>();
  const listening = new Set<Worker>();
  let everListened = false;
  let ready = false;
  let quickDeaths = 0;
  let stopping = false;
  let exitCode = 0;

  return new Promise((resolve) => {
    const finish = (code: number) => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      resolve(code);
    };
    const fork = () => {
      const worker = cluster.fork();
      startedAt.set(worker, Date.now());
      worker.once('listening', () => {
        everListened = true;
        listening.add(worker);
        if (!ready && listening.size === options.workers) {
          ready = true;
          logger.info({ ...options.ready, workers: options.workers }, 'Latchkey is ready');
        }
      });
    };
    const stopAll = (reason: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason, workers: startedAt.size }, 'shutting down the workers');
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      if (startedAt.size === 0) return finish(exitCode);
      // Each worker stops taking requests, finishes those in flight and lets its outbox sends end, as one process
      // does on SIGTERM (start-command.ts); a worker stuck past the grace period is killed.
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
      const deadline = setTimeout(() => {
        logger.warn(
          { workers: startedAt.size },
          'workers still running after the grace period; killing them',
        );
        for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      }, graceMs);
      deadline.unref();
    };

    cluster.on('exit', (worker, code, signal) => {
      const started = startedAt.get(worker) ?? Date.now();
      startedAt.delete(worker);
      listening.delete(worker);
      if (stopping) {
        if (startedAt.size === 0) finish(exitCode);
        return;
      }
      if (!everListened) {
        // Nothing ever served: the configuration, the port or the database is wrong, and every replacement would
        // fail the same way. The worker has said why on standard error.
        logger.error({ workerPid: worker.process.pid, code, signal }, 'a worker could not start; stopping');
        exitCode = 1;
        stopAll('a worker could not start');
        return;
      }
      const uptime = Date.now() - started;
      quickDeaths = uptime < stableMs ? quickDeaths + 1 : 0;
      // A worker that dies at start (its database unreachable, say) would otherwise be forked again at once, for
      // ever: the delay doubles with each quick death, up to restartMaxMs.
      const delay = restartDelay(quickDeaths, baseMs, maxMs);
      logger.warn(
        { workerPid: worker.process.pid, code, signal, uptimeMs: uptime, restartInMs: delay },
        'a worker exited; starting another',
      );
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (!stopping) fork();
      }, delay);
      pending.add(timer);
    });

    process.once('SIGTERM', () => stopAll('SIGTERM'));
    process.once('SIGINT', () => stopAll('SIGINT'));
    for (let i = 0; i < options.workers; i++) fork();
  });
}

/**
 * How long to wait before replacing a worker, after `quickDeaths` deaths in a row each soon after its start: none
 * after a worker that had been serving a while, then baseMs, doubling, up to maxMs.
 */
export function restartDelay(quickDeaths: number, baseMs: number, maxMs: number): number {
  return quickDeaths === 0 ? 0 : Math.min(maxMs, baseMs * 2 ** (quickDeaths - 1));
}
