import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Length, Matches } from 'class-validator';

import { SCOPE_TOKEN } from '../scope';

export class CreateClientDto {
  @ApiProperty({ example: 'reporting service' })
  @IsString()
  @Length(1, 200)
  @Matches(/^\P{Cc}*$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ type: [String], example: ['stats:read'] })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(SCOPE_TOKEN, {
    each: true,
    message: 'each scope must be an RFC 6749 scope token (no spaces or quotes)',
  })
  scopes!: string[];
}
