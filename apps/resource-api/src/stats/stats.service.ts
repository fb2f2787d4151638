import { Injectable } from '@nestjs/common';

import { ArticlesService } from '../articles/articles.service';

/** What `GET /internal/stats` reports. */
export interface Stats {
  articles: number;
  uptimeSeconds: number;
}

/** Numbers for monitoring clients. */
@Injectable()
export class StatsService {
  private readonly startedAt = Date.now();

  constructor(private readonly articles: ArticlesService) {}

  snapshot(): Stats {
    return {
      articles: this.articles.count(),
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }
}
