import { Injectable } from '@nestjs/common';
import { EventEmitter, on } from 'node:events';

import type { Article } from './article';

const CREATED = 'created';

/**
 * New articles as they are created, for the live views (the GraphQL subscription and the
 * socket.io feed). In process, like the store: one instance of the demo sees its own articles.
 */
@Injectable()
export class ArticleFeed {
  private readonly events = new EventEmitter();

  constructor() {
    // Every open subscription and socket is one listener; each needed a valid token to open.
    this.events.setMaxListeners(0);
  }

  publish(article: Article): void {
    this.events.emit(CREATED, article);
  }

  /** Calls `listener` for every new article until the returned function is called. */
  listen(listener: (article: Article) => void): () => void {
    this.events.on(CREATED, listener);
    return () => this.events.off(CREATED, listener);
  }

  /**
   * New articles as an async iterator, each mapped by `wrap`. Built on `events.on`, whose
   * `return()` ends a pending `next()` at once, so an unsubscribed client leaves no listener behind
   * (an async generator would keep it until the next article).
   */
  iterate<T>(wrap: (article: Article) => T): AsyncIterableIterator<T> {
    const source = on(this.events, CREATED);
    const iterator: AsyncIterableIterator<T> = {
      next: async () => {
        const result = await source.next();
        return result.done
          ? { done: true, value: undefined }
          : { done: false, value: wrap((result.value as [Article])[0]) };
      },
      return: async () => {
        await source.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
