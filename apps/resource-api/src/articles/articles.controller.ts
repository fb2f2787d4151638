import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';

import { CurrentUser, Public, RequireAuthLevel, Roles } from '@jwt-token/auth';

import type { Article } from './article';
import { articleIdPipe } from './article-id.pipe';
import { ArticlesService } from './articles.service';
import { CreateArticleDto } from './create-article.dto';

/**
 * Anyone reads, editors write, admins delete (admins pass editor checks through the role
 * hierarchy); deleting every article at once also takes a multi-factor login (RFC 9470 step-up).
 */
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

  // Irreversible and wholesale: a stolen password alone must not empty the store.
  @Roles('admin')
  @RequireAuthLevel('mfa')
  @Delete()
  @HttpCode(204)
  removeAll(): void {
    this.articles.removeAll();
  }

  @Roles('admin')
  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', articleIdPipe) id: string): void {
    this.articles.remove(id);
  }
}
