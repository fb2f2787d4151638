import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';

import { ApiError } from '@jwt-token/service-kit';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A passkey's answer as `@simplewebauthn/browser` (or `PublicKeyCredential.toJSON()`) gives it. */
export class PasskeyCredentialDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'the PublicKeyCredential as JSON (WebAuthn Level 3 toJSON(), or @simplewebauthn/browser)',
  })
  @IsObject()
  credential!: Record<string, unknown>;
}

/** A passkey's name: shown in lists, so no control characters (no line breaks in an audit view). */
const PASSKEY_NAME = /^[^\p{Cc}]+$/u;
const PASSKEY_NAME_MESSAGE = 'name must not contain control characters';

export class PasskeyRegistrationDto extends PasskeyCredentialDto {
  @ApiPropertyOptional({ example: 'Work laptop', description: 'a name to tell passkeys apart' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(PASSKEY_NAME, { message: PASSKEY_NAME_MESSAGE })
  name?: string;
}

export class PasskeyRenameDto {
  @ApiProperty({ example: 'Work laptop', description: 'the new name' })
  @IsString()
  @Length(1, 64)
  @Matches(PASSKEY_NAME, { message: PASSKEY_NAME_MESSAGE })
  name!: string;
}

export class PasskeyMfaDto extends PasskeyCredentialDto {
  @ApiProperty({ description: 'the mfa_token of the 403 mfa_required answer' })
  @IsString()
  @Length(1, 256)
  mfa_token!: string;
}

export class MfaTokenDto {
  @ApiProperty({ description: 'the mfa_token of the 403 mfa_required answer' })
  @IsString()
  @Length(1, 256)
  mfa_token!: string;
}

/** Limits well above any real authenticator's, well below anything that could hurt. */
const FIELD_LIMITS: Record<string, number> = {
  clientDataJSON: 4096,
  authenticatorData: 8192,
  signature: 2048,
  userHandle: 128,
  attestationObject: 16384,
};

/**
 * Checks the shape of a credential before a WebAuthn library reads it: the fields the ceremony
 * needs must be base64url strings of sane length. Fields it does not know are ignored, not
 * refused: WebAuthn adds members to this JSON over time, and browsers send them.
 */
export function credentialShapeOf<T>(
  credential: Record<string, unknown>,
  responseFields: readonly string[],
): T {
  const refuse = (detail: string) =>
    new ApiError(400, 'validation_failed', `credential is malformed: ${detail}`);
  for (const key of ['id', 'rawId'] as const) {
    const value = credential[key];
    if (typeof value !== 'string' || value.length > 1400 || !BASE64URL.test(value))
      throw refuse(`${key} must be a base64url string`);
  }
  if (credential.type !== 'public-key') throw refuse('type must be "public-key"');
  const response = credential.response;
  if (typeof response !== 'object' || response === null || Array.isArray(response))
    throw refuse('response must be an object');
  const fields = response as Record<string, unknown>;
  for (const key of responseFields) {
    const value = fields[key];
    const optional = key === 'userHandle';
    if (optional && (value === undefined || value === null)) continue;
    if (typeof value !== 'string' || value.length > FIELD_LIMITS[key] || !BASE64URL.test(value))
      throw refuse(`response.${key} must be a base64url string`);
  }
  const extensions = credential.clientExtensionResults;
  if (extensions !== undefined && (typeof extensions !== 'object' || extensions === null))
    throw refuse('clientExtensionResults must be an object');
  return { ...credential, clientExtensionResults: extensions ?? {} } as T;
}
