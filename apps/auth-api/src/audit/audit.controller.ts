import { ApiPropertyOptional } from '@nestjs/swagger';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

import { Roles } from '@jwt-token/auth';

import { AUDIT_EVENT_TYPES, AuditService } from './audit.service';

export class AuditQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 100;

  @ApiPropertyOptional({ enum: AUDIT_EVENT_TYPES })
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES)
  type?: string;

  /** Who acted (user id, client id, `cli`). */
  @ApiPropertyOptional({ description: 'Who acted: user id, client id or cli' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actor?: string;

  /** What it was done to (user id, client id, kid). */
  @ApiPropertyOptional({ description: 'What it was done to: user id, client id or kid' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subject?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601()
  since?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601()
  until?: string;
}

/** `GET /audit`: the security log, newest first, for admins. */
@Roles('admin')
@Controller('audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: AuditQueryDto) {
    return this.audit.list({
      offset: query.offset,
      limit: query.limit,
      type: query.type,
      actor: query.actor,
      subject: query.subject,
      since: query.since ? Date.parse(query.since) : undefined,
      until: query.until ? Date.parse(query.until) : undefined,
    });
  }
}
