import { ApiError } from '@jwt-token/service-kit';

import { ArticleFeed } from './article-feed';
import { ArticlesService, MAX_ARTICLES } from './articles.service';

describe(ArticlesService.name, () => {
  let service: ArticlesService;
  let feed: ArticleFeed;
  beforeEach(() => {
    feed = new ArticleFeed();
    service = new ArticlesService(feed);
  });

  it('publishes each new article on the feed, and nothing once a listener has stopped', () => {
    const seen: string[] = [];
    const stop = feed.listen((article) => seen.push(article.title));
    service.create({ title: 'A', body: 'a' }, 'u1');
    stop();
    service.create({ title: 'B', body: 'b' }, 'u1');
    expect(seen).toEqual(['A']);
  });

  it('iterates new articles, and return() ends a pending next() at once', async () => {
    const iterator = feed.iterate((article) => ({ title: article.title }));
    const first = iterator.next();
    service.create({ title: 'A', body: 'a' }, 'u1');
    await expect(first).resolves.toEqual({ done: false, value: { title: 'A' } });
    const pending = iterator.next();
    await iterator.return!();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });

  it('creates, lists, counts and removes articles', () => {
    const a = service.create({ title: 'A', body: 'a' }, 'u1');
    const b = service.create({ title: 'B', body: 'b' }, 'u2');
    expect(a.id).not.toBe(b.id);
    expect(service.list()).toEqual([a, b]);
    expect(service.count()).toBe(2);
    service.remove(a.id);
    expect(service.list()).toEqual([b]);
  });

  it('removes every article at once', () => {
    service.create({ title: 'A', body: 'a' }, 'u1');
    service.create({ title: 'B', body: 'b' }, 'u2');
    service.removeAll();
    expect(service.list()).toEqual([]);
    expect(service.count()).toBe(0);
  });

  it('throws 404 not_found for an unknown id', () => {
    expect(() => service.remove('00000000-0000-4000-8000-000000000000')).toThrow(ApiError);
    try {
      service.remove('missing');
    } catch (error) {
      expect((error as ApiError).getStatus()).toBe(404);
      expect((error as ApiError).getResponse()).toMatchObject({ error: 'not_found' });
    }
  });

  it('refuses to grow past its bound', () => {
    for (let i = 0; i < MAX_ARTICLES; i += 1) service.create({ title: 't', body: 'b' }, 'u');
    expect(() => service.create({ title: 't', body: 'b' }, 'u')).toThrow(ApiError);
    expect(service.count()).toBe(MAX_ARTICLES);
  });
});
