import { IsString, Length } from 'class-validator';

/** Body of `POST /articles`. Unknown fields are refused by the global validation pipe. */
export class CreateArticleDto {
  @IsString()
  @Length(1, 200)
  title!: string;

  @IsString()
  @Length(1, 10_000)
  body!: string;
}
