import { Field, InputType } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';

/** Input of the `createArticle` mutation: the rules of `POST /articles`' body. */
@InputType()
export class CreateArticleInput {
  @Field()
  @IsString()
  @Length(1, 200)
  title!: string;

  @Field()
  @IsString()
  @Length(1, 10_000)
  body!: string;
}
