import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';

import { CurrentUser, Public, Roles } from '@jwt-token/auth';

import type { Article } from './article';
import { articleIdPipe } from './article-id.pipe';
import { ArticlesService } from './articles.service';
import { CreateArticleDto } from './create-article.dto';

/** Anyone reads, editors write, admins delete (admins pass editor checks through the role hierarchy). */
@Controller('articles')
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Public()
  @Get()
  list(): Article[] {
    return this.articles.list();
  }

  @Roles('editor')
  @Post()
  create(@Body() input: CreateArticleDto, @CurrentUser('sub') authorId: string): Article {
    return this.articles.create(input, authorId);
  }

  @Roles('admin')
  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', articleIdPipe) id: string): void {
    this.articles.remove(id);
  }
}
