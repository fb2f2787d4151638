import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

import { ROLES } from '../../users/roles';

/** Absent is allowed; `null` is not (IsOptional would let it through to a NOT NULL column). */
const IsAbsentOr = (property: 'roles' | 'disabled') =>
  ValidateIf((dto: UpdateUserDto) => dto[property] !== undefined);

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ['user', 'editor', 'admin'], isArray: true, example: ['editor'] })
  @IsAbsentOr('roles')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles?: (typeof ROLES)[number][];

  @ApiPropertyOptional()
  @IsAbsentOr('disabled')
  @IsBoolean()
  disabled?: boolean;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;
}
