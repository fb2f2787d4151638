import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches, ValidateIf } from 'class-validator';

/** The second step of a sign-in: the challenge and one code (`code` or `recovery_code`). */
export class MfaLoginDto {
  @ApiProperty({ description: 'the mfa_token of the 403 mfa_required answer' })
  @IsString()
  @Length(1, 256)
  mfa_token!: string;

  @ApiPropertyOptional({ example: '492039', description: 'a code from the authenticator app' })
  @ValidateIf((dto: MfaLoginDto) => dto.recovery_code === undefined || dto.code !== undefined)
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({ example: 'k7qmx-2fp9d', description: 'one of the recovery codes' })
  @ValidateIf((dto: MfaLoginDto) => dto.code === undefined)
  @IsString()
  @Length(1, 32)
  recovery_code?: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '492039' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code!: string;
}

/** Removing a factor or replacing recovery codes asks for the password again. */
export class PasswordConfirmationDto {
  @ApiProperty({})
  @IsString()
  @Length(1, 1024)
  password!: string;
}
