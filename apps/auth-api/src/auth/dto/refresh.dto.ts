import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last token response' })
  @IsString()
  @MaxLength(512)
  refresh_token!: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'The refresh token from the last token response' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  refresh_token?: string;
}
