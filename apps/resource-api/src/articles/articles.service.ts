import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

import { ApiError } from '@jwt-token/service-kit';

import type { Article } from './article';
import { ArticleFeed } from './article-feed';
import type { CreateArticleDto } from './create-article.dto';

/** The store is in memory, so it is bounded: an editor must not be able to exhaust the heap. */
export const MAX_ARTICLES = 1000;

/** Articles kept in process memory: the demo needs no database, and a restart empties it. */
@Injectable()
export class ArticlesService {
  private readonly articles = new Map<string, Article>();

  constructor(private readonly feed: ArticleFeed) {}

  list(): Article[] {
    return [...this.articles.values()];
  }

  count(): number {
    return this.articles.size;
  }

  create(input: CreateArticleDto, authorId: string): Article {
    if (this.articles.size >= MAX_ARTICLES) {
      throw new ApiError(
        409,
        'article_limit_reached',
        `this demo keeps at most ${MAX_ARTICLES} articles`,
      );
    }
    const article: Article = {
      id: randomUUID(),
      title: input.title,
      body: input.body,
      authorId,
      createdAt: new Date().toISOString(),
    };
    this.articles.set(article.id, article);
    this.feed.publish(article);
    return article;
  }

  removeAll(): void {
    this.articles.clear();
  }

  remove(id: string): void {
    if (!this.articles.delete(id)) throw new ApiError(404, 'not_found', `article ${id} not found`);
  }
}
