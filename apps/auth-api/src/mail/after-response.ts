import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

/** The part of Node's `ServerResponse` needed to wait for the answer to be out. */
export interface ClosingResponse {
  readonly closed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Work started by a request that its answer must not wait for or reveal: looking the account up,
 * issuing a token, sending the mail. The answer is the same whether the work finds an account or
 * not, and takes the same time, because none of it runs before the answer is sent.
 *
 * Shutdown waits for the work in flight, so a mail is not lost to a graceful restart.
 */
@Injectable()
export class AfterResponse implements OnModuleDestroy {
  private readonly logger = new Logger(AfterResponse.name);
  private readonly pending = new Set<Promise<void>>();

  /**
   * Runs `task` once `answer` (the raw response) is closed: sent or abandoned, never before, so
   * not even the event loop's time tells the cases apart. Without `answer`, on the next turn of the
   * loop. A failure is logged, never thrown.
   */
  run(name: string, task: () => Promise<void>, answer?: ClosingResponse): void {
    const job = new Promise<void>((resolve) => {
      if (answer && !answer.closed) answer.once('close', () => resolve());
      else setImmediate(resolve);
    })
      .then(task)
      .catch((error: Error) => this.logger.error(`${name} failed: ${error.name}: ${error.message}`))
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Resolves when no task is left (tasks a task starts included). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  onModuleDestroy(): Promise<void> {
    return this.idle();
  }
}
