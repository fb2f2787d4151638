import { Field, ID, ObjectType } from '@nestjs/graphql';

import type { Article } from '../articles/article';

/** An article in the GraphQL schema: the same fields as `GET /articles`. */
@ObjectType('Article')
export class ArticleModel implements Article {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field()
  body!: string;

  @Field({ description: '`sub` of the token that created it.' })
  authorId!: string;

  @Field({ description: 'ISO 8601 timestamp.' })
  createdAt!: string;
}
