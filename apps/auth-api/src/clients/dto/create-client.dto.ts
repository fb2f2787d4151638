import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';

import { SCOPE_TOKEN } from '../scope';

/**
 * `POST /clients`: a service client (`name`, `scopes`) or, with `redirect_uris`, an OpenID Connect
 * relying party, in RFC 7591 metadata names. Redirect URIs are checked by the service, which
 * answers RFC 7591's `invalid_redirect_uri`.
 */
export class CreateClientDto {
  @ApiProperty({ example: 'reporting service' })
  @IsString()
  @Length(1, 200)
  @Matches(/^\P{Cc}*$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiPropertyOptional({ type: [String], example: ['stats:read'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(SCOPE_TOKEN, {
    each: true,
    message: 'each scope must be an RFC 6749 scope token (no spaces or quotes)',
  })
  scopes?: string[];

  @ApiPropertyOptional({ type: [String], example: ['https://app.example/callback'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], example: ['https://app.example/'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  post_logout_redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], example: ['authorization_code', 'refresh_token'] })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(['authorization_code', 'refresh_token', 'client_credentials'], { each: true })
  grant_types?: ('authorization_code' | 'refresh_token' | 'client_credentials')[];

  @ApiPropertyOptional({ enum: ['none', 'client_secret_basic', 'client_secret_post'] })
  @IsOptional()
  @IsIn(['none', 'client_secret_basic', 'client_secret_post'])
  token_endpoint_auth_method?: 'none' | 'client_secret_basic' | 'client_secret_post';

  @ApiPropertyOptional({ enum: ['web', 'native'] })
  @IsOptional()
  @IsIn(['web', 'native'])
  application_type?: 'web' | 'native';

  @ApiPropertyOptional({ description: 'trusted by the operator: no consent page' })
  @IsOptional()
  @IsBoolean()
  first_party?: boolean;

  @ApiPropertyOptional({ enum: ['ES256', 'RS256'] })
  @IsOptional()
  @IsIn(['ES256', 'RS256'])
  id_token_signed_response_alg?: 'ES256' | 'RS256';

  @ApiPropertyOptional({
    description:
      'RFC 9449 §5.2: every token request of this client must carry a DPoP proof (no Bearer tokens)',
  })
  @IsOptional()
  @IsBoolean()
  dpop_bound_access_tokens?: boolean;
}
