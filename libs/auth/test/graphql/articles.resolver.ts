import {
  Args,
  Field,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';

import {
  type AuthPrincipal,
  CurrentUser,
  Public,
  RequireAuthLevel,
  Roles,
  Scopes,
} from '../../src';

@ObjectType()
export class Article {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;
}

@ObjectType()
export class Viewer {
  @Field()
  sub!: string;

  @Field(() => [String])
  roles!: string[];

  @Field(() => [String])
  scopes!: string[];
}

const ARTICLES: Article[] = [{ id: '1', title: 'Hello' }];

function openFeed<T>(first: T): AsyncIterableIterator<T> {
  let sent = false;
  let end: (() => void) | undefined;
  const ended = new Promise<IteratorResult<T>>((resolve) => {
    end = () => resolve({ done: true, value: undefined });
  });
  return {
    next: () => {
      if (sent) return ended;
      sent = true;
      return Promise.resolve({ done: false, value: first });
    },
    return: () => {
      end?.();
      return ended;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Every guard and decorator of the library on a resolver: queries, a mutation, field resolvers. */
@Resolver(() => Article)
export class ArticlesResolver {
  @Public()
  @Query(() => [Article])
  articles(): Article[] {
    return ARTICLES;
  }

  @Public()
  @Query(() => String)
  whoAmI(@CurrentUser('sub') sub: string | undefined): string {
    return sub ?? 'anonymous';
  }

  @Query(() => Viewer)
  viewer(@CurrentUser() user: AuthPrincipal): Viewer {
    return { sub: user.sub, roles: [...user.roles], scopes: [...user.scopes] };
  }

  @Scopes('stats:read')
  @Query(() => Int)
  stats(): number {
    return ARTICLES.length;
  }

  @Roles('editor')
  @Mutation(() => Article)
  createArticle(@Args('title') title: string, @CurrentUser('sub') sub: string): Article {
    return { id: `${sub}:${title}`, title };
  }

  @Roles('editor')
  @RequireAuthLevel('mfa')
  @Mutation(() => Boolean)
  deleteArticle(@Args('id') id: string): boolean {
    return ARTICLES.some((article) => article.id === id);
  }

  @Public()
  @Subscription(() => String)
  async *ticks(): AsyncGenerator<{ ticks: string }> {
    yield { ticks: 'tick' };
  }

  @Subscription(() => String)
  async *articleAdded(): AsyncGenerator<{ articleAdded: string }> {
    yield { articleAdded: 'Hello' };
  }

  /** One event, then open until the client (or the library) ends it. */
  @Subscription(() => String)
  articleFeed(@CurrentUser('sub') sub: string): AsyncIterableIterator<{ articleFeed: string }> {
    return openFeed({ articleFeed: sub });
  }

  @Roles('editor')
  @Subscription(() => String)
  draftAdded(): AsyncIterableIterator<{ draftAdded: string }> {
    return openFeed({ draftAdded: 'draft' });
  }

  /** Guarded like any resolver (the apps enable `fieldResolverEnhancers: ['guards']`). */
  @Roles('admin')
  @ResolveField(() => String)
  reviewer(@CurrentUser('sub') sub: string): string {
    return sub;
  }
}
