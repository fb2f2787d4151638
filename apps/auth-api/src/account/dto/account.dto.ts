import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';

import { PASSWORD_MAX, PASSWORD_MIN } from '../../auth/dto/credentials.dto';

const TrimString = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** `{email}`: the same answer whether or not an account has it. */
export class EmailRequestDto {
  @ApiProperty({ example: 'ada@example.com' })
  @TrimString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;
}

/** A link's `token`, or an `email` and its 6-digit `code`. */
export class AccountProofDto {
  @ApiPropertyOptional({ description: 'the token of the mailed link' })
  @ValidateIf((dto: AccountProofDto) => dto.code === undefined || dto.token !== undefined)
  @IsString()
  @Length(1, 256)
  token?: string;

  @ApiPropertyOptional({ example: 'ada@example.com' })
  @ValidateIf((dto: AccountProofDto) => dto.token === undefined)
  @TrimString()
  @IsString()
  @Length(1, 320)
  email?: string;

  @ApiPropertyOptional({ example: '042137' })
  @ValidateIf((dto: AccountProofDto) => dto.token === undefined)
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code?: string;
}

export class PasswordResetConfirmDto extends AccountProofDto {
  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password!: string;
}
