import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Query,
} from '@nestjs/common';

import { CurrentUser, Roles } from '@jwt-token/auth';

import { UuidParam } from '../common/uuid-param.pipe';
import { ListUsersQuery, UpdateUserDto } from './dto/update-user.dto';
import { UsersAdminService } from './users-admin.service';

@Roles('admin')
@Controller('users')
export class UsersAdminController {
  constructor(@Inject(UsersAdminService) private readonly admin: UsersAdminService) {}

  @Get()
  list(@Query() query: ListUsersQuery) {
    return this.admin.list(query.offset, query.limit);
  }

  @Get(':id')
  get(@Param('id', UuidParam) id: string) {
    return this.admin.get(id);
  }

  @Patch(':id')
  update(
    @CurrentUser('sub') actorId: string,
    @Param('id', UuidParam) id: string,
    @Body() dto: UpdateUserDto,
  ) {
    return this.admin.update(actorId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentUser('sub') actorId: string, @Param('id', UuidParam) id: string) {
    return this.admin.delete(actorId, id);
  }
}
