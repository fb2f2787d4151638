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
   * Runs `task` once `answer` (the raw response) is closed: sent or abandoned, never before, and
   * then only after a full turn of the event loop, so that not even the loop's time tells the
   * cases apart. Without `answer`, after such a turn too. A failure is logged, never thrown.
   *
   * Why a full turn: 'close' is emitted from process.nextTick in the same macrotask that wrote the
   * answer, and with the embedded SQLite driver (better-sqlite3, synchronous) a task's queries
   * chain through microtasks without ever yielding. Started on 'close', the account-dependent work
   * (token count, retiring and issuing tokens, the mail's set-up) ran before the loop next polled
   * for I/O, so the I/O already waiting on the loop (reading the answer, in a client in the same
   * process; other requests) waited 0.5-2.5 ms longer for a known address (issue #21). A setImmediate
   * queued from the poll phase runs in this turn's check phase, before the next poll; the second
   * one runs only after that next poll, so the loop has served pending I/O in between.
   */
  run(name: string, task: () => Promise<void>, answer?: ClosingResponse): void {
    const job = new Promise<void>((resolve) => {
      const afterNextPoll = () => setImmediate(() => setImmediate(resolve));
      if (answer && !answer.closed) answer.once('close', afterNextPoll);
      else afterNextPoll();
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
