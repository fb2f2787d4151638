import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';

import { CurrentUser, Public, Roles } from '@jwt-token/auth';

import type { Article } from '../articles/article';
import { ArticleFeed } from '../articles/article-feed';
import { ArticlesService } from '../articles/articles.service';
import { ArticleModel } from './article.model';
import { CreateArticleInput } from './create-article.input';

/**
 * The articles over GraphQL, guarded by the same role claims as `/articles`: anyone reads,
 * editors create (admins too, through the role hierarchy), and any signed-in user follows new
 * articles live. The subscription closes when its token expires (code 4401).
 */
@Resolver(() => ArticleModel)
export class ArticlesResolver {
  constructor(
    private readonly store: ArticlesService,
    private readonly feed: ArticleFeed,
  ) {}

  @Public()
  @Query(() => [ArticleModel])
  articles(): Article[] {
    return this.store.list();
  }

  @Roles('editor')
  @Mutation(() => ArticleModel)
  createArticle(
    @Args('input') input: CreateArticleInput,
    @CurrentUser('sub') authorId: string,
  ): Article {
    return this.store.create(input, authorId);
  }

  @Roles('user')
  @Subscription(() => ArticleModel, { description: 'Articles as they are created.' })
  articleCreated(): AsyncIterableIterator<{ articleCreated: Article }> {
    return this.feed.iterate((article) => ({ articleCreated: article }));
  }
}
