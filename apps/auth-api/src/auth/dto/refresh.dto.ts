import { IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @IsString()
  @MaxLength(512)
  refresh_token!: string;
}

export class LogoutDto {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  refresh_token?: string;
}
